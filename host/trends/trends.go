// Package trends answers questions about many sessions at once from what a
// results store holds (host/resultstore): which tests are flaky, when a test
// first failed, how its run time and data values moved, and which values
// moved beyond their own noise. Everything here is a pure function of rows
// a store query returns, so it is tested without a database; the direction
// of "better" for a value is the one `ducktape compare` takes
// (host/compare).
package trends

import (
	"cmp"
	"slices"
	"strings"

	"github.com/ducktape-go/ducktape/host/compare"
)

// Session is one stored session, as the analyses see it.
type Session struct {
	// Key identifies the session in the store; session ids alone are not
	// unique (they count per day and per results root).
	Key       int64   `json:"-"`
	ID        string  `json:"session_id"`
	StartTime float64 `json:"start_time"` // Unix seconds
	Driver    string  `json:"driver,omitempty"`
	Version   string  `json:"ducktape_version,omitempty"`
	// Dir is the session's results directory where it was imported from.
	Dir        string `json:"dir"`
	NumResults int    `json:"num_results"`
	NumFailed  int    `json:"num_failed"`
}

// Run is one result of a test in a session (a test has several in a
// session run with --repeat).
type Run struct {
	Session    int64   `json:"-"` // Session.Key
	TestID     string  `json:"test_id"`
	Status     string  `json:"status"`
	RunTime    float64 `json:"run_time_seconds"`
	Summary    string  `json:"summary,omitempty"` // the end of its summary (a backtrace ends with its error)
	ResultsDir string  `json:"results_dir,omitempty"`
}

// Gist is the last line of the run's summary: the error of a failure.
func (r Run) Gist() string {
	s := strings.TrimRight(r.Summary, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// Point is one numeric value of a result's data (series summaries
// included), flattened to a dotted key as `ducktape compare` does, with the
// direction of "better" for it in that result.
type Point struct {
	Session int64
	TestID  string
	Key     string
	Value   float64
	Better  compare.Direction
}

// Outcome is what a test did in one session: its results' statuses
// folded into one.
type Outcome string

const (
	OutcomePass  Outcome = "pass"
	OutcomeFail  Outcome = "fail"
	OutcomeFlaky Outcome = "flaky" // FLAKY (passed on a retry), or passed and failed in the same session
	OutcomeNone  Outcome = ""      // did not run (absent, or IGNORE only)
)

// outcomeOf folds a session's statuses of one test: PASS and OPASS pass,
// FAIL and OFAIL (a known failure is still a failure) fail, FLAKY or both
// is flaky, IGNORE says nothing.
func outcomeOf(statuses []string) Outcome {
	var passed, failed, flaky bool
	for _, s := range statuses {
		switch s {
		case "PASS", "OPASS":
			passed = true
		case "FAIL", "OFAIL":
			failed = true
		case "FLAKY":
			flaky = true
		}
	}
	switch {
	case flaky || passed && failed:
		return OutcomeFlaky
	case failed:
		return OutcomeFail
	case passed:
		return OutcomePass
	}
	return OutcomeNone
}

// window orders sessions oldest first (by start time, then id) and maps
// each key to its index.
func window(sessions []Session) ([]Session, map[int64]int) {
	sorted := slices.Clone(sessions)
	slices.SortStableFunc(sorted, func(a, b Session) int {
		return cmp.Or(cmp.Compare(a.StartTime, b.StartTime), cmp.Compare(a.ID, b.ID))
	})
	index := make(map[int64]int, len(sorted))
	for i, s := range sorted {
		index[s.Key] = i
	}
	return sorted, index
}

// byTest groups runs by test id and session index (runs of sessions not in
// index are left out); tests are returned in id order.
func byTest(runs []Run, index map[int64]int, n int) (ids []string, grouped map[string][][]Run) {
	grouped = map[string][][]Run{}
	for _, r := range runs {
		i, ok := index[r.Session]
		if !ok {
			continue
		}
		g := grouped[r.TestID]
		if g == nil {
			g = make([][]Run, n)
			grouped[r.TestID] = g
			ids = append(ids, r.TestID)
		}
		g[i] = append(g[i], r)
	}
	slices.Sort(ids)
	return ids, grouped
}

// outcomes folds each session's runs of a test.
func outcomes(perSession [][]Run) []Outcome {
	out := make([]Outcome, len(perSession))
	for i, runs := range perSession {
		statuses := make([]string, len(runs))
		for j, r := range runs {
			statuses[j] = r.Status
		}
		out[i] = outcomeOf(statuses)
	}
	return out
}

// median returns the median of xs (sorted in place); NaN-free input.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
