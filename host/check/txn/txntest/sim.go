// Package txntest simulates databases running list-append transactions,
// for the tests and benchmarks of the transactional checkers: a strictly
// serializable one whose histories must show no anomaly, and weaker ones
// whose anomalies are known.
package txntest

import (
	"math/rand/v2"
	"time"

	"github.com/ducktape-go/ducktape/host/history"
)

// Isolation is how the simulated database runs transactions.
type Isolation int

const (
	// StrictSerializable: each transaction takes effect at once, at its
	// commit, between its invocation and completion.
	StrictSerializable Isolation = iota
	// SnapshotIsolation: reads see the state committed when the
	// transaction began (and its own appends); a commit fails when another
	// transaction committed an append to one of its keys since
	// (first committer wins).
	SnapshotIsolation
	// ReadCommitted: each read sees the latest committed state (and the
	// transaction's own appends); commits never fail.
	ReadCommitted
)

// Config describes a simulated list-append workload, as Elle's generator
// makes them: Processes run Txns transactions of 1-4 micro-ops (half
// reads, half appends, of numbers 1, 2, 3... per key) over a pool of Keys
// active keys (numbers); a key is retired after MaxWrites appends and
// replaced by a fresh one, so reads stay short.
type Config struct {
	Txns, Processes, Keys, MaxWrites int
	Isolation                        Isolation
	Seed                             uint64
	// InfoRate is the fraction of transactions that end as info (half of
	// them having taken effect).
	InfoRate float64
}

// Simulate runs the workload against an in-memory database and returns its
// history. Each transaction is an invocation, one scheduling step per
// micro-op and a commit, the processes' steps interleaved at random.
func Simulate(c Config) history.File {
	rng := rand.New(rand.NewPCG(c.Seed, 7))
	type element struct {
		v      int
		commit int // the commit sequence number that added it
	}
	db := map[int][]element{} // key -> committed list
	commits := 0
	writes := map[int]int{} // key -> appends generated
	active := make([]int, c.Keys)
	for i := range active {
		active[i] = i
	}
	nextKey := c.Keys
	type running struct {
		event    int
		mops     [][]any
		step     int
		snapshot int
		appends  map[int][]int // key -> own appends, in order
	}
	procs := make([]*running, c.Processes)
	var f history.File
	clock := time.Duration(0)
	emit := func(typ history.Type, p int, value any, invoke int) int {
		clock += time.Microsecond
		i := len(f.Events)
		f.Events = append(f.Events, history.Event{Index: i, Type: typ, Process: p, F: "txn", Value: value, Time: clock, Invoke: invoke})
		return i
	}
	visible := func(r *running, k int) []any { // what a read of k sees
		var out []any
		for _, e := range db[k] {
			if c.Isolation == SnapshotIsolation && e.commit > r.snapshot {
				break
			}
			out = append(out, float64(e.v))
		}
		for _, v := range r.appends[k] {
			out = append(out, float64(v))
		}
		return out
	}
	apply := func(r *running) {
		commits++
		for _, m := range r.mops {
			if m[0] == "append" {
				k := int(m[1].(float64))
				db[k] = append(db[k], element{int(m[2].(float64)), commits})
			}
		}
	}
	started, inflight := 0, 0
	for started < c.Txns || inflight > 0 {
		p := rng.IntN(c.Processes)
		r := procs[p]
		switch {
		case r == nil && started < c.Txns:
			started++
			n := 1 + rng.IntN(4)
			r = &running{mops: make([][]any, n), snapshot: commits, appends: map[int][]int{}}
			inv := make([]any, n)
			for i := range n {
				ki := rng.IntN(len(active))
				k := active[ki]
				if rng.IntN(2) == 0 {
					r.mops[i] = []any{"r", float64(k), nil}
				} else {
					writes[k]++
					r.mops[i] = []any{"append", float64(k), float64(writes[k])}
					if writes[k] == c.MaxWrites {
						active[ki] = nextKey
						nextKey++
					}
				}
				inv[i] = r.mops[i]
			}
			r.event = emit(history.Invoke, p, inv, -1)
			procs[p] = r
			inflight++
		case r == nil:
		case r.step < len(r.mops): // one micro-op
			m := r.mops[r.step]
			k := int(m[1].(float64))
			if m[0] == "r" {
				r.mops[r.step] = []any{"r", m[1], visible(r, k)}
			} else {
				r.appends[k] = append(r.appends[k], int(m[2].(float64)))
			}
			r.step++
		default: // commit and complete
			procs[p] = nil
			inflight--
			if c.Isolation == StrictSerializable { // the whole transaction, now
				r.appends = map[int][]int{}
				for i, m := range r.mops {
					k := int(m[1].(float64))
					if m[0] == "r" {
						r.mops[i] = []any{"r", m[1], visible(r, k)}
					} else {
						r.appends[k] = append(r.appends[k], int(m[2].(float64)))
					}
				}
			}
			if c.Isolation == SnapshotIsolation {
				conflict := false
				for k := range r.appends {
					if l := db[k]; len(l) > 0 && l[len(l)-1].commit > r.snapshot {
						conflict = true
					}
				}
				if conflict {
					emit(history.Fail, p, nil, r.event)
					continue
				}
			}
			if rng.Float64() < c.InfoRate {
				if rng.IntN(2) == 0 {
					apply(r)
				}
				emit(history.Info, p, f.Events[r.event].Value, r.event)
				continue
			}
			apply(r)
			out := make([]any, len(r.mops))
			for i, m := range r.mops {
				out[i] = m
			}
			emit(history.OK, p, out, r.event)
		}
	}
	// An info completion keeps the invoked value (reads None), a fail too.
	for i, e := range f.Events {
		if e.Type == history.Fail {
			f.Events[i].Value = f.Events[e.Invoke].Value
		}
	}
	return f
}
