package threshold

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		text  string
		key   string
		op    string
		limit float64
	}{
		{"latency_ms.p99 < 50", "latency_ms.p99", "<", 50},
		{"ops_per_sec.mean >= 1000", "ops_per_sec.mean", ">=", 1000},
		{"result.bytes > 0", "result.bytes", ">", 0},
		{"  a<=-1.5e3 ", "a", "<=", -1500},
		{"_x.0.y == .5", "_x.0.y", "==", 0.5},
		{"errors != +2.", "errors", "!=", 2},
		{"t\t>\t1E-3", "t", ">", 0.001},
	} {
		e, err := Parse(tc.text)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.text, err)
			continue
		}
		if e.Key != tc.key || e.Op != tc.op || e.Limit != tc.limit || e.Text != strings.TrimSpace(tc.text) {
			t.Errorf("Parse(%q) = %+v", tc.text, e)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		text string
		col  int
		msg  string
	}{
		{"", 1, "want a key"},
		{"< 50", 1, "want a key"},
		{"latency_ms.p99", 15, "want an operator"},
		{"latency_ms.p99 = 50", 16, "= is not one, use =="},
		{"latency_ms.p99 <", 17, "want a number after <"},
		{"latency_ms.p99 < fifty", 18, "want a number after <"},
		{"latency_ms.p99 < 50ms", 20, `unexpected "ms" after the number`},
		{"latency_ms.p99 < 50 and x > 1", 21, "unexpected"},
		{"latency_ms. < 50", 11, "want an operator"},
		{"a < 1e999", 5, "1e999 is out of range"},
		{"a < inf", 5, "want a number"},
		{"a < 0x10", 6, "unexpected"},
	} {
		_, err := Parse(tc.text)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Col != tc.col || !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("Parse(%q) = %v; want column %d: %s", tc.text, err, tc.col, tc.msg)
			continue
		}
		if !strings.Contains(err.Error(), `threshold "`+tc.text+`", column`) {
			t.Errorf("error %q does not quote the expression", err)
		}
	}
}

// data is a test's data as the runner builds it: series summaries merged
// with what the test returned (decoded from JSON, so json.Number leaves
// also appear).
func data() map[string]any {
	return map[string]any{
		"latency_ms":  map[string]any{"count": 100, "p99": 62.5, "mean": 12.0},
		"ops_per_sec": map[string]any{"count": 10, "mean": json.Number("1200")},
		"result":      map[string]any{"bytes": int64(0), "name": "x", "ok": true, "inner": map[string]any{}},
		"errors":      0,
	}
}

func eval(t *testing.T, text string) Verdict {
	t.Helper()
	e, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return e.Eval(data())
}

func TestEvalPassesAndFails(t *testing.T) {
	for _, tc := range []struct {
		text   string
		ok     bool
		actual float64
		msg    string
	}{
		{"latency_ms.p99 < 100", true, 62.5, ""},
		{"latency_ms.p99 < 50", false, 62.5, "latency_ms.p99 is 62.5, want < 50"},
		{"latency_ms.p99 <= 62.5", true, 62.5, ""},
		{"latency_ms.p99 < 62.5", false, 62.5, "want < 62.5"},
		{"ops_per_sec.mean >= 1000", true, 1200, ""},
		{"ops_per_sec.mean > 1200", false, 1200, "ops_per_sec.mean is 1200, want > 1200"},
		{"result.bytes > 0", false, 0, "result.bytes is 0, want > 0"},
		{"errors == 0", true, 0, ""},
		{"errors != 0", false, 0, "want != 0"},
		{"latency_ms.count >= 1e2", true, 100, ""},
	} {
		v := eval(t, tc.text)
		if v.OK != tc.ok || v.Actual == nil || *v.Actual != tc.actual || !strings.Contains(v.Message, tc.msg) || (tc.ok && v.Message != "") {
			t.Errorf("%s: %+v (actual %v), want ok=%v actual=%v message %q", tc.text, v, v.Actual, tc.ok, tc.actual, tc.msg)
		}
		if v.Expr != tc.text {
			t.Errorf("verdict expr %q, want %q as written", v.Expr, tc.text)
		}
	}
}

// A threshold whose key is missing or not a number fails: a typo must not pass.
func TestEvalMissingKeyFails(t *testing.T) {
	for _, tc := range []struct{ text, msg string }{
		{"latncy_ms.p99 < 50", `latncy_ms.p99: no key "latncy_ms" in the test's data (it has: errors, latency_ms, ops_per_sec, result)`},
		{"latency_ms.p999 < 50", `latency_ms.p999: no key "p999" in latency_ms (it has: count, mean, p99)`},
		{"result.inner.x > 0", `result.inner.x: no key "x" in result.inner (it has: no keys)`},
		{"result.name > 0", `result.name is the string "x", not a number`},
		{"result.ok == 1", `result.ok is the boolean true, not a number`},
		{"result > 0", `result is a map, not a number`},
		{"errors.count < 1", `errors.count: errors is a int, not a map`},
	} {
		v := eval(t, tc.text)
		if v.OK || v.Actual != nil || v.Message != tc.msg {
			t.Errorf("%s: %+v, want a failure saying %q", tc.text, v, tc.msg)
		}
	}
	if v := (&Expr{Key: "errors", Op: "=~", Limit: 1}).Eval(data()); v.OK || !strings.Contains(v.Message, `unknown operator "=~"`) {
		t.Errorf("an Expr built with a bad operator: %+v", v)
	}
}

func TestVerdictJSON(t *testing.T) {
	got, err := json.Marshal([]Verdict{eval(t, "latency_ms.p99 < 100"), eval(t, "nope < 1")})
	want := `[{"expr":"latency_ms.p99 \u003c 100","ok":true,"actual":62.5,"limit":100},` +
		`{"expr":"nope \u003c 1","ok":false,"actual":null,"limit":1,"message":"nope: no key \"nope\" in the test's data (it has: errors, latency_ms, ops_per_sec, result)"}]`
	if err != nil || string(got) != want {
		t.Errorf("verdicts JSON = %s, %v\nwant %s", got, err, want)
	}
}

// FuzzParse checks that Parse never panics, and that what it accepts
// prints back to an expression that parses to the same thing and
// evaluates without panicking. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add("latency_ms.p99 < 50")
	f.Fuzz(func(t *testing.T, text string) {
		e, err := Parse(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Col < 1 || pe.Col > len(text)+1 {
				t.Fatalf("Parse(%q): error %v has no column in the text", text, err)
			}
			return
		}
		again, err := Parse(e.String())
		if err != nil || again.Key != e.Key || again.Op != e.Op || again.Limit != e.Limit {
			t.Fatalf("Parse(%q) = %+v prints as %q, which parses to %+v, %v", text, e, e.String(), again, err)
		}
		e.Eval(data())
	})
}
