package host_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

func newLoader() *host.Loader { return host.NewLoader(services.Std, starlib.Predeclared()) }

func discover(t *testing.T, symbols ...string) *host.Suite {
	t.Helper()
	suite, err := host.Discover(newLoader(), symbols, host.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return suite
}

func ids(suite *host.Suite, root string) []string {
	var out []string
	for _, c := range suite.Cases {
		out = append(out, strings.TrimPrefix(c.ID(), root+"/"))
	}
	return out
}

const twoTests = `
def setup(ctx): pass
def test_b(ctx): pass
def _test_private(ctx): pass
def helper(ctx): pass
def test_a(ctx): pass
not_a_test_function = 1
test_not_a_function = 2
`

func TestDiscoveryRules(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"test_one.star":            twoTests,
		"sub/two_test.star":        "def test_x(ctx): pass\n",
		"sub/helpers.star":         "def test_not_collected(ctx): pass\n",
		"sub/test_notes.txt":       "not starlark",
		".hidden/test_hidden.star": "def test_h(ctx): pass\n",
		"results/test_old.star":    "def test_r(ctx): pass\n",
	})
	suite, err := host.Discover(newLoader(), []string{root}, host.DiscoverOptions{SkipDirs: []string{filepath.Join(root, "results")}})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(suite, root)
	// Source order within a file; files in directory walk order.
	want := []string{"sub/two_test.star::test_x", "test_one.star::test_b", "test_one.star::test_a"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("discovered %q, want %q", got, want)
	}
	if s := suite.Cases[1].Test.Setup; s == nil || s.Name() != "setup" {
		t.Errorf("setup not found: %v", s)
	}
	if suite.Cases[1].Test.Teardown != nil {
		t.Errorf("teardown found where there is none")
	}

	// A file named explicitly is loaded whatever its name.
	got = ids(discover(t, filepath.Join(root, "sub/helpers.star")), root)
	if len(got) != 1 || got[0] != "sub/helpers.star::test_not_collected" {
		t.Errorf("explicit file: got %q", got)
	}
	// A symbol selects one test; a glob selects files.
	got = ids(discover(t, filepath.Join(root, "test_one.star")+"::test_a"), root)
	if len(got) != 1 || got[0] != "test_one.star::test_a" {
		t.Errorf("symbol: got %q", got)
	}
	got = ids(discover(t, filepath.Join(root, "*.star")), root)
	if len(got) != 2 {
		t.Errorf("glob: got %q", got)
	}
}

func TestDiscoveryUsageErrors(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{"test_one.star": twoTests})
	for symbol, want := range map[string]string{
		filepath.Join(root, "missing"):                        "missing: no such file or directory",
		filepath.Join(root, "test_one.star") + "::test_nope":  "test_one.star has no test named test_nope",
		filepath.Join(root, "test_one.star") + "::":           "no test name after ::",
		filepath.Join(root, "test_one.star") + "::test_a@{x":  "parameters after @ are not valid JSON",
		filepath.Join(root, "nothing-*.star"):                 "no file matches",
		"::test_a":                                            "no path before ::",
		filepath.Join(root, "test_one.star") + "::test_a@[1]": "must be a JSON object or a list of objects",
	} {
		_, err := host.Discover(newLoader(), []string{symbol}, host.DiscoverOptions{})
		var usage *host.UsageError
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", symbol, err, want)
		} else if !asUsage(err, &usage) {
			t.Errorf("%s: %T is not a usage error", symbol, err)
		}
	}
}

func asUsage(err error, target **host.UsageError) bool {
	u, ok := err.(*host.UsageError)
	*target = u
	return ok
}

func TestLoadErrors(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"test_syntax.star":  "def test_a(ctx):\n    pass\ndef broken(:\n",
		"test_missing.star": "load(\"lib/nope.star\", \"x\")\ndef test_a(ctx): pass\n",
		"test_cycle.star":   "load(\"cycle_a.star\", \"a\")\ndef test_a(ctx): pass\n",
		"cycle_a.star":      "load(\"cycle_b.star\", \"b\")\na = 1\n",
		"cycle_b.star":      "load(\"cycle_a.star\", \"a\")\nb = 2\n",
		"test_runtime.star": "def _f():\n    return 1 // 0\nx = _f()\ndef test_a(ctx): pass\n",
		"test_good.star":    "load(\"lib/util.star\", \"double\")\ndef test_ok(ctx):\n    assert.eq(double(2), 4)\n",
		"lib/util.star":     "load(\"@ducktape//std/util.star\", \"shell_quote\")\ndef double(x):\n    return 2 * x\n",
	})
	suite := discover(t, root)
	if got := ids(suite, root); len(got) != 1 || got[0] != "test_good.star::test_ok" {
		t.Errorf("good tests: got %q; other files must still load", got)
	}
	msgs := map[string]string{}
	for _, f := range suite.LoadFailures {
		msgs[filepath.Base(f.File)] = f.Message()
	}
	for file, want := range map[string][]string{
		"test_syntax.star":  {"test_syntax.star:3:13: got ':', want ')'"},
		"test_missing.star": {"test_missing.star:1:1: in <toplevel>", "lib/nope.star: no such file"},
		"test_cycle.star":   {"load cycle: " + root + "/cycle_a.star -> " + root + "/cycle_b.star -> " + root + "/cycle_a.star"},
		"test_runtime.star": {"test_runtime.star:3:7: in <toplevel>", "test_runtime.star:2:14: in _f", "floored division by zero"},
	} {
		msg, ok := msgs[file]
		if !ok {
			t.Errorf("%s: no load failure reported", file)
			continue
		}
		for _, w := range want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q lacks %q", file, msg, w)
			}
		}
	}
	if len(msgs) != 4 {
		t.Errorf("load failures: %v", msgs)
	}
}

func TestModuleCacheSharesFrozenGlobals(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"test_a.star": "load(\"lib.star\", \"counter\")\nshared = counter\ndef test_a(ctx): pass\n",
		"test_b.star": "load(\"lib.star\", \"counter\")\ndef test_b(ctx):\n    counter.append(1)\n",
		"lib.star":    "counter = []\n",
	})
	loader := newLoader()
	a, err := loader.LoadFile(filepath.Join(root, "test_a.star"))
	if err != nil {
		t.Fatal(err)
	}
	lib, err := loader.LoadFile(filepath.Join(root, "lib.star"))
	if err != nil {
		t.Fatal(err)
	}
	if a["shared"] != lib["counter"] {
		t.Errorf("lib.star was executed twice: test_a.star's load and a later one got different values")
	}
	// Tests share nothing mutable: module globals are frozen.
	cl := hosttest.LocalCluster(t, 1)
	rep, _ := hosttest.Run(t, cl, []string{filepath.Join(root, "test_b.star")}, hosttest.Options{})
	if r := rep.Results[0]; r.TestStatus != host.StatusFail || !strings.Contains(r.Summary, "frozen list") {
		t.Errorf("mutating a module global: %s %q", r.TestStatus, r.Summary)
	}
}

func TestResultsLayoutAndReports(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"suite/test_layout.star": `
def teardown(ctx):
    ctx.logger.info("teardown ran for %s", ctx.test_name)

def test_pass(ctx):
    ctx.logger.info("hello %s", "info")
    ctx.logger.debug("only in debug")
    return {"throughput": 12.5, "ok": True}

def test_fail(ctx):
    _helper()

def _helper():
    assert.eq(1, 2, "numbers differ")

def test_bad_data(ctx):
    return lambda: 1
`,
		"suite/test_broken.star": "def test_x(ctx):\n  pass\n x = 1\n",
	})
	cl := hosttest.LocalCluster(t, 2)
	rep, _ := hosttest.Run(t, cl, []string{filepath.Join(root, "suite")}, hosttest.Options{})

	if rep.NumPassed != 1 || rep.NumFailed != 3 {
		t.Fatalf("passed %d failed %d, want 1 and 3", rep.NumPassed, rep.NumFailed)
	}
	byName := map[string]*host.Result{}
	for _, r := range rep.Results {
		byName[r.FunctionName] = r
	}
	load := byName[""]
	if load == nil || !strings.Contains(load.Summary, "test_broken.star:3:2") {
		t.Errorf("load failure entry: %+v", load)
	}
	fail := byName["test_fail"]
	for _, w := range []string{"assert.eq failed: expected 1 == 2: numbers differ", "test_layout.star:14:14: in _helper", "test_layout.star:11:12: in test_fail"} {
		if !strings.Contains(fail.Summary, w) {
			t.Errorf("failure summary %q lacks %q", fail.Summary, w)
		}
	}
	if !strings.Contains(byName["test_bad_data"].Summary, "not JSON data") {
		t.Errorf("bad data summary: %q", byName["test_bad_data"].Summary)
	}
	pass := byName["test_pass"]
	if string(pass.Data) != `{"ok":true,"throughput":12.5}` {
		t.Errorf("data = %s", pass.Data)
	}
	if pass.NodesAllocated != 2 || len(pass.Nodes) != 2 {
		t.Errorf("nodes allocated %d %v, want the whole cluster", pass.NodesAllocated, pass.Nodes)
	}
}

func TestSessionDirectories(t *testing.T) {
	root := t.TempDir()
	day := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var ids []string
	for i := 0; i < 3; i++ {
		s, err := host.CreateSession(root, day)
		if err != nil {
			t.Fatal(err)
		}
		s.Log.Close()
		ids = append(ids, s.ID)
	}
	if strings.Join(ids, " ") != "2026-11-24--001 2026-11-24--002 2026-11-24--003" {
		t.Errorf("session ids %v", ids)
	}
	s, _ := host.CreateSession(root, day.Add(24*time.Hour))
	s.Log.Close()
	if s.ID != "2026-11-25--001" {
		t.Errorf("the counter restarts each day: %s", s.ID)
	}
	if target, err := os.Readlink(filepath.Join(root, "latest")); err != nil || target != s.ID {
		t.Errorf("latest -> %q (%v), want %s", target, err, s.ID)
	}
	for _, f := range []string{"session_log.info", "session_log.debug"} {
		if _, err := os.Stat(filepath.Join(root, s.ID, f)); err != nil {
			t.Error(err)
		}
	}
}

func TestReportFilesAndFields(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{"test_r.star": `
def test_ok(ctx):
    ctx.logger.info("info line")
    ctx.logger.debug("debug line")
    return [1, 2]
`})
	_, sessionDir := hosttest.Run(t, hosttest.LocalCluster(t, 1), []string{root}, hosttest.Options{})

	var top map[string]any
	readJSON(t, filepath.Join(sessionDir, "report.json"), &top)
	for _, k := range []string{"num_passed", "num_failed", "num_ignored", "num_flaky", "run_time_seconds", "results", "session_id", "ducktape_version", "start_time", "stop_time"} {
		if _, ok := top[k]; !ok {
			t.Errorf("report.json lacks %s", k)
		}
	}
	res := top["results"].([]any)[0].(map[string]any)
	var keys []string
	for k := range res {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range []string{"test_id", "test_status", "summary", "data", "start_time", "stop_time", "run_time_seconds", "nodes_allocated", "nodes_used", "services"} {
		if _, ok := res[k]; !ok {
			t.Errorf("result lacks %s (has %v)", k, keys)
		}
	}
	caseDir := filepath.Join(sessionDir, res["relative_results_dir"].(string))
	if want := filepath.Join("test_r.star", "test_ok", "1"); res["relative_results_dir"] != want { // relative to the file's directory (outside the current one)
		t.Errorf("case dir %s, want %s", res["relative_results_dir"], want)
	}
	info, _ := os.ReadFile(filepath.Join(caseDir, "test_log.info"))
	debug, _ := os.ReadFile(filepath.Join(caseDir, "test_log.debug"))
	if !strings.Contains(string(info), "test_r.star:3] info line") || strings.Contains(string(info), "debug line") {
		t.Errorf("test_log.info:\n%s", info)
	}
	if !strings.Contains(string(debug), "[DEBUG") || !strings.Contains(string(debug), "debug line") {
		t.Errorf("test_log.debug:\n%s", debug)
	}
	if data, _ := os.ReadFile(filepath.Join(caseDir, "data.json")); strings.TrimSpace(string(data)) != "[1,2]" {
		t.Errorf("data.json = %q", data)
	}
	var caseReport map[string]any
	readJSON(t, filepath.Join(caseDir, "report.json"), &caseReport)
	if caseReport["test_status"] != "PASS" {
		t.Errorf("case report.json: %v", caseReport)
	}
	txt, _ := os.ReadFile(filepath.Join(sessionDir, "report.txt"))
	for _, w := range []string{"SESSION REPORT (ALL TESTS)", "passed:           1", "test_r.star::test_ok", "status:     PASS"} {
		if !strings.Contains(string(txt), w) {
			t.Errorf("report.txt lacks %q:\n%s", w, txt)
		}
	}
}

func readJSON(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
