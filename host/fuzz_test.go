package host

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseSymbol checks that ParseSymbol never panics, that its errors
// quote the symbol, and that each case it accepts prints as a test id
// (path::test@{...}) that parses back to that case.
func FuzzParseSymbol(f *testing.F) {
	for _, s := range []string{
		"tests/", "tests@v2/test_a.star::test_b", `tests@v2/t.star::test_b@{"k":1}`,
		`t.star::test_b@[{"k":"x@{y"}]`, `t.star@{"k":1}`, "t.star::", "::test_a",
		`t.star::test_a@{"k"`, "t.star::test_a@[1]", `t.star::t@{"a":{"b":[1,2.5e3,null,true]}}`,
		`t.star::t@[{"x":1},{"x":2}]`, `t.star::t@null`, `p::t@{"a::b":1}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sym, err := ParseSymbol(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "test symbol ") {
				t.Fatalf("ParseSymbol(%q): error %q does not name the symbol", s, err)
			}
			return
		}
		if sym.Path == "" || (sym.Params != nil && sym.Test == "") {
			t.Fatalf("ParseSymbol(%q) = %+v: accepted without a path, or parameters without a test", s, sym)
		}
		for _, p := range sym.Params {
			if len(p) == 0 {
				continue // {} is no parameters: the id has none
			}
			id := (&Case{Test: &Test{File: sym.Path, Name: sym.Test}, Params: p}).ID()
			again, err := ParseSymbol(id)
			if err != nil {
				t.Fatalf("ParseSymbol(%q) gave a case whose id %q does not parse: %v", s, id, err)
			}
			if want := (Symbol{Path: sym.Path, Test: sym.Test, Params: []map[string]any{p}}); !reflect.DeepEqual(again, want) {
				t.Fatalf("ParseSymbol(%q): the id %q of a case parses to %+v, want %+v", s, id, again, want)
			}
		}
	})
}

// FuzzSplitSymbols checks that SplitSymbols never panics and returns
// trimmed, non-empty items, and that a list without parameters is split
// at every comma.
func FuzzSplitSymbols(f *testing.F) {
	for _, s := range []string{
		"a.star, b.star::test_x,", `f.star::t@{"x": 1,"y": "a"}`, `f.star::t@{"x": 1,"y": "a,}"},g.star`,
		`f.star::t@[{"x": [1, 2]},{"x": "\"]"}],h`, "tests@v2/a.star,b.star", `a@{"\`, "a@[}],b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		items := SplitSymbols(list)
		for _, it := range items {
			if it == "" || it != strings.TrimSpace(it) {
				t.Fatalf("SplitSymbols(%q) = %q: an item is empty or untrimmed", list, items)
			}
		}
		if strings.Contains(list, "@") {
			return
		}
		var want []string
		for _, it := range strings.Split(list, ",") {
			if it = strings.TrimSpace(it); it != "" {
				want = append(want, it)
			}
		}
		if !reflect.DeepEqual(items, want) {
			t.Fatalf("SplitSymbols(%q) = %q, want %q", list, items, want)
		}
	})
}

// FuzzReadSuite reads random YAML as a suite file that imports itself and a
// second file with the same text (so imports and their cycles are
// exercised): never a panic; an error names the suite file; every suite
// accepted includes something, and its symbols are relative to the file.
func FuzzReadSuite(f *testing.F) {
	for _, s := range []string{
		"import: base.yml\neverything:\n  included:\n    - ../tests\n  excluded:\n    - ../tests/test_a.star::test_two\n",
		"base:\n  - ../tests/test_b.star\n", "broken:\n  included: [x]\n  bogus: [y]\n",
		"import: [a.yml, b.yml]\nno_two:\n  included: [../tests/test_a.star]\n  excluded: [../tests/gone.star]\n",
		"nothing:\n", "nothing: []\n", "only:\n  excluded: [../tests]\n", "import: ../tests/test_a.star\n",
		"a: &x [t.star]\nb: *x\n", "? [k]\n: [v]\n", "- a\n- b\n", "s: {included: {x: 1}}\n", "s: !!binary aGk=\n",
		"s: [/abs/t.star]\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		dir := t.TempDir()
		for _, name := range []string{"a.yml", "b.yml"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, "a.yml")
		suites, err := readSuite(path, map[string]bool{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "suite "+dir) {
				t.Fatalf("readSuite(%q): error %q does not name the suite file", text, err)
			}
			return
		}
		for _, s := range suites {
			if len(s.included) == 0 {
				t.Fatalf("readSuite(%q): suite %q includes nothing", text, s.name)
			}
			for _, sym := range append(s.included, s.excluded...) {
				if !strings.HasPrefix(sym, dir+"/") && !filepath.IsAbs(sym) {
					t.Fatalf("readSuite(%q): symbol %q of suite %q is not relative to the suite file", text, sym, s.name)
				}
			}
		}
	})
}

// FuzzReadRunTimes reads random text as the report.json of
// --historical-report: never a panic; an error names the file; the times
// it returns are means of the runs, so finite when the runs are.
func FuzzReadRunTimes(f *testing.F) {
	for _, s := range []string{
		`{"results": [{"test_id": "t.star::test_0", "function_name": "test_0", "test_status": "PASS", "run_time_seconds": 12},
		 {"test_id": "t.star::test_0", "function_name": "test_0", "test_status": "FAIL", "run_time_seconds": 8},
		 {"test_id": "t.star::test_4", "function_name": "test_4", "test_status": "FAIL", "summary": "Test not run: interrupted"},
		 {"test_id": "t.star", "module_name": "t.star", "test_status": "FAIL"}]}`,
		`{"results": null}`, `[]`, `{"results": [{"run_time_seconds": "x"}]}`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		path := filepath.Join(t.TempDir(), "report.json")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		times, err := ReadRunTimes(path)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("ReadRunTimes(%q): error %q does not name the file", text, err)
			}
			return
		}
		for id, s := range times {
			if s != s {
				t.Fatalf("ReadRunTimes(%q): run time of %s is NaN", text, id)
			}
		}
	})
}
