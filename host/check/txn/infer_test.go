package txn

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/check/txn/txntest"
	"github.com/ducktape-go/ducktape/host/history"
)

// dataEdges returns the ww, wr and rw edges inferred from h, as "a->b rel"
// between transaction indices (in invocation order), sorted.
func dataEdges(t *testing.T, w *workload, h history.File, opts Options) []string {
	t.Helper()
	tx, err := parse(w, h)
	if err != nil {
		t.Fatal(err)
	}
	a := infer(tx, opts)
	g := buildGraph(len(a.nodes), &a.edges)
	var out []string
	for v := range int32(g.n()) {
		for i := g.off[v]; i < g.off[v+1]; i++ {
			out = append(out, fmt.Sprintf("%d->%d %v", a.nodes[v], a.nodes[g.to[i]], g.rel[i]))
		}
	}
	slices.Sort(out)
	return out
}

// TestListAppendEdges: the version order is the longest read; an append no
// read saw comes after every element read; reads of a version precede the
// next append (rw), its writer precedes them (wr) and the next appender
// (ww). Failed transactions are no vertices.
func TestListAppendEdges(t *testing.T) {
	b := newBuilder()
	b.txn(0, history.OK, app("x", 1))             // 0
	b.txn(1, history.OK, r("x"), app("x", 2))     // 1: read [] before 1 and 2
	b.txn(2, history.OK, r("x", 1))               // 2: saw 1 only
	b.txn(3, history.OK, r("x", 1, 2))            // 3: the longest read
	b.txn(4, history.OK, app("x", 3))             // 4: no read saw 3
	b.txn(5, history.Fail, app("y", 1))           // 5: failed
	b.txn(6, history.Info, app("y", 2), r("x"))   // 6: unknown: its read tells nothing
	b.txn(7, history.OK, r("y", 1, 2), r("x", 1)) // 7
	got := dataEdges(t, listAppend, b.f, Options{})
	want := []string{
		"0->1 ww", "0->2 wr", "0->7 wr", // 1 came right after 0's append; 2 and 7 read it last
		"1->3 wr", "1->4 ww", // 3 read 1's 2 last; 4's unread 3 follows the last element read, 2
		"1->0 rw",            // 1 read x empty; 0's append was the first
		"2->1 rw", "7->1 rw", // 2 and 7 read [1], which 1's 2 came right after
		"3->4 rw", // 3 read [1, 2]; 4's 3 came after
		"6->7 wr", // 7 read y ending in 2, by 6 (6 happened); 5's failed 1 is no vertex
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRWRegisterEdges: wr from a value's writer to its external readers;
// rw from readers of None to every writer of the key (the initial state
// precedes every value), and with writes-follow-reads the version a
// transaction read precedes the one it wrote.
func TestRWRegisterEdges(t *testing.T) {
	b := newBuilder()
	b.txn(0, history.OK, w("x", 1))               // 0
	b.txn(1, history.OK, rv("x", nil), w("y", 1)) // 1
	b.txn(2, history.OK, rv("x", 1), w("x", 2))   // 2: wfr: 1 < 2
	b.txn(3, history.OK, rv("x", 2))              // 3
	b.txn(4, history.OK, w("x", 3), rv("x", 3))   // 4: an internal read is no external one
	plain := dataEdges(t, rwRegister, b.f, Options{})
	want := []string{"0->2 wr", "2->3 wr", "1->0 rw", "1->2 rw", "1->4 rw"}
	slices.Sort(want)
	if !slices.Equal(plain, want) {
		t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(plain, "\n"), strings.Join(want, "\n"))
	}
	wfr := dataEdges(t, rwRegister, b.f, Options{WFRKeys: true})
	// 2 read 1 (0's) and wrote 2, so 1 < 2: 0 -> 2 is ww too; 2's own rw
	// edge to itself is dropped.
	want = []string{"0->2 ww+wr", "2->3 wr", "1->0 rw", "1->2 rw", "1->4 rw"}
	slices.Sort(want)
	if !slices.Equal(wfr, want) {
		t.Errorf("edges with writes-follow-reads:\n%s\nwant:\n%s", strings.Join(wfr, "\n"), strings.Join(want, "\n"))
	}
}

// TestSimulatedDatabases checks whole simulated histories: a strictly
// serializable database shows nothing, also with transactions of unknown
// outcome; snapshot isolation shows write skew (G2-item) and nothing
// snapshot isolation forbids; read committed shows lost updates and read
// skew (G-single).
func TestSimulatedDatabases(t *testing.T) {
	check := func(iso txntest.Isolation, models ...string) Analysis {
		t.Helper()
		h := txntest.Simulate(txntest.Config{Txns: 3000, Processes: 10, Keys: 5, MaxWrites: 32, Isolation: iso, Seed: uint64(iso) + 1, InfoRate: 0.02})
		res, err := ListAppend(context.Background(), h, Options{Models: models})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := check(txntest.StrictSerializable); !res.OK || len(res.AnomalyTypes) != 0 {
		t.Errorf("strict serializable: %s", res.Summary)
	}
	si := check(txntest.SnapshotIsolation, "snapshot-isolation")
	if !si.OK || !slices.Contains(si.AnomalyTypes, "G2-item") || slices.Contains(si.Violates, "snapshot-isolation") {
		t.Errorf("snapshot isolation: %s", si.Summary)
	}
	rc := check(txntest.ReadCommitted, "repeatable-read")
	if rc.OK || !slices.Contains(rc.AnomalyTypes, "lost-update") || !slices.Contains(rc.AnomalyTypes, "G-single") {
		t.Errorf("read committed: %s", rc.Summary)
	}
	// What the reports say of an expected violation: the types the models
	// forbid (repeatable read allows G-single, so it is not named).
	if !strings.Contains(rc.Found, "lost-update") || strings.Contains(rc.Found, "G-single") || si.Found != "" {
		t.Errorf("found: read committed %q, snapshot isolation %q", rc.Found, si.Found)
	}
}
