package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/history"
)

func linearizable(t *testing.T, h history.File, model string) Result {
	t.Helper()
	r, err := Linearizable(h, model, Options{})
	if err != nil {
		t.Fatalf("%s: %v", model, err)
	}
	return r
}

// verdicts are hand-written histories with their expected verdicts and, for
// failures, words the summary must contain.
var verdicts = []struct {
	name  string
	model string
	h     history.File
	ok    bool
	words []string
}{
	{"sequential write then read", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "read", nil), ok(1, "read", 1)), true, nil},
	{"a read before any write sees nil", "register", hist(
		inv(1, "read", nil), ok(1, "read", nil),
		inv(0, "write", 1), ok(0, "write", nil)), true, nil},
	{"a read of a value never written", "register", hist(
		inv(1, "read", nil), ok(1, "read", 3)), false,
		[]string{"(1 operation): in the initial state null, and process 1 read -> 3 [0.000s, 0.001s] cannot come next: the value was null"}},
	{"stale read after two writes", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(0, "write", 2), ok(0, "write", nil),
		inv(1, "read", nil), ok(1, "read", 1)), false,
		[]string{"after 2 operations linearize (the last: process 0 write 2 [0.002s, 0.003s]) the state is 2",
			"and process 1 read -> 1 [0.004s, 0.005s] cannot come next: the value was 2"}},
	{"two concurrent reads of values never written", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "read", nil), inv(2, "read", nil), ok(1, "read", 5), ok(2, "read", 6)), false,
		[]string{"the state is 1, and none of the 2 operations that could come next before process 1 read -> 5 [0.002s, 0.004s] returns can: " +
			"process 1 read -> 5 [0.002s, 0.004s]: the value was 1; process 2 read -> 6 [0.003s, 0.005s]: the value was 1"}},
	{"a read overlapping a write may see the old value", "register", hist(
		inv(0, "write", 1), inv(1, "read", nil), ok(1, "read", nil), ok(0, "write", nil)), true, nil},
	{"a read overlapping a write may see the new value", "register", hist(
		inv(0, "write", 1), inv(1, "read", nil), ok(1, "read", 1), ok(0, "write", nil)), true, nil},
	{"two overlapping reads disagree on the order of two overlapping writes", "register", hist(
		inv(0, "write", 1), inv(1, "write", 2),
		inv(2, "read", nil), inv(3, "read", nil),
		ok(0, "write", nil), ok(1, "write", nil),
		ok(2, "read", 1), ok(3, "read", 2),
		inv(2, "read", nil), ok(2, "read", 1),
		inv(3, "read", nil), ok(3, "read", 2)), false,
		[]string{"after 5 operations linearize", "cannot come next"}},
	{"an info write may take effect later", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "write", 2), info(1, "write"),
		inv(2, "read", nil), ok(2, "read", 1),
		inv(2, "read", nil), ok(2, "read", 2)), true, nil},
	{"an info write may never take effect", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "write", 2), info(1, "write"),
		inv(2, "read", nil), ok(2, "read", 1)), true, nil},
	{"an info write takes effect at most once", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "write", 2), info(1, "write"),
		inv(2, "read", nil), ok(2, "read", 2),
		inv(2, "read", nil), ok(2, "read", 1)), false,
		[]string{"(the last: process 2 read -> 2 [0.004s, 0.005s]) the state is 2", "process 2 read -> 1 [0.006s, 0.007s] cannot come next: the value was 2"}},
	{"an info read constrains nothing", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "read", nil), info(1, "read")), true, nil},
	{"an operation never completed is an info", "register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "write", 2),
		inv(2, "read", nil), ok(2, "read", 2)), true, nil},

	{"cas after write", "cas-register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "cas", list(1, 2)), ok(1, "cas", nil),
		inv(2, "read", nil), ok(2, "read", 2)), true, nil},
	{"a read misses an acknowledged cas", "cas-register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "cas", list(1, 2)), ok(1, "cas", nil),
		inv(2, "read", nil), ok(2, "read", 1)), false,
		[]string{"the last: process 1 cas [1, 2]", "process 2 read -> 1 [0.004s, 0.005s] cannot come next: the value was 2"}},
	{"a cas whose compare cannot hold", "cas-register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "cas", list(3, 4)), ok(1, "cas", nil)), false,
		[]string{"after 1 operation linearize", "process 1 cas [3, 4] [0.002s, 0.003s] cannot come next: the value was 1, not 3"}},
	{"a failed cas did not happen", "cas-register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "cas", list(1, 2)), fail(1, "cas"),
		inv(2, "read", nil), ok(2, "read", 1)), true,
		[]string{"linearizable (2 operations, 1 more left out (failed, or reads of unknown outcome); checked in "}},
	{"an info cas may have happened", "cas-register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "cas", list(1, 2)), info(1, "cas"),
		inv(2, "read", nil), ok(2, "read", 2)), true, nil},
	{"an info cas may not have happened", "cas-register", hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "cas", list(1, 2)), info(1, "cas"),
		inv(2, "read", nil), ok(2, "read", 1)), true, nil},
	{"concurrent cas: only one of two may win", "cas-register", hist(
		inv(0, "write", 0), ok(0, "write", nil),
		inv(1, "cas", list(0, 1)), inv(2, "cas", list(0, 2)),
		ok(1, "cas", nil), ok(2, "cas", nil)), false,
		[]string{"(the last: process 2 cas [0, 2] [0.003s, 0.005s]) the state is 2", "process 1 cas [0, 1] [0.002s, 0.004s] cannot come next: the value was 2, not 0"}},
	{"string values compare as values", "cas-register", hist(
		inv(0, "write", "a"), ok(0, "write", nil),
		inv(1, "cas", list("a", "b")), ok(1, "cas", nil),
		inv(2, "read", nil), ok(2, "read", "b")), true, nil},

	{"keys are independent", "kv", hist(
		inv(0, "write", list("x", 1)), inv(1, "write", list("y", 2)),
		ok(0, "write", nil), ok(1, "write", nil),
		inv(0, "read", list("x", nil)), ok(0, "read", list("x", 1)),
		inv(1, "read", list("y", nil)), ok(1, "read", list("y", 2)),
		inv(2, "cas", list("x", list(1, 3))), ok(2, "cas", nil)), true, nil},
	{"one key stale, the other fine", "kv", hist(
		inv(0, "write", list("x", 1)), ok(0, "write", nil),
		inv(1, "write", list("y", 1)), ok(1, "write", nil),
		inv(1, "write", list("y", 2)), ok(1, "write", nil),
		inv(0, "read", list("x", nil)), ok(0, "read", list("x", 1)),
		inv(2, "read", list("y", nil)), ok(2, "read", list("y", 1))), false,
		[]string{`key "y": after 2 operations linearize`, `process 2 read "y" -> 1 [0.008s, 0.009s] cannot come next: the value was 2`}},
	{"three keys stale", "kv", hist(
		inv(0, "write", list("x", 1)), ok(0, "write", nil),
		inv(0, "read", list("z", nil)), ok(0, "read", list("z", 1)),
		inv(0, "read", list("y", nil)), ok(0, "read", list("y", 1)),
		inv(0, "read", list("x", nil)), ok(0, "read", list("x", 2))), false,
		[]string{`not linearizable (4 operations on 3 keys): key "z": in the initial state null`, `Also not linearizable: keys "x", "y"`}},
	{"a missing key reads nil", "kv", hist(
		inv(0, "read", list("x", nil)), ok(0, "read", list("x", nil))), true, nil},

	{"adds then a read of all", "set", hist(
		inv(0, "add", 1), ok(0, "add", nil),
		inv(1, "add", 2), ok(1, "add", nil),
		inv(2, "read", nil), ok(2, "read", list(2, 1))), true, nil},
	{"a read concurrent with an add may miss it", "set", hist(
		inv(0, "add", 1), ok(0, "add", nil),
		inv(1, "add", 2), inv(2, "read", nil), ok(2, "read", list(1)), ok(1, "add", nil),
		inv(2, "read", nil), ok(2, "read", list(1, 2))), true, nil},
	{"a read loses an acknowledged add", "set", hist(
		inv(0, "add", 1), ok(0, "add", nil),
		inv(1, "add", 2), ok(1, "add", nil),
		inv(2, "read", nil), ok(2, "read", list(1))), false,
		[]string{"the state is [1, 2]", "process 2 read -> [1] [0.004s, 0.005s] cannot come next: the set was [1, 2]: it lacks 2"}},
	{"a read invents an element", "set", hist(
		inv(0, "add", 1), ok(0, "add", nil),
		inv(2, "read", nil), ok(2, "read", list(1, 7))), false,
		[]string{"it has 7 that the set did not"}},
	{"an info add may show up later", "set", hist(
		inv(0, "add", 1), info(0, "add"),
		inv(2, "read", nil), ok(2, "read", list()),
		inv(2, "read", nil), ok(2, "read", list(1))), true, nil},
}

func TestLinearizableVerdicts(t *testing.T) {
	for _, c := range verdicts {
		t.Run(c.name, func(t *testing.T) {
			r := linearizable(t, c.h, c.model)
			if r.OK != c.ok || r.Unknown {
				t.Fatalf("ok = %v (unknown %v), want %v: %s", r.OK, r.Unknown, c.ok, r.Summary)
			}
			if r.Name != "linearizable" || r.Model != c.model {
				t.Errorf("name, model = %q, %q", r.Name, r.Model)
			}
			assertContains(t, "summary", r.Summary, c.words...)
			if c.ok && !strings.HasPrefix(r.Summary, "linearizable (") {
				t.Errorf("summary = %q", r.Summary)
			}
			if want := map[bool]string{true: "", false: "a non-linearizable history"}[c.ok]; r.Found != want {
				t.Errorf("found %q, want %q", r.Found, want)
			}
		})
	}
}

func TestLinearizableRandomHistories(t *testing.T) {
	for seed := range uint64(20) {
		if r := linearizable(t, randomRegisterHistory(seed, 200, 5, 0, 0.1), "cas-register"); !r.OK {
			t.Fatalf("seed %d: a simulated linearizable register history fails: %s", seed, r.Summary)
		}
		if r := linearizable(t, randomRegisterHistory(seed, 300, 5, 3, 0.1), "kv"); !r.OK || r.Details["partitions"] != 3 {
			t.Fatalf("seed %d: a simulated linearizable kv history: %s (%v)", seed, r.Summary, r.Details)
		}
	}
}

func TestLinearizableBadInput(t *testing.T) {
	cases := []struct {
		model string
		h     history.File
		want  string
	}{
		{"queue", hist(), `unknown model "queue"; the models are cas-register, kv, register, set`},
		{"register", hist(inv(0, "cas", list(1, 2)), ok(0, "cas", nil)), `the register model has no cas; use model = "cas-register"`},
		{"cas-register", hist(inv(3, "cas", 1), ok(3, "cas", nil)), "operation 0 (process 3, cas): value 1 is not a list [old, new]"},
		{"cas-register", hist(inv(0, "delete", 1), ok(0, "delete", nil)), `f "delete" is not an operation of the cas-register model (read, write, cas)`},
		{"kv", hist(inv(0, "write", 5), ok(0, "write", nil)), "value 5 is not a list [key, value]"},
		{"kv", hist(inv(0, "read", list("x", nil)), ok(0, "read", 5)), "a kv read must complete with [key, value]"},
		{"kv", hist(inv(0, "read", list("x", nil)), ok(0, "read", list("y", 1))), `a read of key "x" completed with key "y"`},
		{"set", hist(inv(0, "read", nil), ok(0, "read", 3)), "a set read must complete with a list, not 3"},
		{"set", hist(inv(0, "write", 3), ok(0, "write", nil)), `f "write" is not an operation of the set model (add, read)`},
	}
	for _, c := range cases {
		_, err := Linearizable(c.h, c.model, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want %q", c.model, c.h.Events, err, c.want)
		}
	}
}

func TestLinearizableEmptyHistory(t *testing.T) {
	if r := linearizable(t, hist(), "register"); !r.OK || !strings.Contains(r.Summary, "0 operations") {
		t.Errorf("empty history: %+v", r)
	}
}

// hardHistory has n concurrent writes of distinct values and a read,
// overlapping them all, of a value none wrote: refuting it means trying
// every subset of the writes (2^n), for n = 40 far beyond any time limit.
func hardHistory(n int) history.File {
	var steps []step
	for p := range n {
		steps = append(steps, inv(p, "write", p))
	}
	steps = append(steps, inv(n, "read", nil), ok(n, "read", -1))
	for p := range n {
		steps = append(steps, ok(p, "write", nil))
	}
	return hist(steps...)
}

func TestLinearizableTimeLimitGivesUnknown(t *testing.T) {
	r, err := Linearizable(hardHistory(40), "register", Options{TimeLimit: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK || !r.Unknown {
		t.Fatalf("ok %v, unknown %v: %s", r.OK, r.Unknown, r.Summary)
	}
	assertContains(t, "summary", r.Summary,
		"unknown: the linearizability search (41 operations) did not finish within the time limit of 50ms", "may or may not be linearizable")
}

func TestLinearizableVisualization(t *testing.T) {
	h := hist(
		inv(0, "write", 1), ok(0, "write", nil),
		inv(1, "read", nil), ok(1, "read", 2))
	h.Faults = []history.Fault{{Name: "partition", Targets: []string{"n1"}, Start: time.Millisecond}}
	dir := t.TempDir()
	var paths []string
	for range 2 {
		r, err := Linearizable(h, "register", Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, r.Visualization)
	}
	want := []string{filepath.Join(dir, "linearizable-register.html"), filepath.Join(dir, "linearizable-register-2.html")}
	for i, p := range paths {
		if p != want[i] {
			t.Errorf("visualization %d at %s, want %s", i, p, want[i])
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		assertContains(t, p, string(data), "<html", `read -\u003e 2`, "write 1", "partition on n1", "process 1, ok (event 2)")
	}
	if _, err := Linearizable(h, "register", Options{Dir: filepath.Join(dir, "missing")}); err == nil ||
		!strings.Contains(err.Error(), "writing the visualization") {
		t.Errorf("visualization into a missing directory: %v", err)
	}
}
