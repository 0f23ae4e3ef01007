package trends

import (
	"cmp"
	"slices"
)

// FlakyReport is the answer of `ducktape trends flaky`: over a window of
// sessions, the tests whose outcome kept changing, and those that changed
// once and stayed (a test that broke, or was fixed: a step, not
// flakiness).
type FlakyReport struct {
	Sessions []Session   `json:"sessions"` // the window, oldest first
	Flaky    []FlakyTest `json:"flaky"`    // worst first
	Steps    []Step      `json:"changed_once"`
}

// FlakyTest is one test's outcomes over the window. It is flaky when it
// was FLAKY in a session (passed on a retry, or passed and failed in one
// session), or its outcome changed at least twice from one session it ran
// in to the next.
type FlakyTest struct {
	TestID string `json:"test_id"`
	Runs   int    `json:"runs"` // sessions of the window it ran in
	Pass   int    `json:"pass"`
	Fail   int    `json:"fail"`
	Flaky  int    `json:"flaky"`
	// Rate is the share of its runs that did not simply pass:
	// (fail + flaky) / runs.
	Rate float64 `json:"rate"`
	// Changes counts the changes of outcome from one run to its next.
	Changes int `json:"changes"`
	// Outcomes are its outcomes in each session of the window ("" where it
	// did not run), oldest first.
	Outcomes []Outcome `json:"outcomes"`
}

// Step is a test whose outcome changed exactly once in the window and
// stayed: it broke (pass to fail) or was fixed (fail to pass).
type Step struct {
	TestID string `json:"test_id"`
	Broke  bool   `json:"broke"` // false: fixed
	// Session is the first session with the new outcome.
	Session string `json:"session_id"`
}

// Flaky finds the flaky tests among runs of sessions (runs of other
// sessions are ignored): worst first, by rate, then by changes, then by
// id.
func Flaky(sessions []Session, runs []Run) FlakyReport {
	win, index := window(sessions)
	rep := FlakyReport{Sessions: win, Flaky: []FlakyTest{}, Steps: []Step{}}
	ids, grouped := byTest(runs, index, len(win))
	for _, id := range ids {
		outs := outcomes(grouped[id])
		t := FlakyTest{TestID: id, Outcomes: outs}
		var prev Outcome
		changedAt := -1
		for i, o := range outs {
			switch o {
			case OutcomeNone:
				continue
			case OutcomePass:
				t.Pass++
			case OutcomeFail:
				t.Fail++
			case OutcomeFlaky:
				t.Flaky++
			}
			t.Runs++
			if prev != OutcomeNone && o != prev {
				t.Changes++
				changedAt = i
			}
			prev = o
		}
		switch {
		case t.Flaky > 0 || t.Changes >= 2:
			t.Rate = float64(t.Fail+t.Flaky) / float64(t.Runs)
			rep.Flaky = append(rep.Flaky, t)
		case t.Changes == 1:
			rep.Steps = append(rep.Steps, Step{TestID: id, Broke: prev == OutcomeFail, Session: win[changedAt].ID})
		}
	}
	slices.SortStableFunc(rep.Flaky, func(a, b FlakyTest) int {
		return cmp.Or(cmp.Compare(b.Rate, a.Rate), cmp.Compare(b.Changes, a.Changes), cmp.Compare(a.TestID, b.TestID))
	})
	return rep
}
