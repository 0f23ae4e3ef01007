package txn

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"
)

// simpleCycles calls fn with every simple cycle of g (each once, starting at
// its least vertex) and every choice of one relation per edge.
func simpleCycles(g *graph, fn func(labels []rel)) {
	n := int32(g.n())
	var path []int32
	var labels []rel
	on := make([]bool, n)
	var walk func(start, v int32)
	walk = func(start, v int32) {
		for i := g.off[v]; i < g.off[v+1]; i++ {
			w := g.to[i]
			if w < start || (on[w] && w != start) {
				continue
			}
			for r := g.rel[i]; r != 0; r &= r - 1 {
				labels = append(labels, r&-r)
				if w == start {
					fn(labels)
				} else {
					on[w] = true
					path = append(path, w)
					walk(start, w)
					path = path[:len(path)-1]
					on[w] = false
				}
				labels = labels[:len(labels)-1]
			}
		}
	}
	for s := range n {
		on[s] = true
		walk(s, s)
		on[s] = false
	}
}

// TestShortestMatchesEnumeration compares the search with the brute force
// on small random graphs: for each class, the shortest simple cycle that
// classify names so (enumerating every cycle and every reading of its
// edges). What the search finds must be a cycle of the graph of the class,
// never shorter than the shortest. Where a closed walk that repeats a
// vertex hides the shortest (see shortest), it may find a longer one, or
// none: that is allowed in a few cases in a thousand, measured here on
// random graphs whose process and realtime edges, unlike a history's,
// need not follow time. (Measured: 8 of 4,682.)
func TestShortestMatchesEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	present, longer, missed := 0, 0, 0
	for round := range 2000 {
		n := 2 + rng.IntN(9)
		g := buildGraph(n, randomEdges(rng, n, 1+rng.IntN(3*n), []rel{ww, wr, rw, rw, process, realtime}))
		shortest := map[string]int{}
		simpleCycles(g, func(labels []rel) {
			name := classify(labels)
			if l, ok := shortest[name]; name != "" && (!ok || len(labels) < l) {
				shortest[name] = len(labels)
			}
		})
		s := newSearcher(context.Background(), g, time.Minute)
		for _, c := range classes {
			cyc, err := s.shortest(c)
			if err != nil {
				t.Fatal(err)
			}
			want, exists := shortest[c.name]
			if exists {
				present++
			}
			switch {
			case cyc == nil && exists:
				missed++
			case cyc != nil && !exists:
				t.Fatalf("round %d, %s: found %v, but the graph has no such cycle", round, c.name, cyc)
			case cyc != nil:
				checkCycle(t, g, cyc, c.name)
				if len(cyc.vs) < want {
					t.Fatalf("round %d, %s: found a cycle of %d edges, shorter than the shortest, %d", round, c.name, len(cyc.vs), want)
				}
				if len(cyc.vs) > want {
					longer++
				}
			}
		}
	}
	t.Logf("of %d classes present: %d found longer than the shortest, %d missed", present, longer, missed)
	if longer+missed > present/200 {
		t.Errorf("of %d classes present: %d found longer than the shortest, %d missed", present, longer, missed)
	}
}

// checkCycle checks that cyc is a simple cycle of g whose labels are its
// edges' relations and make a cycle of class name.
func checkCycle(t *testing.T, g *graph, cyc *cycle, name string) {
	t.Helper()
	seen := map[int32]bool{}
	for i, v := range cyc.vs {
		if seen[v] {
			t.Fatalf("%s: %v repeats vertex %d", name, cyc.vs, v)
		}
		seen[v] = true
		w := cyc.vs[(i+1)%len(cyc.vs)]
		found := false
		for e := g.off[v]; e < g.off[v+1]; e++ {
			found = found || (g.to[e] == w && g.rel[e]&cyc.labels[i] != 0)
		}
		if !found {
			t.Fatalf("%s: no %v edge %d -> %d", name, cyc.labels[i], v, w)
		}
	}
	if got := classify(cyc.labels); got != name {
		t.Fatalf("a %s cycle classifies as %s: %v", name, got, cyc.labels)
	}
}

// TestShortestGivesUpAtTheDeadline: a search past its deadline ends with
// errTimeout.
func TestShortestGivesUpAtTheDeadline(t *testing.T) {
	// A large component without any cycle of one rw edge: a ring of ww
	// edges with rw chords that always skip ahead by two.
	const n = 3000
	e := &edgeList{}
	for v := range int32(n) {
		e.add(v, (v+1)%n, ww)
		e.add(v, (v+2)%n, rw)
	}
	g := buildGraph(n, e)
	s := newSearcher(context.Background(), g, time.Millisecond)
	if _, err := s.shortest(class{name: "G2-item", kind: kindG2Item}); err != errTimeout {
		t.Fatalf("shortest = %v, want errTimeout", err)
	}
}
