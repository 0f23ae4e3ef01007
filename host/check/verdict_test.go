package check

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestVerdict checks how reports word each result, with and without an
// expectation, whichever checker made it.
func TestVerdict(t *testing.T) {
	for _, c := range []struct {
		r    Result
		want Verdict
		as   bool
	}{
		{Result{OK: true}, Verdict{Status: "PASS"}, true},
		{Result{Found: "3 lost adds"}, Verdict{Status: "FAIL"}, false},
		{Result{Unknown: true}, Verdict{Status: "UNKNOWN"}, false},
		{Result{OK: true, Expect: ExpectValid}, Verdict{Status: "PASS"}, true},
		{Result{Expect: ExpectValid}, Verdict{Status: "FAIL"}, false},
		{Result{Found: "3 lost adds", Expect: ExpectViolation}, Verdict{"PASS", "found 3 lost adds, as expected"}, true},
		{Result{Expect: ExpectViolation}, Verdict{"PASS", "found a violation, as expected"}, true}, // a checker that names nothing
		{Result{OK: true, Expect: ExpectViolation}, Verdict{"FAIL", "expected a violation, found none"}, false},
		{Result{Unknown: true, Expect: ExpectViolation}, Verdict{"UNKNOWN", "expected a violation, could not decide"}, false},
	} {
		if got := c.r.Verdict(); got != c.want || c.r.AsExpected() != c.as {
			t.Errorf("%+v: verdict %+v, as expected %v; want %+v, %v", c.r, got, c.r.AsExpected(), c.want, c.as)
		}
	}
	b, err := json.Marshal(Result{Name: "set", Found: "1 lost add", Expect: ExpectViolation})
	if err != nil || !strings.Contains(string(b), `"verdict":{"status":"PASS","words":"found 1 lost add, as expected"}`) ||
		!strings.Contains(string(b), `"expect":"violation"`) {
		t.Errorf("report.json's check: %s, %v", b, err)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || back.Expect != ExpectViolation || back.Found != "1 lost add" {
		t.Errorf("read back: %+v, %v", back, err)
	}
	if _, err := ParseExpect("fail"); err == nil || !strings.Contains(err.Error(), `expect must be "valid" or "violation", not "fail"`) {
		t.Errorf("ParseExpect(fail): %v", err)
	}
}

// TestSortForPeople checks the order of values in summaries: numbers in
// numeric order first, then other values with their digits compared as
// numbers.
func TestSortForPeople(t *testing.T) {
	in := []string{`"k10"`, "1003", `"k9"`, "653", "-2", "1000", "1.5", `"k09"`, `[1,2]`, `"b"`, `"a"`, "1e+21", "null"}
	want := []string{"-2", "1.5", "653", "1000", "1003", "1e+21", `"a"`, `"b"`, `"k9"`, `"k09"`, `"k10"`, `[1,2]`, "null"}
	if got := sortForPeople(in); !slices.Equal(got, want) {
		t.Errorf("sortForPeople:\n got %v\nwant %v", got, want)
	}
}
