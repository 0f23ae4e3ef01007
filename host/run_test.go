package host_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// runWith runs the tests of files (name -> source) on cl with the runner
// configured by configure, and returns the report and the session directory.
func runWith(t *testing.T, cl *cluster.Cluster, files map[string]string, configure func(*host.Runner)) (*host.Report, string) {
	t.Helper()
	return hosttest.Run(t, cl, []string{hosttest.WriteTree(t, files)}, hosttest.Options{Configure: configure})
}

func TestTimeoutCancelsTheTestAndItsCommands(t *testing.T) {
	cl := hosttest.LocalCluster(t, 2)
	before := runtime.NumGoroutine()
	rep, _ := runWith(t, cl, map[string]string{"test_t.star": `
def test_hangs_remotely(ctx):
    ctx.cluster[0].account.ssh("sleep 31")
timeout(test_hangs_remotely, "300ms")
cluster(test_hangs_remotely, num_nodes = 1)

def test_loops_forever(ctx):
    n = 0
    while True:
        n += 1
cluster(test_loops_forever, num_nodes = 1)

def teardown(ctx):
    ctx.logger.info("teardown still runs")
`}, func(r *host.Runner) { r.TestTimeout = 400 * time.Millisecond; r.MaxParallel = 2 })

	hang := hosttest.Result(t, rep, "test_hangs_remotely")
	for _, want := range []string{"timed out after 300ms", "test_t.star:3:31: in test_hangs_remotely"} {
		if hang.TestStatus != host.StatusFail || !strings.Contains(hang.Summary, want) {
			t.Errorf("remote hang: %s %q lacks %q", hang.TestStatus, hang.Summary, want)
		}
	}
	if hang.RunTimeSeconds > 5 {
		t.Errorf("the timed-out test took %.1f s", hang.RunTimeSeconds)
	}
	loop := hosttest.Result(t, rep, "test_loops_forever")
	if !strings.Contains(loop.Summary, "timed out after 400ms") || !strings.Contains(loop.Summary, "in test_loops_forever") {
		t.Errorf("--test-timeout on a Starlark loop: %q", loop.Summary)
	}
	// No remote process and no goroutine is left behind.
	for _, n := range cl.Nodes() {
		if pids, _ := n.Account.Pids(context.Background(), "sleep 31"); len(pids) > 0 {
			t.Errorf("%s still runs sleep 31: %v", n.Name, pids)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		t.Errorf("%d goroutines before the run, %d after", before, n)
	}
}

func TestDeflakeRepeatAndExitFirst(t *testing.T) {
	cl := hosttest.LocalCluster(t, 1)
	marker := filepath.Join(t.TempDir(), "attempted")
	flaky := `
def test_flaky(ctx):
    # Fails the first time, passes after.
    if ctx.cluster[0].account.ssh("test -e ` + marker + `", allow_fail = True) != 0:
        ctx.cluster[0].account.ssh("touch ` + marker + `")
        fail("first attempt fails")

def test_broken(ctx):
    fail("always")
`
	rep, dir := runWith(t, cl, map[string]string{"test_d.star": flaky}, func(r *host.Runner) { r.Deflake = 3 })
	f := hosttest.Result(t, rep, "test_flaky")
	if f.TestStatus != host.StatusFlaky || !strings.Contains(f.Summary, "passed on attempt 2 of 3") || !strings.Contains(f.Summary, "attempt 1 (") ||
		!strings.Contains(f.Summary, "): Error in fail: fail: first attempt fails (at ") || !strings.Contains(f.Summary, "/test_d.star:6:13: in test_flaky)") {
		t.Errorf("flaky: %s %q", f.TestStatus, f.Summary)
	}
	if !strings.HasSuffix(f.ResultsDir, "test_flaky/2") || !strings.HasSuffix(f.TestID, "::test_flaky") {
		t.Errorf("flaky id %s dir %s", f.TestID, f.ResultsDir)
	}
	if _, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(f.ResultsDir, "2"), "1", "test_log.info")); err != nil {
		t.Errorf("the failed attempt's logs are kept: %v", err)
	}
	b := hosttest.Result(t, rep, "test_broken")
	if b.TestStatus != host.StatusFail || !strings.Contains(b.Summary, "failed all 3 attempts") || strings.Count(b.Summary, "): Error in fail: fail: always (at ") != 2 || strings.Count(b.Summary, "/test_d.star:9:9: in test_broken)") != 2 {
		t.Errorf("broken: %s %q", b.TestStatus, b.Summary)
	}
	if rep.NumFlaky != 1 || rep.NumFailed != 1 || len(rep.Results) != 2 {
		t.Errorf("counts: flaky %d failed %d results %d", rep.NumFlaky, rep.NumFailed, len(rep.Results))
	}

	rep, _ = runWith(t, cl, map[string]string{"test_r.star": "def test_a(ctx): pass\n"}, func(r *host.Runner) { r.Repeat = 3 })
	var dirs []string
	for _, r := range rep.Results {
		dirs = append(dirs, filepath.Base(r.ResultsDir))
	}
	if strings.Join(dirs, " ") != "1 2 3" {
		t.Errorf("--repeat 3 directories: %v", dirs)
	}

	rep, _ = runWith(t, cl, map[string]string{"test_x.star": "def test_a(ctx): fail(1)\ndef test_b(ctx): fail(2)\n"}, func(r *host.Runner) { r.ExitFirst = true })
	if len(rep.Results) != 1 {
		t.Errorf("--exit-first ran %d tests", len(rep.Results))
	}
}

func TestClusterRequests(t *testing.T) {
	cl := hosttest.LocalCluster(t, 2)
	src := `
def test_too_big(ctx): pass
cluster(test_too_big, num_nodes = 3)

def test_typed(ctx): pass
cluster(test_typed, nodes = [node_spec(node_type = "large")])

def test_greedy(ctx):
    assert.eq(len(ctx.cluster), 2)

def test_one(ctx):
    assert.eq(len(ctx.cluster), 1)
cluster(test_one, num_nodes = 1)

def test_ignored(ctx): pass
ignore(test_ignored)
`
	rep, _ := runWith(t, cl, map[string]string{"test_c.star": src}, nil)
	if r := hosttest.Result(t, rep, "test_too_big"); r.TestStatus != host.StatusFail || !strings.Contains(r.Summary, "the test needs 3 nodes but the cluster has only 2") {
		t.Errorf("never fits: %s %q", r.TestStatus, r.Summary)
	}
	if r := hosttest.Result(t, rep, "test_typed"); !strings.Contains(r.Summary, "cannot satisfy 1×node_type=large (it has 2×os=linux)") {
		t.Errorf("typed never fits: %q", r.Summary)
	}
	for _, name := range []string{"test_greedy", "test_one"} {
		if r := hosttest.Result(t, rep, name); r.TestStatus != host.StatusPass {
			t.Errorf("%s: %s %q", name, r.TestStatus, r.Summary)
		}
	}
	if r := hosttest.Result(t, rep, "test_ignored"); r.TestStatus != host.StatusIgnore {
		t.Errorf("ignored: %s", r.TestStatus)
	}
	rep, _ = runWith(t, cl, map[string]string{"test_c.star": src}, func(r *host.Runner) { r.FailGreedyTests = true })
	if r := hosttest.Result(t, rep, "test_greedy"); r.TestStatus != host.StatusFail || !strings.Contains(r.Summary, "--fail-greedy-tests") {
		t.Errorf("--fail-greedy-tests: %s %q", r.TestStatus, r.Summary)
	}
}

func TestParallelTestsOverlap(t *testing.T) {
	cl := hosttest.LocalCluster(t, 4)
	rep, _ := runWith(t, cl, map[string]string{"test_p.star": `
def _sleeper(ctx):
    ctx.cluster[0].account.ssh("sleep 0.5")
    return ctx.cluster[0].name
test_a = _sleeper
test_b = _sleeper
test_c = _sleeper
test_d = _sleeper
cluster(_sleeper, num_nodes = 1)
`}, func(r *host.Runner) { r.MaxParallel = 4 })
	if rep.NumPassed != 4 {
		t.Fatalf("passed %d: %+v", rep.NumPassed, rep.Results)
	}
	nodes := map[string]bool{}
	for _, r := range rep.Results {
		nodes[string(r.Data)] = true
	}
	if len(nodes) != 4 {
		t.Errorf("tests ran on nodes %v; running tests must not share nodes", nodes)
	}
	// They overlapped: the last to start started before the first to end
	// ended (their own times, so machine load cannot falsify it).
	lastStart, firstStop := rep.Results[0].StartTime, rep.Results[0].StopTime
	for _, r := range rep.Results {
		lastStart, firstStop = max(lastStart, r.StartTime), min(firstStop, r.StopTime)
	}
	if lastStart >= firstStop {
		t.Errorf("4 tests with --max-parallel 4 ran one after another: the last started %.3f s after the first ended", lastStart-firstStop)
	}
}

func TestRunnerTimeoutEndsAHungRun(t *testing.T) {
	cl := hosttest.LocalCluster(t, 2)
	start := time.Now()
	rep, dir := runWith(t, cl, map[string]string{"test_h.star": `
def test_hangs(ctx):
    ctx.cluster[0].account.ssh("sleep 33")
cluster(test_hangs, num_nodes = 2)

def test_never_starts(ctx):
    pass
cluster(test_never_starts, num_nodes = 1)
`}, func(r *host.Runner) { r.RunnerTimeout = 300 * time.Millisecond })
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the run took %s", took)
	}
	if len(rep.Results) != 2 || rep.NumFailed != 2 {
		t.Fatalf("%d results, %d failed; the test that never started must be reported as FAIL", len(rep.Results), rep.NumFailed)
	}
	notRun := hosttest.Result(t, rep, "test_never_starts")
	if notRun.TestStatus != host.StatusFail || notRun.Summary != "Test not run: "+host.ErrRunnerTimeout.Error() {
		t.Errorf("never started: %s %q", notRun.TestStatus, notRun.Summary)
	}
	if _, err := os.Stat(filepath.Join(dir, notRun.ResultsDir, "report.json")); err != nil {
		t.Errorf("a test not run has its results directory: %v", err)
	}
	junit, _ := os.ReadFile(filepath.Join(dir, "report.xml"))
	if !strings.Contains(string(junit), `name="test_never_starts"`) || !strings.Contains(string(junit), "Test not run") {
		t.Errorf("report.xml lacks the test not run:\n%s", junit)
	}
	r := hosttest.Result(t, rep, "test_hangs")
	if r.TestStatus != host.StatusFail || !strings.Contains(r.Summary, "the test runner timed out") || !strings.Contains(r.Summary, "in test_hangs") {
		t.Errorf("hung test: %s %q", r.TestStatus, r.Summary)
	}
}

func TestFailBadClusterUtilization(t *testing.T) {
	cl := hosttest.LocalCluster(t, 2)
	src := `
load("@ducktape//std/process.star", "process_service")
sleeper = process_service(name = "sleeper", cmd = "exec sleep 34")

def test_uses_one_of_two(ctx):
    sleeper(ctx, num_nodes = 1).start()
cluster(test_uses_one_of_two, num_nodes = 2)

def test_uses_both(ctx):
    sleeper(ctx, num_nodes = 2).start()
cluster(test_uses_both, num_nodes = 2)
`
	rep, _ := runWith(t, cl, map[string]string{"test_u.star": src}, func(r *host.Runner) { r.FailBadClusterUtilization = true })
	if r := hosttest.Result(t, rep, "test_uses_one_of_two"); r.TestStatus != host.StatusFail || !strings.Contains(r.Summary, "given 2 nodes but its services used at most 1") {
		t.Errorf("underused: %s %q", r.TestStatus, r.Summary)
	}
	if r := hosttest.Result(t, rep, "test_uses_both"); r.TestStatus != host.StatusPass {
		t.Errorf("fully used: %s %q", r.TestStatus, r.Summary)
	}
}

func TestCasesWhoseParametersEscapeAlikeGetTheirOwnDirectories(t *testing.T) {
	rep, _ := runWith(t, hosttest.LocalCluster(t, 1), map[string]string{"test_p.star": `
def test_p(ctx, a): pass
parametrize(test_p, a = "x y")
parametrize(test_p, a = "xy")
`}, nil)
	var dirs []string
	for _, r := range rep.Results {
		dirs = append(dirs, r.ResultsDir[strings.Index(r.ResultsDir, "test_p/"):])
	}
	if strings.Join(dirs, " ") != "test_p/a=xy/1 test_p/a=xy/2" {
		t.Errorf("directories: %v", dirs)
	}
}

func TestIdsPrintAmpersandsAsTyped(t *testing.T) {
	rep, dir := runWith(t, hosttest.LocalCluster(t, 1), map[string]string{"test_q.star": `
def test_q(ctx, q): return {"q": q}
parametrize(test_q, q = "a&b<c>")
`}, nil)
	id := rep.Results[0].TestID
	if !strings.HasSuffix(id, `::test_q@{"q":"a&b<c>"}`) {
		t.Errorf("id %s", id)
	}
	for _, f := range []string{"report.json", "report.txt", filepath.Join(rep.Results[0].ResultsDir, "report.json")} {
		data, _ := os.ReadFile(filepath.Join(dir, f))
		if !strings.Contains(string(data), `a&b<c>`) || strings.Contains(string(data), `\u0026`) {
			t.Errorf("%s does not show the id as typed:\n%s", f, data)
		}
	}
	if !strings.HasSuffix(rep.Results[0].ResultsDir, "test_q/q=a.b.c/1") {
		t.Errorf("directory %s", rep.Results[0].ResultsDir)
	}
}

func TestNestedResultDirsAndIgnoreNodeType(t *testing.T) {
	cl := hosttest.LocalCluster(t, 1)
	files := map[string]string{"test_n.star": `
def test_n(ctx, b, a): pass
parametrize(test_n, b = "x y", a = 1)
cluster(test_n, nodes = [node_spec(node_type = "large")])
`}
	rep, _ := runWith(t, cl, files, nil)
	if r := rep.Results[0]; r.TestStatus != host.StatusFail || !strings.Contains(r.Summary, "cannot run on this cluster") {
		t.Fatalf("a typed request on untyped nodes: %s %q", r.TestStatus, r.Summary)
	}
	rep, _ = runWith(t, cl, files, func(r *host.Runner) { r.NestedResultDirs, r.IgnoreNodeType = true, true })
	r := rep.Results[0]
	if r.TestStatus != host.StatusPass || !strings.HasSuffix(r.ResultsDir, "test_n/a=1/b=xy/1") {
		t.Errorf("--ignore-node-type --nested-result-dirs: %s %q in %s", r.TestStatus, r.Summary, r.ResultsDir)
	}
}
