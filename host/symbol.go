package host

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// Symbol selects tests: path (a file, directory or glob), optionally
// "::test_name", optionally "@" and a JSON object (one case) or a JSON list
// of objects. A test case's id is the symbol that selects exactly it.
type Symbol struct {
	Path   string
	Test   string           // "" for every test of Path
	Params []map[string]any // nil for every case; else the cases wanted
}

// ParseSymbol parses a symbol, reporting malformed input in words.
func ParseSymbol(s string) (Symbol, error) {
	var sym Symbol
	rest := s
	if i := paramsStart(rest); i >= 0 {
		params := rest[i+1:]
		rest = rest[:i]
		var err error
		if sym.Params, err = parseParams(params); err != nil {
			return Symbol{}, fmt.Errorf("test symbol %q: parameters after @ %w", s, err)
		}
	}
	sym.Path, sym.Test, _ = strings.Cut(rest, "::")
	if sym.Path == "" {
		return Symbol{}, fmt.Errorf("test symbol %q: no path before ::", s)
	}
	if strings.Contains(rest, "::") && sym.Test == "" {
		return Symbol{}, fmt.Errorf("test symbol %q: no test name after ::", s)
	}
	if sym.Params != nil && sym.Test == "" {
		return Symbol{}, fmt.Errorf("test symbol %q: parameters need a test name (path::test_name@{...})", s)
	}
	return sym, nil
}

// paramsStart returns the index of the "@" that starts a symbol's
// parameters: the first one after the test name (if any) followed by a
// JSON object or list. Any other "@", as in a directory "tests@v2", is
// part of the path or name. It returns -1 when there are no parameters.
func paramsStart(s string) int {
	for i := max(strings.Index(s, "::"), 0); i+1 < len(s); i++ {
		if s[i] == '@' && (s[i+1] == '{' || s[i+1] == '[') {
			return i
		}
	}
	return -1
}

func parseParams(text string) ([]map[string]any, error) {
	text = strings.TrimSpace(text)
	dec := func(into any) error {
		d := json.NewDecoder(strings.NewReader(text))
		d.UseNumber()
		if err := d.Decode(into); err != nil {
			return fmt.Errorf("are not valid JSON: %v", err)
		}
		return nil
	}
	if strings.HasPrefix(text, "[") {
		var list []map[string]any
		if err := dec(&list); err != nil {
			return nil, fmt.Errorf("must be a JSON object or a list of objects: %v", err)
		}
		return list, nil
	}
	var one map[string]any
	if err := dec(&one); err != nil {
		return nil, err
	}
	if one == nil {
		return nil, fmt.Errorf("must be a JSON object or a list of objects")
	}
	return []map[string]any{one}, nil
}

// FormatParams renders case parameters as the canonical JSON object of a
// test id: keys sorted, compact.
func FormatParams(params map[string]any) string {
	if len(params) == 0 {
		return ""
	}
	data, _ := marshalText(params, "")
	return string(data)
}

// ParamsDirName renders parameters as a results directory name as the
// Python ducktape does: "k=v.k2=v2" (keys sorted, values as in test ids,
// strings without quotes), then whitespace dropped, every run of other
// characters than letters, digits, "_", "-", "=" and "." made one ".", no
// repeated dots and none at either end: {"a": "x..y", "b": " I'm a b "}
// gives "a=x.y.b=I.mab". The name is at most 200 bytes.
func ParamsDirName(params map[string]any) string {
	return dirLevel(strings.Join(paramPairs(params), "."))
}

// ParamsDirNames renders parameters as one directory level per parameter
// (--nested-result-dirs): "k=v", "k2=v2", keys sorted, each escaped as
// ParamsDirName escapes.
func ParamsDirNames(params map[string]any) []string {
	pairs := paramPairs(params)
	for i, p := range pairs {
		pairs[i] = dirLevel(p)
	}
	return pairs
}

// paramPairs returns "key=value" of each parameter, keys sorted.
func paramPairs(params map[string]any) []string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		v := params[k]
		var text string
		if s, ok := v.(string); ok {
			text = s
		} else {
			data, _ := marshalText(v, "")
			text = string(data)
		}
		pairs[i] = k + "=" + text
	}
	return pairs
}

// dirLevel escapes a name as escapePathname does and keeps it a usable
// directory level: at most 200 bytes, never empty.
func dirLevel(s string) string {
	name := escapePathname(s)
	if len(name) > 200 {
		name = strings.TrimRight(strings.ToValidUTF8(name[:200], ""), ".")
	}
	if name == "" {
		name = "_" // keys of punctuation only: still a level of its own
	}
	return name
}

// escapePathname applies the Python ducktape's rules for a parameters
// directory (see ParamsDirName).
func escapePathname(s string) string {
	var b strings.Builder
	dot := false // a dot is due before the next kept character
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case r == '-' || r == '=' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			if dot && b.Len() > 0 {
				b.WriteByte('.')
			}
			dot = false
			b.WriteRune(r)
		default:
			dot = true
		}
	}
	return b.String()
}

// sanitizeDirName keeps a name usable as one directory level.
func sanitizeDirName(s string) string {
	s = strings.NewReplacer("/", "_", "\\", "_", "\x00", "_", " ", "_").Replace(s)
	if len(s) > 200 {
		s = s[:200]
	}
	if s == "." || s == ".." {
		s = "_" + s
	}
	return s
}

// SplitSymbols splits a comma-separated list of symbols (a list flag's
// value) at the commas outside their parameters: inside @{...} or @[...]
// commas belong to the JSON, as do brackets and commas in its strings.
// Empty items are dropped.
func SplitSymbols(list string) []string {
	var out []string
	depth, inString, escaped, start := 0, false, false, 0
	for i := 0; i < len(list); i++ {
		c := list[i]
		switch {
		case depth == 0 && c == '@' && i+1 < len(list) && (list[i+1] == '{' || list[i+1] == '['):
			depth, i = 1, i+1
		case depth == 0 && c == ',':
			if item := strings.TrimSpace(list[start:i]); item != "" {
				out = append(out, item)
			}
			start = i + 1
		case depth == 0:
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	if item := strings.TrimSpace(list[start:]); item != "" {
		out = append(out, item)
	}
	return out
}
