package txn

import (
	"context"
	"errors"
	"time"
)

// kind is the data-dependency shape of a cycle class (Adya's, as Elle
// classifies cycles).
type kind uint8

const (
	kindG0           kind = iota // ww edges only
	kindG1c                      // ww and wr, at least one wr
	kindGSingle                  // exactly one rw, the rest ww and wr
	kindGNonadjacent             // two or more rw, no two adjacent
	kindG2Item                   // two or more rw, some two adjacent
)

// class is a cycle anomaly: a shape and the extra (non-data) relations
// its variant allows; a variant's cycle must use at least one edge of need.
type class struct {
	name  string
	kind  kind
	extra rel // process (the -process variants); process and realtime (-realtime)
	need  rel // the relation a variant's cycle must use
}

var shapes = []struct {
	name string
	kind kind
}{{"G0", kindG0}, {"G1c", kindG1c}, {"G-single", kindGSingle}, {"G-nonadjacent", kindGNonadjacent}, {"G2-item", kindG2Item}}

// classes are the cycle anomalies in the order they are searched for,
// the worst first (Elle's order): the plain ones, then the -process
// variants, then the -realtime ones.
var classes = func() []class {
	var out []class
	for _, v := range []struct {
		suffix      string
		extra, need rel
	}{{"", 0, 0}, {"-process", process, process}, {"-realtime", process | realtime, realtime}} {
		for _, s := range shapes {
			out = append(out, class{name: s.name + v.suffix, kind: s.kind, extra: v.extra, need: v.need})
		}
	}
	return out
}()

// CycleClasses are the names of the cycle anomalies, in search order.
func CycleClasses() []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = c.name
	}
	return out
}

// The automaton of a class reads a cycle's edges in order, starting from
// a canonical first edge: a G1c cycle is rotated to start with a wr edge,
// a G-single, G-nonadjacent or G2-item one with an rw edge (for G2-item,
// the first of two adjacent rw edges). Each step takes one relation of
// its edge; its states:
const (
	stStart  = iota // no edge read yet
	stOn            // G0, G1c, G-single: the cycle so far is of the class
	stNoData        // G0 variants: only process or realtime edges so far
	stRW1           // G-nonadjacent: one rw so far, the last edge rw; G2-item: the first rw read
	stGap1          // G-nonadjacent: one rw so far, the last edge not rw
	stRWn           // G-nonadjacent: several rw, the last rw
	stGapN          // G-nonadjacent: several rw, the last not rw
	stFree          // G2-item: two adjacent rw read, anything may follow
	baseStates
)

// label indices of the transition tables.
const (
	lWW = iota
	lWR
	lRW
	lOther // process or realtime
)

func labelIndex(r rel) int {
	switch r {
	case ww:
		return lWW
	case wr:
		return lWR
	case rw:
		return lRW
	}
	return lOther
}

// step is the transition function: the state after reading an edge of
// relation label (one relation) in state st, or -1 when no cycle of the
// kind reads it there.
func (k kind) step(st int, label int) int {
	switch k {
	case kindG0:
		switch {
		case label == lWW:
			return stOn
		case label == lOther && st == stOn:
			return stOn
		case label == lOther:
			return stNoData
		}
	case kindG1c:
		switch {
		case st == stStart && label == lWR:
			return stOn
		case st == stOn && label != lRW:
			return stOn
		}
	case kindGSingle:
		switch {
		case st == stStart && label == lRW:
			return stOn
		case st == stOn && label != lRW:
			return stOn
		}
	case kindGNonadjacent:
		switch {
		case st == stStart:
			if label == lRW {
				return stRW1
			}
		case label == lRW && (st == stGap1 || st == stGapN):
			return stRWn
		case label != lRW && (st == stRW1 || st == stGap1):
			return stGap1
		case label != lRW && (st == stRWn || st == stGapN):
			return stGapN
		}
	case kindG2Item:
		switch {
		case st == stStart && label == lRW:
			return stRW1
		case st == stRW1 && label == lRW:
			return stFree
		case st == stFree:
			return stFree
		}
	}
	return -1
}

// accepts reports whether a cycle read up to state st (back at its first
// transaction) is of the kind. A G-nonadjacent cycle starts with rw, so
// it must not end with one.
func (k kind) accepts(st int) bool {
	switch k {
	case kindGNonadjacent:
		return st == stGapN
	case kindG2Item:
		return st == stFree
	}
	return st == stOn
}

// firstRel is the relation a class's rotated cycle starts with (0: any).
func (k kind) firstRel() rel {
	switch k {
	case kindG1c:
		return wr
	case kindGSingle, kindGNonadjacent, kindG2Item:
		return rw
	}
	return 0
}

func (k kind) minLen() int {
	if k == kindGNonadjacent {
		return 4
	}
	return 2
}

func (k kind) data() rel {
	switch k {
	case kindG0:
		return ww
	case kindG1c:
		return ww | wr
	}
	return ww | wr | rw
}

// classify names the class of a simple cycle from the relation each of
// its edges stands for, as Elle's cycle explainer does: its data shape by
// the number and adjacency of rw edges, then of wr and ww edges, and a
// -realtime (else -process) suffix when it uses such an edge. "" for a
// cycle of no data edge (none exists: process and real-time order follow
// time).
func classify(labels []rel) string {
	var n [5]int
	adjacent := false
	for i, l := range labels {
		switch l {
		case ww:
			n[0]++
		case wr:
			n[1]++
		case rw:
			n[2]++
			adjacent = adjacent || labels[(i+1)%len(labels)] == rw
		case process:
			n[3]++
		case realtime:
			n[4]++
		}
	}
	var name string
	switch {
	case n[2] == 1:
		name = "G-single"
	case n[2] > 1 && adjacent:
		name = "G2-item"
	case n[2] > 1:
		name = "G-nonadjacent"
	case n[1] > 0:
		name = "G1c"
	case n[0] > 0:
		name = "G0"
	default:
		return ""
	}
	switch {
	case n[4] > 0:
		return name + "-realtime"
	case n[3] > 0:
		return name + "-process"
	}
	return name
}

// errTimeout is a search that ran out of its time limit.
var errTimeout = errors.New("the cycle search ran out of time")

// cycle is a cycle of the local graph: its vertices and the relation each
// edge (vertex i to i+1, the last to the first) stands for.
type cycle struct {
	vs     []int32
	labels []rel
}

// searcher finds shortest cycles of each class in one strongly connected
// component. Not safe for concurrent use.
type searcher struct {
	ctx      context.Context
	deadline time.Time
	pops     int
	g        *graph
	visited  []uint32 // stamp of each (vertex, state)
	stamp    uint32
	queue    []entry
	removed  []bool
}

type entry struct {
	v      int32
	state  uint8
	label  rel   // the relation of the edge that led here
	parent int32 // queue index of the entry before; -1 for the start
	depth  int32
}

func newSearcher(ctx context.Context, g *graph, limit time.Duration) *searcher {
	return &searcher{ctx: ctx, deadline: time.Now().Add(limit), g: g, removed: make([]bool, g.n())}
}

// shortest returns a shortest simple cycle of class c in the component,
// or nil when there is none. Per class: the strongly connected components
// of the edges c may use narrow the search (a cycle lies in one); its
// canonical first edges give the start vertices; from each start in turn,
// a breadth-first search over (vertex, automaton state) pairs finds the
// shortest closed walk the automaton accepts, shorter than the best so
// far. For a class whose cycles are not rotated (G0 and its variants) the
// start is then removed: every cycle through it was considered. A closed
// walk that repeats a vertex is split into simple cycles and counts only
// if one of them is of the class, which can hide a cycle of the class
// whose walk the search pruned (rare: a test measures it). Worst case
// O(k·e·s) for k vertices, e edges and s states (at most 16); it stops
// early at a cycle as short as the class allows, and returns errTimeout
// past the deadline.
func (s *searcher) shortest(c class) (*cycle, error) {
	g := s.g
	mask := c.kind.data() | c.extra
	comps, comp := g.components(mask, nil)
	if len(comps) == 0 {
		return nil, nil
	}
	first := c.kind.firstRel()
	rotated := first != 0
	if !rotated {
		first = mask
	}
	hasNeed := make([]bool, len(comps))
	var starts []int32
	for v := range int32(g.n()) {
		cv := comp[v]
		if cv < 0 {
			continue
		}
		start := false
		for e := g.off[v]; e < g.off[v+1]; e++ {
			if comp[g.to[e]] != cv {
				continue
			}
			start = start || g.rel[e]&first != 0
			hasNeed[cv] = hasNeed[cv] || g.rel[e]&c.need != 0
		}
		if start {
			starts = append(starts, v)
		}
	}
	states := baseStates * 2 // × whether the variant's needed relation was used
	if len(s.visited) < g.n()*states {
		s.visited = make([]uint32, g.n()*states)
		s.stamp = 0
	}
	clear(s.removed)
	var best *cycle
	for _, start := range starts {
		if c.need != 0 && !hasNeed[comp[start]] {
			continue
		}
		found, err := s.from(start, c, mask, comp, best)
		if err != nil {
			return best, err
		}
		if found != nil {
			best = found
			if len(best.vs) == c.kind.minLen() {
				break
			}
		}
		// Every cycle through start was considered, unless cycles are
		// rotated: then start may lie on a cycle whose rotation begins
		// elsewhere.
		s.removed[start] = !rotated
	}
	return best, nil
}

// from is the breadth-first search of shortest from one start; it returns
// a cycle shorter than best, or nil.
func (s *searcher) from(start int32, c class, mask rel, comp []int32, best *cycle) (*cycle, error) {
	g := s.g
	limit := int32(1 << 30)
	if best != nil {
		limit = int32(len(best.vs))
	}
	s.stamp++
	if s.stamp == 0 { // wrapped: forget every old stamp
		clear(s.visited)
		s.stamp = 1
	}
	s.queue = append(s.queue[:0], entry{v: start, state: stStart * 2, parent: -1})
	var found *cycle
	for head := 0; head < len(s.queue); head++ {
		if s.pops++; s.pops&1023 == 0 {
			if time.Now().After(s.deadline) {
				return nil, errTimeout
			}
			if err := s.ctx.Err(); err != nil {
				return nil, err
			}
		}
		cur := s.queue[head]
		if cur.depth+1 >= limit {
			break // every walk from here closes at best as long as the best
		}
		u := cur.v
		for e := g.off[u]; e < g.off[u+1]; e++ {
			w := g.to[e]
			if comp[w] != comp[start] || s.removed[w] {
				continue
			}
			labels := g.rel[e] & mask
			for labels != 0 {
				label := labels & -labels
				labels &^= label
				next := c.kind.step(int(cur.state/2), labelIndex(label))
				if next < 0 {
					continue
				}
				seen := cur.state % 2
				if label&c.need != 0 {
					seen = 1
				}
				if w == start {
					if c.kind.accepts(next) && (c.need == 0 || seen == 1) {
						if cyc := s.simple(int32(head), label, c); cyc != nil && (found == nil || len(cyc.vs) < len(found.vs)) {
							found = cyc
							limit = int32(len(cyc.vs))
						}
					}
					continue
				}
				st := uint8(next*2) + seen
				slot := int(w)*baseStates*2 + int(st)
				if s.visited[slot] == s.stamp {
					continue
				}
				s.visited[slot] = s.stamp
				s.queue = append(s.queue, entry{v: w, state: st, label: label, parent: int32(head), depth: cur.depth + 1})
			}
		}
	}
	return found, nil
}

// simple turns the closed walk ending at queue entry last, closed by an
// edge of relation closing, into the shortest simple cycle of class c it
// contains, or nil.
func (s *searcher) simple(last int32, closing rel, c class) *cycle {
	var vs []int32
	var labels []rel
	for i := last; i >= 0; i = s.queue[i].parent {
		vs = append(vs, s.queue[i].v)
	}
	// vs is the walk backwards from its last vertex to the start; labels[i]
	// will be the relation from vs[i] to vs[i+1] once reversed.
	for i, j := 0, len(vs)-1; i < j; i, j = i+1, j-1 {
		vs[i], vs[j] = vs[j], vs[i]
	}
	labels = make([]rel, len(vs))
	for i, e := len(vs)-1, last; e > 0; i, e = i-1, s.queue[e].parent {
		labels[i-1] = s.queue[e].label
	}
	labels[len(vs)-1] = closing
	var best *cycle
	for _, cyc := range splitWalk(vs, labels) {
		if classify(cyc.labels) == c.name && (best == nil || len(cyc.vs) < len(best.vs)) {
			best = cyc
		}
	}
	return best
}

// splitWalk splits a closed walk (vertex i to i+1 by labels[i], the last
// back to the first) into simple cycles.
func splitWalk(vs []int32, labels []rel) []*cycle {
	at := map[int32]int{}
	var stackV []int32
	var stackL []rel
	var out []*cycle
	for i, v := range vs {
		if p, ok := at[v]; ok {
			cyc := &cycle{vs: append([]int32(nil), stackV[p:]...), labels: append([]rel(nil), stackL[p:]...)}
			out = append(out, cyc)
			for _, u := range stackV[p:] {
				delete(at, u)
			}
			stackV, stackL = stackV[:p], stackL[:p]
		}
		at[v] = len(stackV)
		stackV = append(stackV, v)
		stackL = append(stackL, labels[i])
	}
	// What remains closes back to vs[0], which is stackV[0].
	return append(out, &cycle{vs: stackV, labels: stackL})
}
