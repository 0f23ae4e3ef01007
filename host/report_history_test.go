package host

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/chromiumtest"
	"github.com/ducktape-go/ducktape/services/faults"
)

// historyReport writes a session report with one test that has a history,
// five checks (two with an expectation) and two faults, and one test
// without.
func historyReport(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	start := time.Date(2026, 12, 1, 20, 0, 0, 0, time.Local)
	at := func(sec float64) float64 { return unixSeconds(start) + sec }
	healed := at(3.5)
	r := NewReport("0.1.0", "2026-12-01--001", dir, start)
	for _, res := range []*Result{
		{TestID: "suite/test_h.star::test_register", ModuleName: "suite/test_h.star", FunctionName: "test_register",
			TestStatus: StatusFail, Summary: "assertion failed", StartTime: at(0), StopTime: at(6), RunTimeSeconds: 6,
			Nodes: []string{"local1"}, ResultsDir: "suite/test_h.star/test_register/1",
			Checks: []check.Result{
				{Name: "linearizable", Model: "register", Summary: "not linearizable (3 operations): <b>stale</b>", Visualization: "linearizable-register.html"},
				{Name: "set", OK: true, Summary: "ok: the final read has all 2 acknowledged adds"},
				{Name: "linearizable", Model: "kv", Unknown: true, Summary: "unknown: the search did not finish", Visualization: "linearizable-kv.html"},
				{Name: "set", Summary: "lost 3 of 4 acknowledged adds: 653, 1000, 1003", Found: "3 lost adds", Expect: check.ExpectViolation},
				{Name: "counter", OK: true, Summary: "ok: all 2 reads within the bounds of 2 adds", Expect: check.ExpectViolation},
			},
			History: &HistorySummary{StartTime: at(0.5), Events: 24, BucketSeconds: 1,
				OK: []int{3, 4, 0, 1, 2}, Fail: []int{0, 1, 0, 0, 0}, Info: []int{0, 0, 0, 2, 0}},
			Faults: []faults.Record{
				{ID: 1, Kind: "pause", Nodes: []string{"local1"}, InjectTime: at(2), HealTime: &healed},
				{ID: 2, Kind: "kill", Nodes: []string{"local1"}, InjectTime: at(4.5)},
			}},
		{TestID: "suite/test_h.star::test_plain", ModuleName: "suite/test_h.star", FunctionName: "test_plain",
			TestStatus: StatusPass, StartTime: at(0), StopTime: at(1), RunTimeSeconds: 1, Nodes: []string{"local2"}},
	} {
		if err := r.Add(res); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Finish(start.Add(7 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHistoriesRenderInChromium checks the Histories section headless
// Chromium builds: one block for the test with a history, its checks'
// verdicts with links to the visualizations, and its operations chart
// (ducktapeChart's bar mode) with a stacked bar per interval that had
// operations and the faults shaded.
func TestHistoriesRenderInChromium(t *testing.T) {
	dir := historyReport(t)
	dom := chromiumtest.DOM(t, filepath.Join(dir, "report.html"))
	count := func(re string) int { return len(regexp.MustCompile(re).FindAllString(dom, -1)) }
	if strings.Contains(dom, `<section id="histories" hidden`) {
		t.Fatal("the Histories section is hidden")
	}
	if n := count(`<div class="history-case"`); n != 1 {
		t.Errorf("%d history blocks, want 1 (the test without a history has none)", n)
	}
	for _, want := range []string{
		`<a href="#case-0">suite/test_h.star::test_register</a>`,
		`<tr class="check FAIL"><td><span class="badge FAIL">FAIL</span></td><td class="check-name">linearizable (register)</td>`,
		`<div class="check-summary">not linearizable (3 operations): &lt;b&gt;stale&lt;/b&gt;</div>`,
		`<tr class="check PASS"><td><span class="badge PASS">PASS</span></td><td class="check-name">set</td>`,
		`<span class="badge UNKNOWN">UNKNOWN</span>`,
		`<tr class="check PASS"><td><span class="badge PASS">found 3 lost adds, as expected</span></td><td class="check-name">set</td>`,
		`<tr class="check FAIL"><td><span class="badge FAIL">expected a violation, found none</span></td><td class="check-name">counter</td>`,
		`href="suite/test_h.star/test_register/1/linearizable-register.html"`,
		`href="suite/test_h.star/test_register/1/history.json"`,
		`<figure class="chart bars"><figcaption>operations per second by outcome</figcaption>`,
		`<title>pause #1 on local1: +1.5 s to +3 s</title>`,
		`<title>kill #2 on local1: +4 s</title>`,
		`<title>+3 s: 1 ok, 0 fail, 2 info</title>`,
		`<span class="swatch ok">ok 10</span>`, `<span class="swatch fail">fail 1</span>`, `<span class="swatch info">info 2</span>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	if n := count(`<g class="bucket">`); n != 4 {
		t.Errorf("%d bars, want 4 (one per interval with operations)", n)
	}
	if n := count(`<rect class="(ok|fail|info)"`); n != 6 {
		t.Errorf("%d bar segments, want 6", n)
	}
	if count(`<g class="window pause">`) != 1 || count(`<g class="window kill">`) != 1 {
		t.Error("the chart does not shade the pause and the kill")
	}
	if count(`<polyline`) != 0 || count(`class="overlay"`) != 0 {
		t.Error("the bars have a line or a hover overlay (which would hide the bars' tooltips)")
	}
}
