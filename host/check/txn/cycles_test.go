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
// edges). What the search finds must be a simple cycle of the graph, of
// the class, exactly as short as the shortest, and it must find one
// wherever one exists. The graphs' process and realtime edges, unlike a
// history's, need not follow time, which makes the hard cases (a shortest
// closed walk that repeats a vertex) commoner: the test counts how often
// the search needed its exact fallback.
func TestShortestMatchesEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	present, fallbacks := 0, 0
	for round := range 3000 {
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
				t.Fatalf("round %d, %s: found none, but the graph has one of %d edges", round, c.name, want)
			case cyc != nil && !exists:
				t.Fatalf("round %d, %s: found %v, but the graph has no such cycle", round, c.name, cyc)
			case cyc != nil:
				checkCycle(t, g, cyc, c.name)
				if len(cyc.vs) != want {
					t.Fatalf("round %d, %s: found a cycle of %d edges, the shortest has %d", round, c.name, len(cyc.vs), want)
				}
			}
		}
		if s.rev != nil {
			fallbacks++
		}
	}
	t.Logf("%d classes present; %d graphs needed the exact fallback", present, fallbacks)
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

// TestExactGivesUpAtTheDeadline: the exact fallback, exponential at worst,
// also ends with errTimeout. From vertex 0 a chain of 40 diamonds of ww
// edges leads to a vertex that goes back to 0 (ww) or to 1 and back
// (process edges). The shortest closed walk of G0-process from 0 passes
// that vertex twice, and no simple G0-process cycle exists, so the
// fallback tries every simple path through the diamonds: 2^40 of them,
// each with 0 still reachable.
func TestExactGivesUpAtTheDeadline(t *testing.T) {
	e := &edgeList{}
	e.add(0, 2, ww)
	join := diamonds(e, 2, 40, ww)
	e.add(join, 0, ww)
	e.add(join, 1, process)
	e.add(1, join, process)
	g := buildGraph(int(join)+1, e)
	s := newSearcher(context.Background(), g, 50*time.Millisecond)
	if _, err := s.shortest(class{name: "G0-process", kind: kindG0, extra: process, need: process}); err != errTimeout {
		t.Fatalf("shortest = %v, want errTimeout", err)
	}
	if s.rev == nil {
		t.Fatal("the exact fallback did not run")
	}
}

// TestExactPrunesWalledInPaths: a path that can no longer get back to its
// start without crossing itself is cut at once. The shortest closed walk
// of G0-process from 0 goes 0 -ww-> 1 -process-> ... -process-> 1 -ww-> 0
// through a chain of 40 diamonds of process edges from 1 back to 1; no
// simple G0-process cycle exists, and every path into the diamonds has
// walled 0 off (only 1 leads back), so the fallback proves it at once
// rather than trying 2^40 paths.
func TestExactPrunesWalledInPaths(t *testing.T) {
	e := &edgeList{}
	e.add(0, 1, ww)
	e.add(1, 0, ww)
	join := diamonds(e, 1, 40, process)
	e.add(join, 1, process)
	g := buildGraph(int(join)+1, e)
	s := newSearcher(context.Background(), g, time.Minute)
	if cyc, err := s.shortest(class{name: "G0-process", kind: kindG0, extra: process, need: process}); cyc != nil || err != nil {
		t.Fatalf("shortest = %v, %v; want none", cyc, err)
	}
	if s.rev == nil {
		t.Fatal("the exact fallback did not run")
	}
}

// diamonds adds a chain of n diamonds of edges r from vertex from, each
// through two new vertices to the next join (a new vertex), and returns
// the last join: 2^n paths, over vertices from+1 to from+3n.
func diamonds(e *edgeList, from int32, n int, r rel) int32 {
	join := from
	for range n {
		a, b, next := join+1, join+2, join+3
		e.add(join, a, r)
		e.add(join, b, r)
		e.add(a, next, r)
		e.add(b, next, r)
		join = next
	}
	return join
}
