package trends

import "github.com/ducktape-go/ducktape/host/compare"

// TestReport is the answer of `ducktape trends test ID`: a test's
// outcomes session by session, the first session it failed in after a
// pass, and its run time and data values over the window.
type TestReport struct {
	TestID   string        `json:"test_id"`
	Sessions []TestSession `json:"sessions"` // every session of the window, oldest first
	// FirstFailure is the id of the first session of the window in which
	// the test failed after passing in the session it last ran in; "" when
	// there is none.
	FirstFailure string `json:"first_failure_session_id"`
	// RunTime is the test's run time (seconds) over the window.
	RunTime Series `json:"run_time"`
	// Values are its data values over the window, by key, each with the
	// judgement of its newest value.
	Values []ValueTrend `json:"values"`
}

// TestSession is the test in one session of the window.
type TestSession struct {
	Session  Session  `json:"session"`
	Outcome  Outcome  `json:"outcome"`  // "" when it did not run
	Statuses []string `json:"statuses"` // of each of its results in the session
	Runs     []Run    `json:"runs"`
}

// ValueTrend is one data value of the test over the window.
type ValueTrend struct {
	Series
	Judgement Judgement `json:"judgement"`
}

// Test reports on test id over the sessions. Found is false when the test
// has no run in them.
func Test(id string, sessions []Session, runs []Run, points []Point, opts Options) (rep TestReport, found bool) {
	win, index := window(sessions)
	rep = TestReport{TestID: id, Sessions: make([]TestSession, len(win)), Values: []ValueTrend{}}
	perSession := make([][]Run, len(win))
	for _, r := range runs {
		if i, ok := index[r.Session]; ok && r.TestID == id {
			perSession[i] = append(perSession[i], r)
			found = true
		}
	}
	outs := outcomes(perSession)
	rep.RunTime = Series{TestID: id, Key: "run_time_seconds", Better: compare.LowerIsBetter}
	var prev Outcome
	for i, s := range win {
		ts := TestSession{Session: s, Outcome: outs[i], Statuses: []string{}, Runs: perSession[i]}
		var times []float64
		for _, r := range perSession[i] {
			ts.Statuses = append(ts.Statuses, r.Status)
			if r.Status != "IGNORE" {
				times = append(times, r.RunTime)
			}
		}
		if ts.Runs == nil {
			ts.Runs = []Run{}
		}
		if len(times) > 0 {
			rep.RunTime.Points = append(rep.RunTime.Points, SeriesPoint{Session: i, SessionID: s.ID, Value: median(times)})
		}
		if outs[i] == OutcomeFail && prev == OutcomePass && rep.FirstFailure == "" {
			rep.FirstFailure = s.ID
		}
		if outs[i] != OutcomeNone {
			prev = outs[i]
		}
		rep.Sessions[i] = ts
	}
	var own []Point
	for _, p := range points {
		if p.TestID == id {
			own = append(own, p)
		}
	}
	for _, s := range seriesOf(win, index, own) {
		rep.Values = append(rep.Values, ValueTrend{Series: s, Judgement: Judge(s.Values(), s.Better, opts)})
	}
	return rep, found
}
