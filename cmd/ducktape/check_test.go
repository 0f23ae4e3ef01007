package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/check/txn/txntest"
	"github.com/ducktape-go/ducktape/host/history"
)

// saveHistory writes a history.json of events (process, type, value;
// completions pair with their process's open invoke) into a directory of
// its own and returns its path.
func saveHistory(t *testing.T, steps ...any) string {
	t.Helper()
	var f history.File
	open := map[int]int{}
	for i := 0; i < len(steps); i += 4 {
		p, typ, fn, v := steps[i].(int), steps[i+1].(history.Type), steps[i+2].(string), steps[i+3]
		e := history.Event{Index: len(f.Events), Type: typ, Process: p, F: fn, Value: v, Time: time.Duration(i) * time.Millisecond, Invoke: -1}
		if typ == history.Invoke {
			open[p] = e.Index
		} else {
			e.Invoke = open[p]
		}
		f.Events = append(f.Events, e)
	}
	path := filepath.Join(t.TempDir(), "history.json")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func mops(m ...[]any) []any {
	out := make([]any, len(m))
	for i, x := range m {
		out[i] = x
	}
	return out
}

func TestCheckCommand(t *testing.T) {
	inv, ok, fail := history.Invoke, history.OK, history.Fail
	// Write skew: each reads the other's key before the other's append.
	skew := saveHistory(t,
		1, inv, "txn", mops([]any{"r", "x", nil}, []any{"r", "y", nil}, []any{"append", "x", 1.0}),
		2, inv, "txn", mops([]any{"r", "x", nil}, []any{"r", "y", nil}, []any{"append", "y", 1.0}),
		1, ok, "txn", mops([]any{"r", "x", []any{}}, []any{"r", "y", []any{}}, []any{"append", "x", 1.0}),
		2, ok, "txn", mops([]any{"r", "x", []any{}}, []any{"r", "y", []any{}}, []any{"append", "y", 1.0}),
	)
	clean := filepath.Join(t.TempDir(), "history.json")
	if err := txntest.Simulate(txntest.Config{Txns: 200, Processes: 5, Keys: 3, MaxWrites: 10, Seed: 1}).Save(clean); err != nil {
		t.Fatal(err)
	}
	register := saveHistory(t,
		1, inv, "txn", mops([]any{"r", "x", nil}, []any{"w", "x", 2.0}),
		1, ok, "txn", mops([]any{"r", "x", 1.0}, []any{"w", "x", 2.0}),
		2, inv, "txn", mops([]any{"r", "x", nil}, []any{"w", "x", 1.0}),
		2, ok, "txn", mops([]any{"r", "x", 2.0}, []any{"w", "x", 1.0}),
	)
	stale := saveHistory(t, 0, inv, "write", 1.0, 0, ok, "write", 1.0, 0, inv, "write", 2.0, 0, ok, "write", 2.0,
		1, inv, "read", nil, 1, ok, "read", 1.0)
	badMop := saveHistory(t, 3, inv, "txn", mops([]any{"inc", "x", 1.0}), 3, fail, "txn", nil)
	notJSON := filepath.Join(t.TempDir(), "history.json")
	os.WriteFile(notJSON, []byte("{"), 0o644)
	out := t.TempDir()

	for _, tc := range []struct {
		args []string
		code int
		want []string // in stdout or stderr
	}{
		{[]string{clean, "--workload", "list-append"}, exitOK, []string{"list-append (strict-serializable) PASS: no anomalies in 200 transactions (200 committed, 0 unknown, 0 failed) on "}},
		{[]string{filepath.Dir(clean), "--workload", "list-append", "--models", "serializable,snapshot-isolation"}, exitOK, []string{"list-append (serializable, snapshot-isolation) PASS"}},
		{[]string{skew, "--workload", "list-append", "--models", "serializable", "--out", out}, exitTestFailed, []string{
			"list-append (serializable) FAIL: G2-item (1) in 2 transactions", "\nG2-item (1):\n  - Let T1 be process 1's committed (ok) transaction",
			"visualization: " + filepath.Join(out, "txn-list-append.html")}},
		{[]string{skew, "--workload", "list-append", "--models", "snapshot-isolation"}, exitOK, []string{"list-append (snapshot-isolation) PASS: G2-item (1) in 2 transactions"}},
		{[]string{register, "--workload", "rw-register"}, exitTestFailed, []string{"rw-register (strict-serializable) FAIL: G1c (1)"}},
		{[]string{register, "--workload", "rw-register", "--wfr-keys"}, exitTestFailed, []string{"\ncyclic-versions (1):\n  - key \"x\": the versions "}},
		{[]string{stale, "--workload", "register"}, exitTestFailed, []string{"linearizable (register) FAIL: not linearizable (3 operations)"}},
		{[]string{stale, "--workload", "cas-register", "--time-limit", "1m"}, exitTestFailed, []string{"linearizable (cas-register) FAIL"}},
		{[]string{badMop, "--workload", "list-append"}, exitUsage, []string{`list-append: operation 0 (process 3): micro-op 0 ["inc","x",1]: "inc" is not a list-append micro-op`}},
		{[]string{notJSON, "--workload", "list-append"}, exitUsage, []string{"history.json: not a history.json: unexpected end of JSON input"}},
		{[]string{clean, "--workload", "bank"}, exitUsage, []string{`--workload "bank": want one of list-append, rw-register, register, cas-register, kv, set`}},
		{[]string{clean}, exitUsage, []string{`--workload "": want one of`}},
		{[]string{clean, "--workload", "list-append", "--models", "causal"}, exitUsage, []string{`unknown consistency model "causal"`}},
		{[]string{stale, "--workload", "register", "--models", "serializable"}, exitUsage, []string{"--models is for the transactional workloads"}},
		{[]string{clean, "--workload", "list-append", "--wfr-keys"}, exitUsage, []string{"--wfr-keys, --sequential-keys and --linearizable-keys are for --workload rw-register"}},
		{[]string{filepath.Join(out, "missing.json"), "--workload", "set"}, exitUsage, []string{"no such file or directory"}},
	} {
		code, stdout, stderr := runCLI(t, append([]string{"check"}, tc.args...)...)
		for _, want := range tc.want {
			if code != tc.code || !strings.Contains(stdout+stderr, want) {
				t.Errorf("ducktape check %q: exit %d, want %d with %q\nstdout: %s\nstderr: %s", tc.args, code, tc.code, want, stdout, stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, "txn-list-append.html")); err != nil {
		t.Errorf("the visualization: %v", err)
	}
}

// TestCheckUnknownExitStatus: a search that runs out of its time limit is
// neither a pass nor a failure.
func TestCheckUnknownExitStatus(t *testing.T) {
	var steps []any
	for p := range 40 { // a read that overlaps 40 writes and matches none
		steps = append(steps, p, history.Invoke, "write", float64(p))
	}
	steps = append(steps, 40, history.Invoke, "read", nil, 40, history.OK, "read", -1.0)
	for p := range 40 {
		steps = append(steps, p, history.OK, "write", float64(p))
	}
	code, stdout, stderr := runCLI(t, "check", saveHistory(t, steps...), "--workload", "register", "--time-limit", "50ms")
	if code != exitUnknown || !strings.Contains(stdout, "linearizable (register) UNKNOWN: unknown: the linearizability search") {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitUnknown, stdout, stderr)
	}
}
