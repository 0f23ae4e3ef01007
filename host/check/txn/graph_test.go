package txn

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// randomEdges returns m random edges between n vertices, each with one or
// two relations of labels (self-edges included: the graph must drop them).
func randomEdges(rng *rand.Rand, n, m int, labels []rel) *edgeList {
	e := &edgeList{}
	for range m {
		r := labels[rng.IntN(len(labels))]
		if rng.IntN(4) == 0 {
			r |= labels[rng.IntN(len(labels))]
		}
		e.add(int32(rng.IntN(n)), int32(rng.IntN(n)), r)
		if rng.IntN(10) == 0 { // a self-edge, added past add's check
			v := int32(rng.IntN(n))
			e.from, e.to, e.rel = append(e.from, v), append(e.to, v), append(e.rel, r)
		}
	}
	return e
}

// TestBuildGraphMergesParallelEdges: one edge per ordered pair, labelled
// with every relation added for it, none to itself (add drops those).
func TestBuildGraphMergesParallelEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		n := 1 + rng.IntN(12)
		e := randomEdges(rng, n, rng.IntN(60), []rel{ww, wr, rw, process, realtime})
		want := map[[2]int32]rel{}
		for i := range e.from {
			if e.from[i] != e.to[i] {
				want[[2]int32{e.from[i], e.to[i]}] |= e.rel[i]
			}
		}
		g := buildGraph(n, e)
		got := map[[2]int32]rel{}
		for v := range int32(n) {
			for i := g.off[v]; i < g.off[v+1]; i++ {
				pair := [2]int32{v, g.to[i]}
				if _, dup := got[pair]; dup {
					t.Fatalf("two edges %v", pair)
				}
				got[pair] = g.rel[i]
			}
		}
		if len(got) != len(want) {
			t.Fatalf("%d edges, want %d", len(got), len(want))
		}
		for pair, r := range want {
			if got[pair] != r {
				t.Fatalf("edge %v labelled %v, want %v", pair, got[pair], r)
			}
		}
	}
}

// TestComponentsMatchReachability: two vertices are in one component
// exactly when each reaches the other over the edges the mask keeps;
// components of one vertex are left out.
func TestComponentsMatchReachability(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		n := 1 + rng.IntN(15)
		g := buildGraph(n, randomEdges(rng, n, rng.IntN(3*n), []rel{ww, wr, rw}))
		mask := []rel{ww, ww | wr, ^rel(0)}[rng.IntN(3)]
		reach := make([][]bool, n)
		for s := range n {
			reach[s] = make([]bool, n)
			stack := []int32{int32(s)}
			for len(stack) > 0 {
				v := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for i := g.off[v]; i < g.off[v+1]; i++ {
					if w := g.to[i]; g.rel[i]&mask != 0 && !reach[s][w] {
						reach[s][w] = true
						stack = append(stack, w)
					}
				}
			}
		}
		comps, comp := g.components(mask, nil)
		for v := range n {
			for w := range n {
				same := v != w && reach[v][w] && reach[w][v]
				if got := comp[v] >= 0 && comp[v] == comp[w] && v != w; got != same {
					t.Fatalf("vertices %d, %d: in one component %v, mutually reachable %v", v, w, got, same)
				}
			}
			if comp[v] >= 0 && !slices.Contains(comps[comp[v]], int32(v)) {
				t.Fatalf("vertex %d is not in its component %v", v, comps[comp[v]])
			}
			if comp[v] < 0 && reach[v][v] {
				t.Fatalf("vertex %d is on a cycle but in no component", v)
			}
		}
	}
}

// TestComponentsOfALongChainDoNotRecurse: a cycle of 300,000 vertices is
// one component (a recursive Tarjan would go 300,000 calls deep).
func TestComponentsOfALongChainDoNotRecurse(t *testing.T) {
	const n = 300_000
	e := &edgeList{}
	for v := range int32(n) {
		e.add(v, (v+1)%n, ww)
	}
	comps, _ := buildGraph(n, e).components(ww, nil)
	if len(comps) != 1 || len(comps[0]) != n {
		t.Fatalf("%d components", len(comps))
	}
}
