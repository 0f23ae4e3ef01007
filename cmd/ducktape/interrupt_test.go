package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

func TestCtrlCTearsDownAndReports(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	dir := t.TempDir()
	marker := "sleep 37.5"
	hosttest.WriteFile(t, dir, "tests/test_i.star", `
def test_first(ctx):
    ctx.cluster[0].account.ssh("`+marker+`")

def test_second(ctx):
    pass

def teardown(ctx):
    ctx.logger.info("teardown ran after the interrupt")
`)
	results := filepath.Join(dir, "results")
	cmd := exec.Command(bin, "--results-root", results, "--local-nodes", "2", filepath.Join(dir, "tests"))
	// Wait until the remote command runs, then press Ctrl-C once.
	out := hosttest.StartUntil(t, cmd, marker, 10*time.Second)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the run took %s to end after Ctrl-C", took)
	}
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != exitTestFailed {
		t.Errorf("exit: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"interrupted (Ctrl-C): the run was stopped", "1 tests did not run"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if hosttest.ProcessRunning(marker) {
		t.Errorf("%q still runs after the interrupt", marker)
	}
	data, err := os.ReadFile(filepath.Join(results, "latest", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		NumFailed int `json:"num_failed"`
		Results   []struct {
			TestID  string `json:"test_id"`
			Summary string `json:"summary"`
			Dir     string `json:"relative_results_dir"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	if report.NumFailed != 2 || len(report.Results) != 2 || !strings.Contains(report.Results[0].Summary, "test_i.star:3") ||
		!strings.HasSuffix(report.Results[1].TestID, "::test_second") || report.Results[1].Summary != "Test not run: interrupted (Ctrl-C): the run was stopped" {
		t.Errorf("report.json: the interrupted test, then the one never started as FAIL \"Test not run\": %+v", report)
	}
	if junit, _ := os.ReadFile(filepath.Join(results, "latest", "report.xml")); !strings.Contains(string(junit), `name="test_second"`) {
		t.Errorf("report.xml lacks the test not run:\n%s", junit)
	}
	for _, f := range []string{"report.html", "report.xml", "report.txt"} {
		if _, err := os.Stat(filepath.Join(results, "latest", f)); err != nil {
			t.Errorf("after the interrupt: %v", err)
		}
	}
	log, _ := os.ReadFile(filepath.Join(results, "latest", report.Results[0].Dir, "test_log.info"))
	if !strings.Contains(string(log), "teardown ran after the interrupt") {
		t.Errorf("teardown did not run:\n%s", log)
	}
}
