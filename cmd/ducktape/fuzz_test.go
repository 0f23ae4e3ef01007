package main

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/kballard/go-shellquote"

	"github.com/ducktape-go/ducktape/starlib"
)

// FuzzConfigFile reads random text as the project's configuration file:
// never a panic; an error names the file and the line; the arguments it
// gives are each line's words, in order, before the command line's, and
// the flags of the run command parse them without panicking.
func FuzzConfigFile(f *testing.F) {
	for _, s := range []string{
		"# project defaults\n--exclude tests/test_c.star::test_a\n--max-parallel 2\n", "--max-parallel many\n",
		"--collect-only --max-parallel 4\n", "--exclude 'unterminated\n", `--globals '{"a": [1, "b c"]}' --parameters="{\"x\": 1}"` + "\n",
		"--subset 3 --subsets 2\n--repeat -1\n--exclude a.star,b.star::t@{\"x\":\"a,b\"}\n", "\\\n", "--config-file\n", "-- a b\n",
		"--cluster docker --docker-nodes 0 --docker-mount a:b:c\n", "--timeout 1x --deflake 0 --debug\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, config string) {
		gs := &globalState{
			ctx: context.Background(), getenv: func(string) string { return "" },
			readFile: func(name string) ([]byte, error) {
				if name == projectConfig {
					return []byte(config), nil
				}
				return nil, os.ErrNotExist
			},
		}
		args, err := withConfigArgs(gs, []string{"cmdline"})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config file "+projectConfig+", line ") {
				t.Fatalf("config %q: error %q does not name the file and line", config, err)
			}
			return
		}
		var want []string
		for _, line := range strings.Split(config, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				words, _ := shellquote.Split(line)
				again, err := shellquote.Split(shellquote.Join(words...))
				if err != nil || !reflect.DeepEqual(again, words) && len(words) > 0 {
					t.Fatalf("config line %q: words %q quote back to %q, %v", line, words, again, err)
				}
				want = append(want, words...)
			}
		}
		if want = append(want, "cmdline"); !reflect.DeepEqual(args, want) {
			t.Fatalf("config %q gives arguments %q, want %q", config, args, want)
		}
		if err := newRootCommand(gs).ParseFlags(args); err != nil && err.Error() == "" {
			t.Fatalf("config %q: flags %q: an empty error", config, args)
		}
	})
}

// FuzzParseGlobals checks --globals given as JSON text: never a panic; an
// error names --globals; the Starlark value the tests get encodes to the
// same JSON as the text.
func FuzzParseGlobals(f *testing.F) {
	for _, s := range []string{
		`{"broker": "3.7"}`, `{"a": 1} {}`, `{"a": [1, 2.5, -0, 1e3, null, true], "b": {"c": "\u00e9"}}`, `{"n": 123456789012345678901234567890}`,
		`{"a": 1, "a": 2}`, `{"x": 1e400}`, `{`, `{"s": "\ud800"}`, ` {}`, `{"a": "\u0000"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !strings.HasPrefix(strings.TrimSpace(text), "{") {
			return // a file name: read from disk, which a fuzz test must not do
		}
		globals, err := parseGlobals(text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--globals: ") {
				t.Fatalf("parseGlobals(%q): error %q does not name --globals", text, err)
			}
			return
		}
		encoded, err := starlib.ToJSON(globals)
		if err != nil {
			t.Fatalf("parseGlobals(%q) = %s, which does not encode as JSON: %v", text, globals, err)
		}
		var want, got any
		if json.Unmarshal([]byte(text), &want) != nil {
			return // numbers beyond float64: Starlark keeps them exactly
		}
		if err := json.Unmarshal(encoded, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("parseGlobals(%q) = %s, encoded %s: %v, want %v (%v)", text, globals, encoded, got, want, err)
		}
	})
}

// FuzzParseParameters checks --parameters: never a panic, an object or an
// error naming --parameters.
func FuzzParseParameters(f *testing.F) {
	for _, s := range []string{`{"acks": 1}`, `[1]`, `{"x": 9, "y": "z"}`, `{} x`, `null`, `"s"`, ``, `{"a": {"b": [1e400]}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		params, err := parseParameters(text)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--parameters: ") {
				t.Fatalf("parseParameters(%q): error %q does not name --parameters", text, err)
			}
			return
		}
		if params == nil && text != "" {
			t.Fatalf("parseParameters(%q): no error and no object", text)
		}
	})
}
