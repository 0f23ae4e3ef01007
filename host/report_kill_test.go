package host_test

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// killTests are the tests of TestSIGKILLMidRun, run one at a time: three
// cases pass, one fails, then test_slow sleeps (unless ctx.globals says
// fast) and the driver is killed; test_slow's two cases and test_after
// never finish.
const killTests = `
def test_pass(ctx, i):
    pass
matrix(test_pass, i = [1, 2, 3])

def test_fail(ctx):
    fail("the expected failure")

def test_slow(ctx, i):
    if not ctx.globals.get("fast"):
        ctx.cluster[0].account.ssh("sleep 30 # MARKER")
matrix(test_slow, i = [1, 2])

def test_after(ctx):
    pass
`

// TestSIGKILLMidRun kills the driver with SIGKILL while a test runs and
// checks what is left: report.json and report.xml parse, every finished
// case's directory is complete, and the session's rerun-failed.yml reruns
// exactly the failed and unfinished cases, in the next session, which
// latest then names.
func TestSIGKILLMidRun(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	marker := "ducktape-kill-" + strconv.Itoa(os.Getpid())
	dir := hosttest.WriteTree(t, map[string]string{"tests/test_k.star": strings.ReplaceAll(killTests, "MARKER", marker)})
	t.Cleanup(func() { killMarked(marker) })
	results := filepath.Join(dir, "results")
	cmd := exec.Command(bin, "--results-root", results, "--local-nodes", "1", "tests")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	session := filepath.Join(results, time.Now().Format("2006-01-02")+"--001")
	// Kill it once test_slow runs and the reports hold the four results
	// before it (report.xml is written after report.json).
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := os.Stat(filepath.Join(session, "tests/test_k.star/test_slow/i=1/1/test_log.info"))
		if tests, _ := junitTests(session); err == nil && tests == 4 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("test_slow never started after four reported results")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()

	rep := readSessionReport(t, session)
	if rep.NumPassed != 3 || rep.NumFailed != 1 {
		t.Errorf("the killed session's report.json counts %d passed, %d failed; want 3 and 1", rep.NumPassed, rep.NumFailed)
	}
	if tests, err := junitTests(session); err != nil || tests != 4 {
		t.Errorf("report.xml after SIGKILL: %d tests, error %v; want 4 tests that parse", tests, err)
	}
	for _, res := range rep.Results {
		caseDir := filepath.Join(session, res.ResultsDir)
		var own host.Result
		if data, err := os.ReadFile(filepath.Join(caseDir, "report.json")); err != nil || json.Unmarshal(data, &own) != nil || own.TestID != res.TestID {
			t.Errorf("%s: its report.json is not complete (%v)", res.TestID, err)
		}
		if info, err := os.Stat(filepath.Join(caseDir, "test_log.info")); err != nil || info.Size() == 0 {
			t.Errorf("%s: its test_log.info is missing or empty (%v)", res.TestID, err)
		}
	}

	// The rerun: one command, in the next session.
	rerun := exec.Command(bin, "--results-root", results, "--local-nodes", "1", "--globals", `{"fast": true}`, "results/latest/"+host.RerunFileName)
	rerun.Dir = dir
	out, err := rerun.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != 1 {
		t.Fatalf("the rerun: %v (want exit status 1: test_fail fails again)\n%s", err, out)
	}
	next := filepath.Join(results, time.Now().Format("2006-01-02")+"--002")
	if latest, err := os.Readlink(filepath.Join(results, "latest")); err != nil || latest != filepath.Base(next) {
		t.Errorf("latest -> %q (%v), want %s", latest, err, filepath.Base(next))
	}
	var ran []string
	for _, res := range readSessionReport(t, next).Results {
		ran = append(ran, strings.TrimPrefix(res.TestID, "tests/test_k.star::"))
	}
	slices.Sort(ran)
	if want := []string{"test_after", "test_fail", `test_slow@{"i":1}`, `test_slow@{"i":2}`}; !slices.Equal(ran, want) {
		t.Errorf("the rerun ran %q, want exactly the failed and unfinished cases %q", ran, want)
	}
}

// junitTests parses a session's report.xml and returns its test count.
func junitTests(session string) (int, error) {
	data, err := os.ReadFile(filepath.Join(session, "report.xml"))
	if err != nil {
		return 0, err
	}
	var junit struct {
		Tests int `xml:"tests,attr"`
	}
	err = xml.Unmarshal(data, &junit)
	return junit.Tests, err
}

// readSessionReport reads a session's report.json.
func readSessionReport(t *testing.T, session string) *host.Report {
	t.Helper()
	var rep host.Report
	data, err := os.ReadFile(filepath.Join(session, "report.json"))
	if err == nil {
		err = json.Unmarshal(data, &rep)
	}
	if err != nil {
		t.Fatalf("report.json: %v", err)
	}
	return &rep
}

// killMarked kills the processes whose command line holds marker (what a
// killed driver left running on its local node).
func killMarked(marker string) {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && strings.Contains(string(cmdline), marker) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
