package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// collect runs --collect-only over args and returns the exit status and
// the listed ids (relative to dir), one a line, then stderr.
func collect(t *testing.T, dir string, args ...string) (code int, ids, stderr string) {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"--collect-only"}, args...)...)
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		if id, _, ok := strings.Cut(line, "  ("); ok {
			lines = append(lines, strings.TrimPrefix(id, dir+"/"))
		}
	}
	return code, strings.Join(lines, "\n"), errOut
}

const paramsFile = `
def test_t(ctx, x, y): pass
parametrize(test_t, x = 1, y = "a")
parametrize(test_t, x = 2, y = "b,c")
parametrize(test_t, x = 3, y = "d")
`

func TestExcludeTakesParametrizedSymbols(t *testing.T) {
	dir := t.TempDir()
	f := hosttest.WriteFile(t, dir, "f.star", paramsFile)
	code, ids, errOut := collect(t, dir, "--exclude", f+`::test_t@{"x": 1,"y": "a"}`, "--exclude", f+`::test_t@{"y": "b,c", "x": 2},`+f+`::nothing_here_is_fine`, f)
	if code != exitOK || ids != `f.star::test_t@{"x":3,"y":"d"}` {
		t.Errorf("exit %d, cases:\n%s\n%s", code, ids, errOut)
	}
}

func TestParametersAndGlobalsMessages(t *testing.T) {
	dir := t.TempDir()
	f := hosttest.WriteFile(t, dir, "f.star", paramsFile)
	list := hosttest.WriteFile(t, dir, "list.json", `[1, 2]`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--parameters", `{"x": 9, "y": "z"}`, f + `::test_t@{"x": 1, "y": "a"}`}, "--parameters cannot be combined with a symbol's own parameters (" + f + `::test_t@{"x": 1, "y": "a"})`},
		{[]string{"--parameters", `[1]`, f}, `--parameters: want a JSON object such as {"acks": 1}, not a list`},
		{[]string{"--globals", list, f}, "--globals file " + list + `: want a JSON object such as {"broker": "3.7"}, not a list`},
		{[]string{"--globals", `{"a": 1} {}`, f}, "--globals: not valid JSON: more text after the first value"},
	} {
		code, _, errOut := collect(t, dir, tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "interface") {
			t.Errorf("%q: exit %d, stderr %q, want %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestEmptySelectionExitsTwo(t *testing.T) {
	dir := t.TempDir()
	f := hosttest.WriteFile(t, dir, "tests/test_x.star", "def test_x(ctx): pass\n")
	hosttest.WriteFile(t, dir, "empty/README", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "empty")}, "no tests selected: " + dir + "/empty holds no test files"},
		{[]string{"--exclude", f, f}, "no tests selected: all 1 cases of " + f + " are excluded"},
	} {
		if code, _, errOut := collect(t, dir, tc.args...); code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", tc.args, code, errOut, tc.want)
		}
	}
	if code, ids, errOut := collect(t, dir, "--exclude", filepath.Join(dir, "no/such/dir"), f); code != exitOK || ids != "tests/test_x.star::test_x" {
		t.Errorf("excluding a missing path: exit %d %q %s", code, ids, errOut)
	}
}

func TestCollectNumNodesAndVersion(t *testing.T) {
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "test_n.star", `
def test_two(ctx, x): pass
cluster(test_two, num_nodes = 2)
matrix(test_two, x = [1, 2, 3])
def test_typed(ctx): pass
cluster(test_typed, nodes = [node_spec(node_type = "large")])
def test_all(ctx): pass
def test_skip(ctx): pass
cluster(test_skip, num_nodes = 5)
ignore(test_skip)
`)
	code, out, errOut := runCLI(t, "--collect-num-nodes", "--results-root", filepath.Join(dir, "results"), dir)
	if code != exitOK || out != "7\n" || !strings.Contains(errOut, "1 cases have no cluster(...) mark") {
		t.Errorf("--collect-num-nodes: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "results")); !os.IsNotExist(err) {
		t.Errorf("--collect-num-nodes created the results root")
	}
	if code, out, _ := runCLI(t, "--version"); code != exitOK || out != versionLine() || !strings.HasPrefix(out, "ducktape "+host.Version+" (") {
		t.Errorf("--version: exit %d %q", code, out)
	}
}

func TestHistoricalReportBalancesSubsets(t *testing.T) {
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "t.star", "def test_a(ctx): pass\ndef test_b(ctx): pass\ndef test_c(ctx): pass\ndef test_d(ctx): pass\n")
	report := hosttest.WriteFile(t, dir, "old/report.json", `{"results": [
		{"test_id": "`+dir+`/t.star::test_a", "function_name": "test_a", "test_status": "PASS", "run_time_seconds": 30},
		{"test_id": "`+dir+`/t.star::test_b", "function_name": "test_b", "test_status": "PASS", "run_time_seconds": 10},
		{"test_id": "`+dir+`/t.star::test_c", "function_name": "test_c", "test_status": "PASS", "run_time_seconds": 10}
	]}`)
	// a (30) -> 0; d (unknown: the mean, 16.7) -> 1; b (10) -> 1; c (10) -> 1.
	for subset, want := range []string{"t.star::test_a", "t.star::test_b\nt.star::test_c\nt.star::test_d"} {
		code, ids, errOut := collect(t, dir, "--subsets", "2", "--subset", strconv.Itoa(subset), "--historical-report", report, dir+"/t.star")
		if code != exitOK || ids != want {
			t.Errorf("subset %d: exit %d\n%s\nwant\n%s\n%s", subset, code, ids, want, errOut)
		}
	}
	if code, _, errOut := collect(t, dir, "--historical-report", filepath.Join(dir, "nope.json"), dir+"/t.star"); code != exitUsage || !strings.Contains(errOut, "--historical-report: ") {
		t.Errorf("missing report: exit %d %s", code, errOut)
	}
}
