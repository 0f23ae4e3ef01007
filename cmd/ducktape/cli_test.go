package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

func writeFile(t *testing.T, dir, name, contents string) string {
	return writeFileB(t, dir, name, contents)
}

func writeFileB(t testing.TB, dir, name, contents string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(contents), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExitStatuses(t *testing.T) {
	dir := t.TempDir()
	pass := writeFile(t, dir, "pass/test_p.star", "def test_p(ctx):\n    pass\n")
	fail := writeFile(t, dir, "fail/test_f.star", "def test_f(ctx):\n    fail(\"nope\")\n")
	broken := writeFile(t, dir, "broken/test_b.star", "def test_b(ctx)\n")
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
	writeFile(t, dir, "test_a.star", "def test_one(ctx): pass\ndef test_two(ctx): pass\n")
	results := filepath.Join(dir, "results")
	code, out, _ := runCLI(t, "--collect-only", "--results-root", results, dir)
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "test_a.star::test_one\n") || !strings.Contains(out, "2 tests") {
		t.Errorf("collect-only output:\n%s", out)
	}
	if _, err := os.Stat(results); !os.IsNotExist(err) {
		t.Errorf("--collect-only created %s", results)
	}
}

func TestGlobalsReachTests(t *testing.T) {
	dir := t.TempDir()
	test := writeFile(t, dir, "test_g.star", `def test_g(ctx):
    assert.eq(ctx.globals["broker"], {"version": "3.7"})
`)
	globalsFile := writeFile(t, dir, "globals.json", `{"broker": {"version": "3.7"}}`)
	results := filepath.Join(dir, "results")
	for _, g := range []string{`{"broker": {"version": "3.7"}}`, globalsFile} {
		if code, out, errOut := runCLI(t, "--results-root", results, "--globals", g, test); code != exitOK {
			t.Errorf("--globals %s: exit %d\n%s%s", g, code, out, errOut)
		}
	}
}
