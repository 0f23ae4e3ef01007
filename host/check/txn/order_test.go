package txn

import (
	"math/rand/v2"
	"testing"

	"github.com/ducktape-go/ducktape/host/history"
)

// TestRealtimeOrderIsAReduction checks realtimeOrder on random histories
// of overlapping transactions, some never completing: every edge is in the
// real-time order (a committed before b was invoked), every pair of the
// order is implied by a path of edges, and there are at most as many edges
// per transaction as there were transactions running at once.
func TestRealtimeOrderIsAReduction(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for round := range 100 {
		procs := 1 + rng.IntN(6)
		tx := &txns{}
		open := make([]int32, procs) // process -> its transaction + 1
		running, most := 0, 0
		for event := int32(0); len(tx.txns) < 60 || running > 0; event++ {
			p := rng.IntN(procs)
			switch {
			case open[p] == 0 && len(tx.txns) < 60:
				tx.txns = append(tx.txns, txn{index: event, completion: -1, typ: history.Info, process: p})
				open[p] = int32(len(tx.txns))
				running++
				most = max(most, running)
			case open[p] != 0:
				x := &tx.txns[open[p]-1]
				x.completion = event
				x.typ = []history.Type{history.OK, history.OK, history.Info}[rng.IntN(3)]
				open[p] = 0
				running--
			}
		}
		all := make([]int32, len(tx.txns))
		for i := range all {
			all[i] = int32(i)
		}
		n := len(all)
		edges := make([][]bool, n)
		for i := range edges {
			edges[i] = make([]bool, n)
		}
		count := 0
		realtimeOrder(tx, all, func(a, b int32) {
			x, y := tx.txns[a], tx.txns[b]
			if x.typ != history.OK || x.completion > y.index {
				t.Fatalf("round %d: edge %d -> %d, but %d did not commit before %d began", round, a, b, a, b)
			}
			edges[a][b] = true
			count++
		})
		if count > n*most {
			t.Errorf("round %d: %d edges for %d transactions, at most %d running at once", round, count, n, most)
		}
		for a := range n { // closure by Floyd-Warshall
			for b := range n {
				for c := range n {
					edges[b][c] = edges[b][c] || (edges[b][a] && edges[a][c])
				}
			}
		}
		for a, x := range tx.txns {
			for b, y := range tx.txns {
				if x.typ == history.OK && x.completion < y.index && !edges[a][b] {
					t.Fatalf("round %d: %d committed before %d began, but no path of edges says so", round, a, b)
				}
			}
		}
	}
}

// TestProcessOrderSkipsUnknownOutcomes: consecutive committed transactions
// of each process, none from or to one of unknown outcome.
func TestProcessOrderSkipsUnknownOutcomes(t *testing.T) {
	tx := &txns{txns: []txn{
		{process: 1, typ: history.OK}, {process: 2, typ: history.OK}, {process: 1, typ: history.Info},
		{process: 1, typ: history.OK}, {process: 2, typ: history.OK},
	}}
	var got [][2]int32
	processOrder(tx, []int32{0, 1, 2, 3, 4}, func(a, b int32) { got = append(got, [2]int32{a, b}) })
	if want := [][2]int32{{0, 3}, {1, 4}}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("process edges %v, want %v", got, want)
	}
}
