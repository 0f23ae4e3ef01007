// Package check holds the checkers that judge a test's operation history
// (package history): Linearizable, on the porcupine linearizability
// checker, with the models "register", "cas-register", "kv" and "set"; and
// the simple Set and Counter checkers; the transactional checkers are in
// package txn. Every checker returns a Result; bad
// input (an unknown model, an operation whose value does not fit the model)
// is an error, never a panic.
//
// Operation values follow Jepsen's conventions (docs/checkers.md): a fail
// operation certainly did not happen and is left out; an info operation (and
// one never completed) may have taken effect at any time after its
// invocation, or never.
//
// Checkers are pure functions of their input and safe to run concurrently.
//
// A test may say what it expects of a check (Result.Expect: a valid
// history, or a violation); Result.Verdict then says in words whether the
// check came out as expected, for every checker alike: a checker only
// names what it found (Result.Found). Summaries list values for people:
// numbers in numeric order (see sortForPeople).
package check

import (
	"encoding/json"
	"fmt"
)

// Result is a checker's verdict, as report.json's "checks" list holds it.
type Result struct {
	// Name is the checker: "linearizable", "set", "counter", "list-append"
	// or "rw-register".
	Name string `json:"name"`
	// Model is the linearizable checker's model, the transactional
	// checkers' models (comma-separated); empty for the others.
	Model string `json:"model"`
	// OK is true when the history passed. A check that could not decide
	// (Unknown) is not OK.
	OK bool `json:"ok"`
	// Unknown is true when the check gave up (its time limit ran out).
	Unknown bool `json:"unknown,omitempty"`
	// Summary says in words what was checked and, for a failure, what went
	// wrong.
	Summary string `json:"summary"`
	// Visualization is the path of an HTML file showing the history, or
	// empty.
	Visualization string `json:"visualization"`
	// AnomalyTypes are the anomalies a transactional check found (Elle's
	// names, sorted); Violates the consistency models they rule out,
	// weakest first. Empty for the other checkers.
	AnomalyTypes []string `json:"anomaly_types,omitempty"`
	Violates     []string `json:"violates,omitempty"`
	// Details holds checker-specific figures (JSON-able), e.g. the set
	// checker's lost and unexpected elements.
	Details map[string]any `json:"details,omitempty"`
	// Found names, in a few words, what a check that is not OK (and not
	// Unknown) found: "3 lost adds", "G-single, lost-update". Reports say
	// "found <Found>, as expected" when the test expected a violation;
	// empty is "a violation".
	Found string `json:"found,omitempty"`
	// Expect is what the test expected of the check: "" (nothing said),
	// ExpectValid or ExpectViolation.
	Expect string `json:"expect,omitempty"`
}

// The expectations a test may state of a check (Result.Expect).
const (
	ExpectValid     = "valid"     // the history passes the check
	ExpectViolation = "violation" // the check finds what it looks for
)

// ParseExpect accepts "valid" and "violation".
func ParseExpect(s string) (string, error) {
	switch s {
	case ExpectValid, ExpectViolation:
		return s, nil
	}
	return "", fmt.Errorf("expect must be %q or %q, not %q", ExpectValid, ExpectViolation, s)
}

// AsExpected reports whether the check came out as the test expected: a
// violation found when it expected one, else a valid history (also when it
// said nothing). An unknown verdict is never as expected.
func (r Result) AsExpected() bool {
	if r.Expect == ExpectViolation {
		return !r.OK && !r.Unknown
	}
	return r.OK
}

// Verdict is how reports show a check's result: Status is PASS when it
// came out as expected, FAIL when not, UNKNOWN when it could not decide;
// Words, when the test expected a violation, says so in words ("found 3
// lost adds, as expected", "expected a violation, found none").
type Verdict struct {
	Status string `json:"status"`
	Words  string `json:"words,omitempty"`
}

// Verdict returns the result's verdict for reports.
func (r Result) Verdict() Verdict {
	v := Verdict{Status: "FAIL"}
	switch {
	case r.Unknown:
		v.Status = "UNKNOWN"
	case r.AsExpected():
		v.Status = "PASS"
	}
	if r.Expect != ExpectViolation {
		return v
	}
	found := r.Found
	if found == "" {
		found = "a violation"
	}
	switch {
	case r.Unknown:
		v.Words = "expected a violation, could not decide"
	case r.OK:
		v.Words = "expected a violation, found none"
	default:
		v.Words = "found " + found + ", as expected"
	}
	return v
}

// MarshalJSON writes the result with its verdict (field "verdict"), so that
// readers of report.json (report.html) show what Verdict says.
func (r Result) MarshalJSON() ([]byte, error) {
	type fields Result // without this method
	return json.Marshal(struct {
		fields
		Verdict Verdict `json:"verdict"`
	}{fields(r), r.Verdict()})
}
