package host_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/history"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestHistoriesAndChecks runs testdata/test_history.star: a history that is
// not linearizable fails its test with a summary naming the stale read
// (the file's expectation), and every test with a history gets
// history.json, also when it timed out, with the faults it injected; the
// checks' verdicts are in report.json with their visualizations.
func TestHistoriesAndChecks(t *testing.T) {
	rep, dir := hosttest.RunFile(t, hosttest.LocalCluster(t, 3), "testdata/test_history.star", hosttest.Options{})
	caseDir := func(name string) string { return filepath.Join(dir, hosttest.Result(t, rep, name).ResultsDir) }

	stale := hosttest.Result(t, rep, "test_stale_read")
	if len(stale.Checks) != 1 {
		t.Fatalf("test_stale_read checks: %+v", stale.Checks)
	}
	c := stale.Checks[0]
	if c.Name != "linearizable" || c.Model != "register" || c.OK || c.Visualization != "linearizable-register.html" {
		t.Errorf("test_stale_read check: %+v", c)
	}
	if _, err := os.Stat(filepath.Join(caseDir("test_stale_read"), c.Visualization)); err != nil {
		t.Errorf("the visualization: %v", err)
	}
	var saved struct {
		Checks []map[string]any `json:"checks"`
	}
	readJSON(t, filepath.Join(caseDir("test_stale_read"), "report.json"), &saved)
	if len(saved.Checks) != 1 || saved.Checks[0]["ok"] != false || saved.Checks[0]["model"] != "register" ||
		saved.Checks[0]["summary"] != c.Summary || saved.Checks[0]["visualization"] != "linearizable-register.html" {
		t.Errorf("report.json checks: %v", saved.Checks)
	}

	txt, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil || !strings.Contains(string(txt), "check:      linearizable (register) FAIL: not linearizable (3 operations)") ||
		!strings.Contains(string(txt), "check:      set PASS: ok: the final read") {
		t.Errorf("report.txt lacks the checks (%v):\n%s", err, txt)
	}

	if !strings.Contains(string(txt), "check:      set: found 3 lost adds, as expected: the final read (process 1 at 0.") ||
		!strings.Contains(string(txt), "lost 3 of 4 acknowledged adds: 653, 1000, 1003") {
		t.Errorf("report.txt lacks the expected violation, in numeric order:\n%s", txt)
	}
	if res := hosttest.Result(t, rep, "test_expected_violation"); res.TestStatus != "PASS" || len(res.Checks) != 1 || !res.Checks[0].AsExpected() {
		t.Errorf("test_expected_violation: %s, checks %+v", res.TestStatus, res.Checks)
	}

	withFaults := hosttest.Result(t, rep, "test_faults_in_history")
	if len(withFaults.Checks) != 2 || withFaults.Checks[0].Name != "set" || !withFaults.Checks[1].OK {
		t.Errorf("test_faults_in_history checks: %+v", withFaults.Checks)
	}
	var f history.File
	readJSON(t, filepath.Join(caseDir("test_faults_in_history"), "history.json"), &f)
	if len(f.Events) != 6 || len(f.Faults) != 1 {
		t.Fatalf("history.json: %d events, faults %+v", len(f.Events), f.Faults)
	}
	pause := f.Faults[0]
	if pause.Name != "pause" || len(pause.Targets) != 1 || pause.End == nil || *pause.End < pause.Start ||
		pause.Start < f.Events[1].Time || *pause.End > f.Events[4].Time {
		t.Errorf("the pause in history.json: %+v, events %+v", pause, f.Events)
	}
	if h := withFaults.History; h == nil || h.Events != 6 || h.BucketSeconds != 1 || sum(h.OK) != 2 || sum(h.Info) != 1 || sum(h.Fail) != 0 {
		t.Errorf("the history summary: %+v", withFaults.History)
	}

	readJSON(t, filepath.Join(caseDir("test_times_out"), "history.json"), &f)
	if len(f.Events) != 1 || f.Events[0].Type != history.Invoke {
		t.Errorf("the timed-out test's history.json: %+v", f.Events)
	}
	var workers history.File
	readJSON(t, filepath.Join(caseDir("test_workers_and_nemesis_record"), "history.json"), &workers)
	if len(workers.Faults) == 0 || workers.Faults[0].Name != "pause" {
		t.Errorf("the nemesis's pauses are not in history.json: %+v", workers.Faults)
	}
	if res := hosttest.Result(t, rep, "test_no_history"); res.History != nil || res.Checks != nil {
		t.Errorf("a test without a history: %+v, %+v", res.History, res.Checks)
	}
	if _, err := os.Stat(filepath.Join(caseDir("test_no_history"), "history.json")); !os.IsNotExist(err) {
		t.Errorf("a test without a history has history.json: %v", err)
	}
}

func sum(l []int) int {
	n := 0
	for _, x := range l {
		n += x
	}
	return n
}
