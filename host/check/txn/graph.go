package txn

import "strings"

// rel is a set of dependency relations, as edge labels: one edge of the
// graph may stand for several.
type rel uint8

const (
	// ww: the first transaction wrote a version of a key, the second the
	// next version.
	ww rel = 1 << iota
	// wr: the second transaction read what the first wrote.
	wr
	// rw: the first transaction read a version of a key, the second wrote
	// the next version (an anti-dependency).
	rw
	// process: one process ran the first, then the second.
	process
	// realtime: the first completed before the second was invoked.
	realtime
)

var relNames = []struct {
	r    rel
	name string
}{{ww, "ww"}, {wr, "wr"}, {rw, "rw"}, {process, "process"}, {realtime, "realtime"}}

func (r rel) String() string {
	var parts []string
	for _, n := range relNames {
		if r&n.r != 0 {
			parts = append(parts, n.name)
		}
	}
	return strings.Join(parts, "+")
}

// edgeList collects edges before they become a graph; self-edges are
// dropped.
type edgeList struct {
	from, to []int32
	rel      []rel
}

func (e *edgeList) add(from, to int32, r rel) {
	if from == to {
		return
	}
	e.from = append(e.from, from)
	e.to = append(e.to, to)
	e.rel = append(e.rel, r)
}

// graph is a directed graph over vertices 0..n-1 in compressed sparse rows:
// the edges out of v are to[off[v]:off[v+1]], labelled rel[...]. There is
// at most one edge from a vertex to another (its label the union of the
// relations added) and none to itself.
type graph struct {
	off []int32
	to  []int32
	rel []rel
}

func (g *graph) n() int { return len(g.off) - 1 }

// buildGraph makes the graph of n vertices with e's edges, merging
// parallel edges and dropping self-edges: a counting sort by source, then
// one pass per row.
// O(n + edges) time and memory.
func buildGraph(n int, e *edgeList) *graph {
	g := &graph{off: make([]int32, n+1)}
	for _, f := range e.from {
		g.off[f+1]++
	}
	for v := range n {
		g.off[v+1] += g.off[v]
	}
	to := make([]int32, len(e.to))
	rels := make([]rel, len(e.to))
	next := append([]int32(nil), g.off[:n]...)
	for i, f := range e.from {
		to[next[f]] = e.to[i]
		rels[next[f]] = e.rel[i]
		next[f]++
	}
	// Merge parallel edges row by row: slot[w] is where row v keeps its
	// edge to w, valid while owner[w] == v.
	slot := make([]int32, n)
	owner := make([]int32, n)
	for i := range owner {
		owner[i] = -1
	}
	out := int32(0)
	for v := range int32(n) {
		start := out
		for i := g.off[v]; i < g.off[v+1]; i++ {
			w := to[i]
			if w == v {
				continue
			}
			if owner[w] == v {
				rels[slot[w]] |= rels[i]
				continue
			}
			owner[w], slot[w] = v, out
			to[out], rels[out] = w, rels[i]
			out++
		}
		g.off[v] = start
	}
	g.off[n] = out
	g.to, g.rel = to[:out:out], rels[:out:out]
	return g
}

// subgraph returns the graph induced by the vertices vs (vertex i of the
// result is vs[i]), keeping the edges whose label meets mask. local is
// scratch space of g.n() entries, all -1, and left so.
func (g *graph) subgraph(vs []int32, mask rel, local []int32) *graph {
	for i, v := range vs {
		local[v] = int32(i)
	}
	var e edgeList
	for i, v := range vs {
		for j := g.off[v]; j < g.off[v+1]; j++ {
			if w := g.to[j]; g.rel[j]&mask != 0 && local[w] >= 0 {
				e.add(int32(i), local[w], g.rel[j]&mask)
			}
		}
	}
	for _, v := range vs {
		local[v] = -1
	}
	return buildGraph(len(vs), &e)
}

// components returns the strongly connected components of g, following
// only edges whose label meets mask and, when in is not nil, only vertices
// v with in[v]; components of one vertex (which have no cycle, as g has no
// self-edges) are left out. comp[v] is v's component's index, -1 for the
// others. Tarjan's algorithm, iterative (an explicit stack of vertices and
// edge positions rather than recursion, so a component of a million
// transactions cannot overflow the goroutine stack): O(n + edges).
func (g *graph) components(mask rel, in []bool) (comps [][]int32, comp []int32) {
	n := g.n()
	index := make([]int32, n) // 0: not visited; else its visit number
	low := make([]int32, n)
	onStack := make([]bool, n)
	comp = make([]int32, n)
	var stack []int32
	type frame struct{ v, edge int32 }
	var calls []frame
	counter := int32(0)
	visit := func(v int32) {
		counter++
		index[v], low[v] = counter, counter
		stack = append(stack, v)
		onStack[v] = true
		calls = append(calls, frame{v, g.off[v]})
	}
	for s := range int32(n) {
		if index[s] != 0 || (in != nil && !in[s]) {
			continue
		}
		visit(s)
		for len(calls) > 0 {
			f := &calls[len(calls)-1]
			if f.edge < g.off[f.v+1] {
				e := f.edge
				f.edge++
				w := g.to[e]
				if g.rel[e]&mask == 0 || (in != nil && !in[w]) {
					continue
				}
				if index[w] == 0 {
					visit(w)
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				p := calls[len(calls)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			i := len(stack) - 1
			for stack[i] != v {
				i--
			}
			members := stack[i:]
			for _, m := range members {
				onStack[m] = false
				comp[m] = -1
			}
			if len(members) > 1 {
				c := append([]int32(nil), members...)
				for _, m := range c {
					comp[m] = int32(len(comps))
				}
				comps = append(comps, c)
			}
			stack = stack[:i]
		}
	}
	for v := range n {
		if index[v] == 0 {
			comp[v] = -1
		}
	}
	return comps, comp
}
