package txn

import (
	"slices"

	"github.com/ducktape-go/ducktape/host/history"
)

// processOrder calls emit(a, b) for each process's consecutive committed
// transactions of txs (transaction indices in invocation order): a process
// runs one transaction at a time, so b began after a ended. Transactions of
// unknown outcome are skipped: they may take effect after the process's
// next one.
func processOrder(t *txns, txs []int32, emit func(a, b int32)) {
	last := map[int]int32{}
	for _, ti := range txs {
		x := &t.txns[ti]
		if x.typ != history.OK {
			continue
		}
		if p, ok := last[x.process]; ok {
			emit(p, ti)
		}
		last[x.process] = ti
	}
}

// realtimeOrder calls emit(a, b) for a transitive reduction of the
// real-time order of txs (transaction indices in invocation order): a
// precedes b when a committed before b was invoked. Walking the events in
// history order, it keeps the frontier: the committed transactions not yet
// followed by another committed one. An invocation is linked from every
// transaction of the frontier; a completion removes from the frontier the
// transactions linked to it (they precede it, and it precedes whatever is
// invoked later) and joins it. The transactions of the frontier overlap
// one another, so there are at most as many as were ever running at once,
// c: O(n log n + n·c) time for n transactions (the log for sorting the
// completions into the invocations), never the O(n²) edges of the full
// order. Transactions of unknown outcome get edges in, never out.
func realtimeOrder(t *txns, txs []int32, emit func(a, b int32)) {
	// Events as (event index, position in txs, completion?) packed in a
	// uint64, sorted.
	events := make([]uint64, 0, 2*len(txs))
	for i, ti := range txs {
		x := &t.txns[ti]
		events = append(events, uint64(x.index)<<32|uint64(i)<<1)
		if x.typ == history.OK {
			events = append(events, uint64(x.completion)<<32|uint64(i)<<1|1)
		}
	}
	slices.Sort(events)
	at := make([]int32, len(txs)) // position in frontier, -1 when not in it
	for i := range at {
		at[i] = -1
	}
	// Each transaction's predecessors: preds[predOff[i]:predEnd[i]].
	predOff := make([]int32, len(txs))
	predEnd := make([]int32, len(txs))
	preds := make([]int32, 0, 4*len(txs))
	var frontier []int32
	for _, ev := range events {
		i := int32(ev & 0xffffffff >> 1)
		if ev&1 == 0 { // invoke
			predOff[i] = int32(len(preds))
			for _, f := range frontier {
				emit(txs[f], txs[i])
				preds = append(preds, f)
			}
			predEnd[i] = int32(len(preds))
			continue
		}
		for _, p := range preds[predOff[i]:predEnd[i]] {
			if j := at[p]; j >= 0 {
				last := frontier[len(frontier)-1]
				frontier[j], at[last] = last, j
				frontier = frontier[:len(frontier)-1]
				at[p] = -1
			}
		}
		at[i] = int32(len(frontier))
		frontier = append(frontier, i)
	}
}
