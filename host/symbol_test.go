package host

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParseSymbol(t *testing.T) {
	for text, want := range map[string]Symbol{
		"tests/":                          {Path: "tests/"},
		"tests@v2/test_a.star":            {Path: "tests@v2/test_a.star"},
		"tests@v2/test_a.star::test_b":    {Path: "tests@v2/test_a.star", Test: "test_b"},
		`tests@v2/t.star::test_b@{"k":1}`: {Path: "tests@v2/t.star", Test: "test_b", Params: []map[string]any{{"k": json.Number("1")}}},
		`t.star::test_b@[{"k":"x@{y"}]`:   {Path: "t.star", Test: "test_b", Params: []map[string]any{{"k": "x@{y"}}},
	} {
		got, err := ParseSymbol(text)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseSymbol(%q) = %+v, %v; want %+v", text, got, err, want)
		}
	}
	for text, wantErr := range map[string]string{
		`t.star@{"k":1}`:      "parameters need a test name",
		"t.star::":            "no test name after ::",
		"::test_a":            "no path before ::",
		`t.star::test_a@{"k"`: "parameters after @ are not valid JSON",
		"t.star::test_a@[1]":  "must be a JSON object or a list of objects",
	} {
		if _, err := ParseSymbol(text); err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("ParseSymbol(%q): error %v, want %q", text, err, wantErr)
		}
	}
}

func TestSplitSymbols(t *testing.T) {
	for list, want := range map[string][]string{
		"a.star, b.star::test_x,":                  {"a.star", "b.star::test_x"},
		`f.star::t@{"x": 1,"y": "a"}`:              {`f.star::t@{"x": 1,"y": "a"}`},
		`f.star::t@{"x": 1,"y": "a,}"},g.star`:     {`f.star::t@{"x": 1,"y": "a,}"}`, "g.star"},
		`f.star::t@[{"x": [1, 2]},{"x": "\"]"}],h`: {`f.star::t@[{"x": [1, 2]},{"x": "\"]"}]`, "h"},
		"tests@v2/a.star,b.star":                   {"tests@v2/a.star", "b.star"},
	} {
		if got := SplitSymbols(list); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitSymbols(%q) = %q, want %q", list, got, want)
		}
	}
}

func TestParamsDirNameEscapesAsThePythonDucktape(t *testing.T) {
	for _, tc := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"a": "x..y", "b": " I'm a b "}, "a=x.y.b=I.mab"},
		{map[string]any{"size": json.Number("100"), "acks": json.Number("-1")}, "acks=-1.size=100"},
		{map[string]any{"path": "/etc/../x", "list": []any{json.Number("1"), "two"}}, "list=.1.two.path=.etc.x"},
		{map[string]any{"u": "naïve café"}, "u=naïvecafé"},
		{map[string]any{"?": "!"}, "="},
		{map[string]any{"k": strings.Repeat("é", 150)}, "k=" + strings.Repeat("é", 99)},
	} {
		if got := ParamsDirName(tc.params); got != tc.want {
			t.Errorf("ParamsDirName(%v) = %q, want %q", tc.params, got, tc.want)
		}
	}
}
