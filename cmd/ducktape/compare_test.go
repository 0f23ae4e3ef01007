package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixture is a session of host/compare's test fixtures.
func fixture(name string) string {
	return filepath.Join("..", "..", "host", "compare", "testdata", name)
}

func TestCompareExitStatuses(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		out  string // in stdout or stderr
	}{
		{[]string{"compare", fixture("base"), fixture("improved")}, exitOK, "no value regressed beyond 10%"},
		{[]string{"compare", fixture("base"), filepath.Join(fixture("regressed"), "report.json")}, exitTestFailed, "13 values regressed beyond 10%"},
		{[]string{"compare", "--tolerance", "0", fixture("base"), fixture("improved")}, exitTestFailed, "3 values regressed beyond 0%"},
		{[]string{"compare", "--format", "json", fixture("base"), fixture("base")}, exitOK, `"regressions": 0`},
		{[]string{"compare", "--format", "markdown", fixture("base"), fixture("regressed")}, exitTestFailed, "| **REGRESSED** |"},
		{[]string{"compare", "--tolerance", "ten", fixture("base"), fixture("base")}, exitUsage, `--tolerance: tolerance "ten": want a percentage`},
		{[]string{"compare", "--format", "html", fixture("base"), fixture("base")}, exitUsage, `--format "html": want one of text, json, markdown`},
		{[]string{"compare", "--keys", "*.mean", "--keys", "edge_ms", fixture("base"), fixture("regressed")}, exitTestFailed, "2 values regressed beyond 10%"},
		{[]string{"compare", "--keys", "latency_ms.mean", fixture("base"), fixture("regressed")}, exitOK, "no value regressed"},
		{[]string{"compare", "--keys", "[x", fixture("base"), fixture("base")}, exitUsage, `--keys: key pattern "[x"`},
		{[]string{"compare", fixture("base"), fixture("missing")}, exitUsage, "no such file or directory"},
		{[]string{"compare", fixture("base")}, exitUsage, "accepts 2 arg(s), received 1"},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.out) {
			t.Errorf("ducktape %q: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tc.args, code, tc.code, tc.out, out, errOut)
		}
	}
}

// TestCompareBinaryExitStatus runs the built binary, as a CI job would.
func TestCompareBinaryExitStatus(t *testing.T) {
	bin := buildBinary(t)
	for _, tc := range []struct {
		new  string
		code int
	}{{"improved", exitOK}, {"regressed", exitTestFailed}} {
		out, err := exec.Command(bin, "compare", fixture("base"), fixture(tc.new)).CombinedOutput()
		code := 0
		if exit, ok := err.(*exec.ExitError); ok {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code {
			t.Errorf("ducktape compare base %s: exit %d, want %d\n%s", tc.new, code, tc.code, out)
		}
	}
}
