package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

// runCLI runs the CLI in-process with args and returns its exit status and
// output; the results root is a temporary directory.
func runCLI(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	gs := &globalState{
		ctx:      context.Background(),
		args:     args,
		stdin:    strings.NewReader(""),
		stdout:   &out,
		stderr:   &errOut,
		getenv:   func(string) string { return "" },
		readFile: os.ReadFile,
		now:      time.Now,
	}
	code = execute(gs)
	return code, out.String(), errOut.String()
}

func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	pass := hosttest.WriteFile(t, dir, "pass/test_p.star", "def test_p(ctx):\n    pass\n")
	fail := hosttest.WriteFile(t, dir, "fail/test_f.star", "def test_f(ctx):\n    fail(\"nope\")\n")
	broken := hosttest.WriteFile(t, dir, "broken/test_b.star", "def test_b(ctx)\n")
	results := filepath.Join(dir, "results")
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{[]string{"--results-root", results, pass}, exitOK, "1 passed, 0 failed"},
		{[]string{"--results-root", results, fail}, exitTestFailed, "fail: nope"},
		{[]string{"--results-root", results, broken}, exitTestFailed, "could not load"},
		{[]string{"--results-root", results, filepath.Join(dir, "missing")}, exitUsage, "missing: no such file or directory"},
		{[]string{"--no-such-flag"}, exitUsage, "unknown flag: --no-such-flag"},
		{[]string{"--globals", "{not json", pass}, exitUsage, "--globals"},
		{[]string{"--local-nodes", "0", "--results-root", results, pass}, exitUsage, "--local-nodes must be between 1 and 253"},
		{[]string{"--cluster", "bogus", "--results-root", results, pass}, exitUsage, "unknown cluster provider \"bogus\""},
		{[]string{"version"}, exitOK, "ducktape 0.1.0"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.out) {
			t.Errorf("ducktape %q: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tc.args, code, tc.code, tc.out, out, errOut)
		}
	}
}

func TestCollectOnlyWritesNothing(t *testing.T) {
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "test_a.star", "def test_one(ctx): pass\ndef test_two(ctx): pass\n")
	results := filepath.Join(dir, "results")
	code, out, _ := runCLI(t, "--collect-only", "--results-root", results, dir)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "test_a.star::test_one  (whole cluster)\n") || !strings.Contains(out, "2 tests") {
		t.Errorf("collect-only output:\n%s", out)
	}
	if _, err := os.Stat(results); !os.IsNotExist(err) {
		t.Errorf("--collect-only created %s", results)
	}
}

func TestGlobalsReachTests(t *testing.T) {
	dir := t.TempDir()
	test := hosttest.WriteFile(t, dir, "test_g.star", `def test_g(ctx):
    assert.eq(ctx.globals["broker"], {"version": "3.7"})
`)
	globalsFile := hosttest.WriteFile(t, dir, "globals.json", `{"broker": {"version": "3.7"}}`)
	results := filepath.Join(dir, "results")
	for _, g := range []string{`{"broker": {"version": "3.7"}}`, globalsFile} {
		if code, out, errOut := runCLI(t, "--results-root", results, "--globals", g, test); code != exitOK {
			t.Errorf("--globals %s: exit %d\n%s%s", g, code, out, errOut)
		}
	}
}

func TestCollectOnlyShowsNodeNeeds(t *testing.T) {
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "test_n.star", `
def test_two(ctx): pass
cluster(test_two, num_nodes = 2)
def test_typed(ctx): pass
cluster(test_typed, nodes = [node_spec(node_type = "large"), node_spec()])
def test_all(ctx): pass
def test_skip(ctx): pass
ignore(test_skip)
`)
	code, out, _ := runCLI(t, "--collect-only", dir)
	for _, want := range []string{"::test_two  (2 nodes)", "::test_typed  (2 nodes: node_type=large, any)", "::test_all  (whole cluster)", "::test_skip  (ignored by an ignore(...) mark)", "4 tests"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

func TestSubsetsAndSample(t *testing.T) {
	dir := t.TempDir()
	var src strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&src, "def test_%d(ctx): pass\n", i)
	}
	hosttest.WriteFile(t, dir, "test_s.star", src.String())
	count := func(args ...string) int {
		t.Helper()
		code, out, errOut := runCLI(t, append([]string{"--collect-only"}, append(args, dir)...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
		return strings.Count(out, "::test_")
	}
	if a, b, c := count("--subsets", "3", "--subset", "0"), count("--subsets", "3", "--subset", "1"), count("--subsets", "3", "--subset", "2"); a+b+c != 10 || a != 4 || c != 2 {
		t.Errorf("subsets of 10: %d %d %d", a, b, c)
	}
	if n := count("--sample", "3"); n != 3 {
		t.Errorf("--sample 3 gave %d", n)
	}
	if code, _, errOut := runCLI(t, "--collect-only", "--subsets", "2", "--subset", "2", dir); code != exitUsage || !strings.Contains(errOut, "--subset must be between 0 and --subsets - 1 (1), not 2") {
		t.Errorf("bad --subset: exit %d %s", code, errOut)
	}
}

func TestConfigFilesAreLayered(t *testing.T) {
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "test_c.star", "def test_a(ctx): pass\ndef test_b(ctx): pass\n")
	files := map[string]string{
		".ducktape/config":         "# project defaults\n--exclude " + dir + "/test_c.star::test_a\n--max-parallel 2\n",
		"/home/u/.ducktape/config": "--max-parallel many\n",
		"/etc/explicit.conf":       "--collect-only --max-parallel 4\n",
		"/home/u/.ducktape/broken": "--exclude 'unterminated\n",
	}
	state := func(args ...string) (*globalState, *bytes.Buffer, *bytes.Buffer) {
		var out, errOut bytes.Buffer
		return &globalState{
			ctx: context.Background(), args: args, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut,
			getenv: func(k string) string { return map[string]string{"HOME": "/home/u"}[k] },
			readFile: func(name string) ([]byte, error) {
				if s, ok := files[name]; ok {
					return []byte(s), nil
				}
				return nil, os.ErrNotExist
			},
			now: time.Now,
		}, &out, &errOut
	}
	// The user's file has a bad value for --max-parallel: it is read.
	gs, _, errOut := state("--collect-only", dir)
	if code := execute(gs); code != exitUsage || !strings.Contains(errOut.String(), `invalid argument "many" for "--max-parallel"`) {
		t.Errorf("user config: exit %d %s", code, errOut)
	}
	// --config-file replaces the user's file; the project's still applies.
	gs, out, errOut := state("--config-file", "/etc/explicit.conf", dir)
	if code := execute(gs); code != exitOK || strings.Contains(out.String(), "test_a") || !strings.Contains(out.String(), "test_b") {
		t.Errorf("explicit config: exit %d\n%s%s", code, out, errOut)
	}
	args, _ := withConfigArgs(gs, []string{"--config-file", "/etc/explicit.conf", "--max-parallel", "9"})
	if last := args[len(args)-1]; last != "9" {
		t.Errorf("the command line comes last (and wins): %v", args)
	}
	gs, _, errOut = state("--config-file", "/home/u/.ducktape/broken", dir)
	if code := execute(gs); code != exitUsage || !strings.Contains(errOut.String(), "config file /home/u/.ducktape/broken, line 1") {
		t.Errorf("broken config: exit %d %s", code, errOut)
	}
	gs, _, errOut = state("--config-file", "/nope", dir)
	if code := execute(gs); code != exitUsage || !strings.Contains(errOut.String(), "config file /nope") {
		t.Errorf("missing explicit config: exit %d %s", code, errOut)
	}
}

func TestProgressLineOnATerminal(t *testing.T) {
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "test_p.star", "def test_a(ctx):\n    ctx.cluster[0].account.ssh(\"sleep 0.7\")\n")
	var out bytes.Buffer
	gs := &globalState{
		ctx: context.Background(), args: []string{"--results-root", filepath.Join(dir, "results"), "--local-nodes", "2", dir},
		stdin: strings.NewReader(""), stdout: &out, stderr: &out, stdoutTTY: true,
		getenv: func(string) string { return "" }, readFile: os.ReadFile, now: time.Now,
	}
	if code := execute(gs); code != exitOK {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "\r\x1b[K[0/1 done, 1 running, 0 failed, 0:00] ") || !strings.Contains(text, "test_p.star::test_a") {
		t.Errorf("no progress line:\n%q", text)
	}
	if !strings.Contains(text, "\x1b[32m") {
		t.Errorf("no colour on a terminal:\n%q", text)
	}
	gs.args = append([]string{"--no-color"}, gs.args...)
	out.Reset()
	execute(gs)
	if strings.Contains(out.String(), "\x1b[32m") {
		t.Errorf("--no-color still colours:\n%q", out.String())
	}
}
