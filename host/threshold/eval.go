package threshold

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Verdict is the outcome of a threshold, as report.json's "thresholds"
// holds it. Actual is nil when the key is missing or not a number; Message
// says, in one line, why a threshold failed ("" when it passed).
type Verdict struct {
	Expr    string   `json:"expr"`
	OK      bool     `json:"ok"`
	Actual  *float64 `json:"actual"`
	Limit   float64  `json:"limit"`
	Message string   `json:"message,omitempty"`
}

// Eval checks the expression against data: nested maps (map[string]any)
// whose leaves are numbers (any Go integer or float type, or json.Number).
// A key that is missing or not a number fails the threshold, never passes.
func (e *Expr) Eval(data map[string]any) Verdict {
	v := Verdict{Expr: e.Text, Limit: e.Limit}
	if v.Expr == "" {
		v.Expr = e.String()
	}
	holds, known := operators[e.Op]
	if !known {
		v.Message = fmt.Sprintf("%s: unknown operator %q", v.Expr, e.Op)
		return v
	}
	actual, err := lookup(data, e.Key)
	if err != nil {
		v.Message = err.Error()
		return v
	}
	v.Actual = &actual
	v.OK = holds(actual, e.Limit)
	if !v.OK {
		v.Message = fmt.Sprintf("%s is %s, want %s %s", e.Key, formatNumber(actual), e.Op, formatNumber(e.Limit))
	}
	return v
}

// operators are the comparisons Parse accepts.
var operators = map[string]func(a, b float64) bool{
	"<":  func(a, b float64) bool { return a < b },
	"<=": func(a, b float64) bool { return a <= b },
	">":  func(a, b float64) bool { return a > b },
	">=": func(a, b float64) bool { return a >= b },
	"==": func(a, b float64) bool { return a == b },
	"!=": func(a, b float64) bool { return a != b },
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// lookup returns the number at the dotted key in data, or an error that
// names the missing part and the keys that are there.
func lookup(data map[string]any, key string) (float64, error) {
	parts := strings.Split(key, ".")
	var node any = data
	for i, part := range parts {
		m, ok := node.(map[string]any)
		if !ok {
			return 0, fmt.Errorf("%s: %s is %s, not a map", key, strings.Join(parts[:i], "."), describe(node))
		}
		child, ok := m[part]
		if !ok {
			where := "the test's data"
			if i > 0 {
				where = strings.Join(parts[:i], ".")
			}
			return 0, fmt.Errorf("%s: no key %q in %s (it has: %s)", key, part, where, keysOf(m))
		}
		node = child
	}
	if f, ok := number(node); ok {
		return f, nil
	}
	return 0, fmt.Errorf("%s is %s, not a number", key, describe(node))
}

// number converts a JSON-like number to float64; ok is false for anything
// else (booleans included).
func number(v any) (f float64, ok bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", v)
	case bool:
		return fmt.Sprintf("the boolean %v", v)
	case map[string]any:
		return "a map"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("a %T", v)
}

func keysOf(m map[string]any) string {
	if len(m) == 0 {
		return "no keys"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}
