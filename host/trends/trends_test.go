package trends

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/compare"
)

// sessions makes n sessions, keys 1..n, started a day apart but listed
// newest first (as a store query returns them).
func sessions(n int) []Session {
	var out []Session
	for i := n; i >= 1; i-- {
		out = append(out, Session{Key: int64(i * 10), ID: fmt.Sprintf("s%d", i), StartTime: float64(i * 86400)})
	}
	return out
}

// runsOf gives test id one run per session from a strip of statuses: P
// PASS, F FAIL, K FLAKY, I IGNORE, O OFAIL, '.' none; "PF" in brackets is
// two runs (--repeat) in one session.
func runsOf(id, strip string) []Run {
	var out []Run
	session := 0
	for i := 0; i < len(strip); i++ {
		var group string
		if strip[i] == '[' {
			end := strings.IndexByte(strip[i:], ']')
			group, i = strip[i+1:i+end], i+end
		} else {
			group = strip[i : i+1]
		}
		session++
		for _, c := range group {
			status := map[rune]string{'P': "PASS", 'F': "FAIL", 'K': "FLAKY", 'I': "IGNORE", 'O': "OFAIL"}[c]
			if status != "" {
				out = append(out, Run{Session: int64(session * 10), TestID: id, Status: status, RunTime: float64(session)})
			}
		}
	}
	return out
}

func TestFlaky(t *testing.T) {
	var runs []Run
	for id, strip := range map[string]string{
		"flaky":    "PFPPFPF",
		"broke":    "PPPPFFF",
		"fixed":    "FFPPPPP",
		"stable":   "PPPPPPP",
		"failing":  "FFFFFFF",
		"retried":  "PPPKPPP", // passed on a retry once: flaky
		"repeated": "PP[PF]PPPP",
		"sparse":   ".P.F.P.",
		"ignored":  "IIIIIII",
		"known":    "PPOPPPP", // OFAIL is a failure too
		"old":      "FPFPFPFP",
	} {
		runs = append(runs, runsOf(id, strip)...)
	}
	rep := Flaky(sessions(7), runs) // session 8 (of "old") is outside
	var got []string
	for _, f := range rep.Flaky {
		got = append(got, fmt.Sprintf("%s %d/%d/%d %.2f %d", f.TestID, f.Pass, f.Fail, f.Flaky, f.Rate, f.Changes))
	}
	want := []string{
		"flaky 4/3/0 0.43 5", "old 3/4/0 0.57 6", "sparse 2/1/0 0.33 2", "known 6/1/0 0.14 2",
		"repeated 6/0/1 0.14 2", "retried 6/0/1 0.14 2",
	}
	// Worst first: by rate, then changes, then id.
	want = []string{want[1], want[0], want[2], want[3], want[4], want[5]}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("flaky:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(rep.Sessions) != 7 || rep.Sessions[0].ID != "s1" || rep.Sessions[6].ID != "s7" {
		t.Errorf("window %+v, want s1..s7 oldest first", rep.Sessions)
	}
	if o := rep.Flaky[1].Outcomes; o[0] != OutcomePass || o[1] != OutcomeFail || len(o) != 7 {
		t.Errorf("outcomes of flaky: %v", o)
	}
	if o := rep.Flaky[2].Outcomes; o[0] != OutcomeNone {
		t.Errorf("outcomes of sparse: %v", o)
	}
	steps := fmt.Sprint(rep.Steps)
	if steps != "[{broke true s5} {fixed false s3}]" {
		t.Errorf("steps %s", steps)
	}
}

func TestJudge(t *testing.T) {
	noisy := []float64{100, 104, 97, 102, 99, 103, 98}
	for _, tc := range []struct {
		name    string
		values  []float64
		better  compare.Direction
		verdict string
		since   int
	}{
		{"within its noise", append(noisy, 106), compare.LowerIsBetter, "", 7},
		{"a step", append(noisy, 130), compare.LowerIsBetter, Regressed, 7},
		{"a step the right way", append(noisy, 70), compare.LowerIsBetter, Improved, 7},
		{"higher is better", append(noisy, 70), compare.HigherIsBetter, Regressed, 7},
		{"neutral keys are never judged", append(noisy, 1000), compare.Neutral, "", 7},
		// One wild night in the baseline inflates a standard deviation (to
		// about 150) but not the MAD: the step after it still stands out.
		{"a wild night in the baseline", []float64{100, 104, 97, 500, 102, 99, 103, 130}, compare.LowerIsBetter, Regressed, 7},
		// The step began three sessions ago; it is still judged against
		// the nights before (the median resists three of nine).
		{"a step that stays", []float64{100, 104, 97, 102, 99, 103, 131, 128, 130}, compare.LowerIsBetter, Regressed, 6},
		// A baseline without noise: a 4% wobble is under the 5% floor, 6% is not.
		{"flat baseline, small wobble", []float64{10, 10, 10, 10.4}, compare.LowerIsBetter, "", 3},
		{"flat baseline, a real move", []float64{10, 10, 10, 10.6}, compare.LowerIsBetter, Regressed, 3},
		{"too few earlier values", []float64{10, 10, 50}, compare.LowerIsBetter, "", 2},
		{"from zero", []float64{0, 0, 0, 1}, compare.LowerIsBetter, Regressed, 3},
	} {
		j := Judge(tc.values, tc.better, Options{})
		if j.Verdict != tc.verdict || j.Since != tc.since {
			t.Errorf("%s: verdict %q since %d, want %q since %d (%+v)", tc.name, j.Verdict, j.Since, tc.verdict, tc.since, j)
		}
	}
	j := Judge(append(noisy, 130), compare.LowerIsBetter, Options{})
	if j.Median != 100 || j.MAD != 2 || math.Abs(j.Band-3*1.4826*2) > 1e-9 || j.Baseline != 7 || math.Abs(*j.Change-0.3) > 1e-9 {
		t.Errorf("judgement %+v", j)
	}
	if j := Judge([]float64{0, 0, 0, 0}, compare.LowerIsBetter, Options{}); j.Change != nil || j.Verdict != "" {
		t.Errorf("all zero: %+v", j)
	}
	// A wider spread accepts the step.
	if j := Judge(append(noisy, 130), compare.LowerIsBetter, Options{Spread: 10, MinChange: 0.5}); j.Verdict != "" {
		t.Errorf("with a 50%% floor: %+v", j)
	}
	if j := Judge(nil, compare.LowerIsBetter, Options{}); j.Verdict != "" {
		t.Errorf("no values: %+v", j)
	}
}

// points gives one point per session (keys 10, 20...) of values.
func points(test, key string, better compare.Direction, values ...float64) []Point {
	var out []Point
	for i, v := range values {
		out = append(out, Point{Session: int64((i + 1) * 10), TestID: test, Key: key, Value: v, Better: better})
	}
	return out
}

func TestRegressions(t *testing.T) {
	var pts []Point
	pts = append(pts, points("a", "latency_ms.p99", compare.LowerIsBetter, 10, 11, 10, 9, 10, 10, 20)...)
	pts = append(pts, points("a", "ops_per_sec.mean", compare.HigherIsBetter, 1000, 1010, 990, 1000, 1005, 700, 690)...)
	pts = append(pts, points("b", "latency_ms.p99", compare.LowerIsBetter, 10, 11, 10, 9, 10, 10, 10.5)...)
	pts = append(pts, points("b", "count", compare.Neutral, 1, 2, 3, 4, 5, 6, 700)...)
	// A repeated test: the session's median is judged, not each value.
	pts = append(pts, points("c", "x_ms", compare.LowerIsBetter, 5, 5, 5, 5, 5, 5, 50)...)
	pts = append(pts, Point{Session: 70, TestID: "c", Key: "x_ms", Value: 5}, Point{Session: 70, TestID: "c", Key: "x_ms", Value: 5.1})
	// NaN and infinities are not values.
	pts = append(pts, Point{Session: 70, TestID: "b", Key: "latency_ms.p99", Value: math.Inf(1)})
	// The direction of the newest value's result wins (a threshold added).
	pts = append(pts, points("d", "score", compare.Neutral, 10, 10, 10, 10, 10, 10)...)
	pts = append(pts, Point{Session: 70, TestID: "d", Key: "score", Value: 5, Better: compare.HigherIsBetter})
	regs := Regressions(sessions(7), pts, Options{})
	var got []string
	for _, r := range regs {
		got = append(got, fmt.Sprintf("%s %s %s since %s", r.TestID, r.Key, r.Session, r.Since))
	}
	// Farthest beyond its band first: d's band is 0.5 (5 of 10), a's
	// throughput band 50 (moved 310), a's latency band 0.5 (moved 10).
	want := "a latency_ms.p99 s7 since s7\nd score s7 since s7\na ops_per_sec.mean s7 since s6"
	if strings.Join(got, "\n") != want {
		t.Errorf("regressions:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

func TestTestReport(t *testing.T) {
	runs := runsOf("t", "PP[PF]PFF.")
	runs = append(runs, runsOf("other", "FFFFFFF")...)
	pts := points("t", "latency_ms.p99", compare.LowerIsBetter, 10, 11, 10, 10, 30, 31)
	rep, found := Test("t", sessions(7), runs, pts, Options{})
	if !found {
		t.Fatal("not found")
	}
	if rep.FirstFailure != "s5" {
		t.Errorf("first failure %q, want s5 (session 3 was flaky, not failed)", rep.FirstFailure)
	}
	var outs []string
	for _, s := range rep.Sessions {
		outs = append(outs, string(s.Outcome)+"/"+strings.Join(s.Statuses, "+"))
	}
	if strings.Join(outs, " ") != "pass/PASS pass/PASS flaky/PASS+FAIL pass/PASS fail/FAIL fail/FAIL /" {
		t.Errorf("outcomes %v", outs)
	}
	if len(rep.RunTime.Points) != 6 || rep.RunTime.Points[5].Value != 6 || rep.RunTime.Points[5].SessionID != "s6" {
		t.Errorf("run time %+v", rep.RunTime)
	}
	if len(rep.Values) != 1 || rep.Values[0].Judgement.Verdict != Regressed || rep.Values[0].Points[5].Session != 5 {
		t.Errorf("values %+v", rep.Values)
	}
	if _, found := Test("missing", sessions(7), runs, pts, Options{}); found {
		t.Error("a missing test was found")
	}
	// A test that never passed before failing has no first failure.
	if rep, _ := Test("other", sessions(7), runs, nil, Options{}); rep.FirstFailure != "" {
		t.Errorf("first failure of an always-failing test: %q", rep.FirstFailure)
	}
}
