package main

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// mergeSuite has 8 cases of every kind a report counts: passes, a failure,
// an ignored case, parametrized cases on 2 nodes each.
const mergeSuite = `
def test_pass(ctx):
    pass

cluster(test_pass, num_nodes = 1)

def test_fail(ctx):
    fail("boom")

cluster(test_fail, num_nodes = 1)

def test_ignored(ctx):
    pass

ignore(test_ignored)

def test_matrix(ctx, n):
    ctx.cluster[0].account.ssh("true")
    return {"n": n}

cluster(test_matrix, num_nodes = 2)
matrix(test_matrix, n = [1, 2, 3, 4, 5])
`

// ducktapeIn runs the binary bin in dir and returns its exit status and
// output.
func ducktapeIn(t *testing.T, bin, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func readSessionReport(t *testing.T, dir string) *host.SessionReport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := host.ParseSessionReport(data)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// statuses maps each test id of rep to its status.
func statuses(rep *host.SessionReport) map[string]host.Status {
	out := map[string]host.Status{}
	for _, r := range rep.Results {
		out[r.TestID] = r.TestStatus
	}
	return out
}

// rerunList returns the symbols of a rerun-failed.yml, sorted, with their
// paths resolved against the file's directory (as the rerun resolves them).
func rerunList(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var list []string
	for _, line := range strings.Split(string(data), "\n") {
		if s, ok := strings.CutPrefix(line, "  - "); ok {
			file, test, _ := strings.Cut(s, "::")
			list = append(list, filepath.Join(filepath.Dir(path), file)+"::"+test)
		}
	}
	slices.Sort(list)
	return list
}

// TestMergeOfSubsetsIsTheUnsplitRun runs a suite whole and as 3 subsets
// (each in its own results root, as on 3 drivers), contiguous and balanced
// by the whole run's report (--historical-report), merges each set of
// subsets and compares the merged session with the whole run.
func TestMergeOfSubsetsIsTheUnsplitRun(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "tests/test_m.star", mergeSuite)
	if code, out := ducktapeIn(t, bin, dir, "--results-root", "whole", "--local-nodes", "4", "--max-parallel", "2", "tests/"); code != exitTestFailed {
		t.Fatalf("the whole run: exit %d, want 1\n%s", code, out)
	}
	whole := readSessionReport(t, filepath.Join(dir, "whole", "latest"))
	for _, split := range []struct {
		name string
		args []string
	}{{"contiguous", nil}, {"balanced", []string{"--historical-report", "whole/latest"}}} {
		t.Run(split.name, func(t *testing.T) {
			merge := []string{"merge", "-o", split.name}
			for _, i := range []string{"0", "1", "2"} {
				root := split.name + i
				args := append([]string{"--results-root", root, "--local-nodes", "4", "--subsets", "3", "--subset", i}, split.args...)
				if code, out := ducktapeIn(t, bin, dir, append(args, "tests/")...); code > exitTestFailed {
					t.Fatalf("subset %s: exit %d\n%s", i, code, out)
				}
				merge = append(merge, filepath.Join(root, "latest"))
			}
			if code, out := ducktapeIn(t, bin, dir, merge...); code != exitTestFailed || !strings.Contains(out, "6 passed, 1 failed, 0 flaky, 1 ignored") || strings.Contains(out, "warning") {
				t.Fatalf("ducktape merge: exit %d, want 1 with the counts and no warning\n%s", code, out)
			}
			checkSameRun(t, filepath.Join(dir, split.name), filepath.Join(dir, "whole", "latest"), whole)
		})
	}
}

// checkSameRun compares the merged session in dir with the whole run's
// session (its report whole): the same cases with the same statuses and
// counts, the same suite, the same failures to rerun, every case in
// report.txt and report.xml, every results directory there.
func checkSameRun(t *testing.T, dir, wholeDir string, whole *host.SessionReport) {
	t.Helper()
	merged := readSessionReport(t, dir)
	if got, want := statuses(merged), statuses(whole); len(merged.Results) != len(whole.Results) || !maps.Equal(got, want) {
		t.Errorf("merged statuses %v, want the whole run's %v", got, want)
	}
	if m, w := merged.Summary, whole.Summary; m.NumPassed != w.NumPassed || m.NumFailed != w.NumFailed || m.NumIgnored != w.NumIgnored || m.NumFlaky != w.NumFlaky {
		t.Errorf("merged counts %+v, want the whole run's %+v", m, w)
	}
	if s := merged.Suite; s == nil || s.ID != whole.Suite.ID || s.NumCases != 8 || s.Subsets != 3 || !slices.Equal(s.Parts, []int{0, 1, 2}) {
		t.Errorf("merged suite %+v, want the whole run's id %s, 8 cases, parts [0 1 2] of 3", s, whole.Suite.ID)
	}
	if len(merged.MergedFrom) != 3 || merged.StartTime != merged.MergedFrom[0].StartTime || merged.StopTime != merged.MergedFrom[2].StopTime {
		t.Errorf("merged from %+v, start %f, stop %f: want 3 parts, the first's start, the last's stop", merged.MergedFrom, merged.StartTime, merged.StopTime)
	}
	for _, r := range merged.Results {
		if _, err := os.Stat(filepath.Join(dir, r.ResultsDir, "test_log.info")); err != nil || r.Part == "" {
			t.Errorf("%s: part %q, its results directory: %v", r.TestID, r.Part, err)
		}
	}
	if got, want := rerunList(t, filepath.Join(dir, host.RerunFileName)), rerunList(t, filepath.Join(wholeDir, host.RerunFileName)); !slices.Equal(got, want) {
		t.Errorf("merged rerun-failed.yml lists %q, the whole run's %q", got, want)
	}
	text, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range whole.Results {
		if !strings.Contains(string(text), "test_id:    "+r.TestID+"\n") {
			t.Errorf("merged report.txt lacks %s", r.TestID)
		}
	}
	junit, err := os.ReadFile(filepath.Join(dir, "report.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if cases, failures := strings.Count(string(junit), "<testcase "), strings.Count(string(junit), "<failure "); cases != 8 || failures != 1 {
		t.Errorf("merged report.xml has %d test cases and %d failures, want 8 and 1", cases, failures)
	}
}

// TestMergeRefusals merges parts that must not be merged: each is exit 2
// with a message naming the part and why.
func TestMergeRefusals(t *testing.T) {
	dir := t.TempDir()
	suite := hosttest.WriteFile(t, dir, "tests/test_m.star", mergeSuite)
	// part runs subset i of k of the suite (with more arguments) and
	// returns its session directory.
	part := func(name string, k, i int, more ...string) string {
		root := filepath.Join(dir, name)
		args := append([]string{"--results-root", root, "--local-nodes", "4", "--subsets", strconv.Itoa(k), "--subset", strconv.Itoa(i)}, more...)
		if code, out, errOut := runCLI(t, append(args, suite)...); code > exitTestFailed {
			t.Fatalf("part %s: exit %d\n%s%s", name, code, out, errOut)
		}
		return filepath.Join(root, "latest")
	}
	a0, a1, again1 := part("a0", 3, 0), part("a1", 3, 1), part("again1", 3, 1)
	other := part("other", 3, 2, "--exclude", suite+"::test_ignored")
	split4 := part("split4", 4, 2)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	old := filepath.Join(dir, "old")
	if err := os.CopyFS(old, os.DirFS(a0)); err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	data, _ := os.ReadFile(filepath.Join(old, "report.json"))
	json.Unmarshal(data, &rep)
	delete(rep, "suite")
	data, _ = json.Marshal(rep)
	os.WriteFile(filepath.Join(old, "report.json"), data, 0o644)

	for _, tc := range []struct {
		parts []string
		want  string
	}{
		{[]string{a0, a1, again1}, "parts " + a1 + " (subset 1 of 3) and " + again1 + " (subset 1 of 3) both ran subset 1 of 3"},
		{[]string{a0, other}, "part " + other + " (subset 2 of 3) is not of the same suite as part " + a0 + " (subset 0 of 3): it selected 7 cases"},
		{[]string{a0, split4}, "part " + split4 + " (subset 2 of 4) split the suite into 4 subsets, part " + a0 + " (subset 0 of 3) into 3"},
		{[]string{a0, empty}, "part " + empty + ": no report.json, so it is not a ducktape session directory"},
		{[]string{a0, filepath.Join(dir, "nowhere")}, "part " + filepath.Join(dir, "nowhere") + ": no such session directory"},
		{[]string{a0, suite}, "part " + suite + ": not a directory"},
		{[]string{old, a1}, "part " + old + `: its report.json has no "suite" record`},
	} {
		out := filepath.Join(dir, "merged")
		code, stdout, stderr := runCLI(t, append([]string{"merge", "-o", out}, tc.parts...)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("ducktape merge %q: exit %d, want 2 with %q\nstdout: %s\nstderr: %s", tc.parts, code, tc.want, stdout, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("ducktape merge %q refused, but made %s", tc.parts, out)
		}
	}
	// Two of three parts merge, with a warning naming the missing subset.
	code, stdout, stderr := runCLI(t, "merge", "-o", filepath.Join(dir, "partial"), a0, a1)
	if code > exitTestFailed || !strings.Contains(stderr, "subset 2 of 3 missing: the merged session holds 2 of the suite's 3 parts") {
		t.Errorf("merging 2 of 3 parts: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	// An existing output directory is refused.
	if code, _, stderr := runCLI(t, "merge", "-o", filepath.Join(dir, "partial"), a0, a1); code != exitUsage || !strings.Contains(stderr, "already exists") {
		t.Errorf("merging into an existing directory: exit %d\n%s", code, stderr)
	}
}
