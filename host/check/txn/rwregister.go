package txn

import (
	"fmt"

	"github.com/ducktape-go/ducktape/host/history"
)

// A version is an element (a value written, or read though nobody wrote
// it) or, as ne+k, key k's initial state (None).

// versionSource is what a version order edge was inferred from.
type versionSource uint8

const (
	fromInit         versionSource = iota // None precedes every value
	fromWFR                               // a transaction read v1 and then wrote v2
	fromSequential                        // one process saw v1, then v2 (sequential keys)
	fromLinearizable                      // v1 was seen before v2 was in real time (linearizable keys)
)

var sourceNames = []string{"the initial state", "writes follow reads", "sequential keys", "linearizable keys"}

// versionEdge says v1 < v2 and why: the source and the transactions that
// showed it (a, b: the transaction that read v1 and wrote v2 for wfr; the
// one that saw v1, then the one that saw v2, for the other assumptions).
type versionEdge struct {
	v1, v2  int32
	src     versionSource
	a, b    int32
	dropped bool // part of a cyclic-versions anomaly: not used
}

// registerOrders is what an rw-register history reveals: each
// transaction's external reads and writes, and the version order edges.
type registerOrders struct {
	t  *txns
	ne int32
	// ext[e] is true when element e is its writer's final write of its key.
	ext []bool
	// extReaders of each version: committed transactions whose first
	// micro-op on the key read it.
	readersOff, readers []int32
	// edges are the version order edges in the order inferred; at finds
	// one by its versions.
	edges []versionEdge
	at    map[[2]int32]int32
}

// inferRWRegister finds the non-cycle anomalies of an rw-register history
// and its ww, wr and rw edges.
func inferRWRegister(a *analysis) {
	t := a.t
	o := &registerOrders{t: t, ne: int32(len(t.elemKey)), at: map[[2]int32]int32{}}
	a.why = o.explain
	o.checkReads(a.found)
	checkInternal(t, a.found)
	lostUpdates(t, a.found, func(m *mop) int32 { return m.elem })
	o.indexExternal()
	o.versionOrders(a)
	o.txnEdges(a)
}

// checkReads finds, in each committed read: a value nobody wrote
// (garbage-read), one a failed transaction wrote (G1a), one the reader
// itself writes later (future-read), one its writer overwrote within its
// transaction (G1b: an intermediate state).
func (o *registerOrders) checkReads(f *findings) {
	t := o.t
	t.okReads(func(ti, mi int32, m *mop) {
		e := m.elem
		if e == noElem {
			return
		}
		read := func() string { return fmt.Sprintf("%s read %s = %s", t.describe(ti), t.keys[m.key], t.elemVal[e]) }
		switch w := t.elemTxn[e]; {
		case w < 0:
			f.addText("garbage-read", func() string { return read() + ", which no transaction wrote" })
		case t.txns[w].typ == history.Fail:
			f.addText("G1a", func() string { return fmt.Sprintf("%s, written by %s, which failed (aborted)", read(), t.describe(w)) })
		case w == ti && t.elemMop[e] > mi:
			f.addText("future-read", func() string { return read() + ", which the transaction itself writes only later" })
		case w != ti && t.intermediate(e):
			f.addText("G1b", func() string {
				return fmt.Sprintf("%s, an intermediate state: %s wrote it and then wrote %s again", read(), t.describe(w), t.keys[m.key])
			})
		}
	})
}

// external reports whether micro-op mi of transaction x is its first on
// its key.
func (t *txns) external(x *txn, mi int32) bool {
	for p := x.mop0; p < mi; p++ {
		if t.mops[p].key == t.mops[mi].key {
			return false
		}
	}
	return true
}

// indexExternal marks the final writes and indexes the external reads by
// version.
func (o *registerOrders) indexExternal() {
	t := o.t
	o.ext = make([]bool, o.ne)
	for e := range o.ne {
		o.ext[e] = t.elemTxn[e] >= 0 && !t.intermediate(e)
	}
	o.readersOff = make([]int32, int(o.ne)+len(t.keys)+1)
	each := func(fn func(v, ti int32)) {
		t.okReads(func(ti, mi int32, m *mop) {
			if t.external(&t.txns[ti], mi) {
				fn(o.version(m), ti)
			}
		})
	}
	each(func(v, _ int32) { o.readersOff[v+1]++ })
	for v := 1; v < len(o.readersOff); v++ {
		o.readersOff[v] += o.readersOff[v-1]
	}
	o.readers = make([]int32, o.readersOff[len(o.readersOff)-1])
	next := append([]int32(nil), o.readersOff[:len(o.readersOff)-1]...)
	each(func(v, ti int32) {
		o.readers[next[v]] = ti
		next[v]++
	})
}

// version is the version a read saw.
func (o *registerOrders) version(m *mop) int32 {
	if m.elem == noElem {
		return o.ne + m.key
	}
	return m.elem
}

func (o *registerOrders) readersOf(v int32) []int32 {
	return o.readers[o.readersOff[v]:o.readersOff[v+1]]
}

// versionOrders infers version order edges: from the initial state to
// every value written, then from each assumption asked for. An assumption
// whose edges close a cycle of versions on a key contradicts the others
// there: that is a cyclic-versions anomaly, and its edges on that key are
// dropped.
func (o *registerOrders) versionOrders(a *analysis) {
	t := o.t
	for e := range o.ne {
		if o.ext[e] && t.txns[t.elemTxn[e]].node >= 0 {
			o.add(versionEdge{v1: o.ne + t.elemKey[e], v2: e, src: fromInit, a: -1, b: t.elemTxn[e]})
		}
	}
	var sources []func(add func(versionEdge))
	if a.opts.WFRKeys {
		sources = append(sources, o.writesFollowReads)
	}
	if a.opts.SequentialKeys {
		sources = append(sources, func(add func(versionEdge)) { o.perKeyOrder(a, fromSequential, add) })
	}
	if a.opts.LinearizableKeys {
		sources = append(sources, func(add func(versionEdge)) { o.perKeyOrder(a, fromLinearizable, add) })
	}
	for _, source := range sources {
		var added []versionEdge
		source(func(ve versionEdge) {
			if _, dup := o.at[[2]int32{ve.v1, ve.v2}]; !dup && ve.v1 != ve.v2 {
				o.add(ve)
				added = append(added, ve)
			}
		})
		if len(added) > 0 {
			o.dropCycles(a.found, added)
		}
	}
}

func (o *registerOrders) add(ve versionEdge) {
	o.at[[2]int32{ve.v1, ve.v2}] = int32(len(o.edges))
	o.edges = append(o.edges, ve)
}

// edge returns the version edge v1 < v2 in use, if any.
func (o *registerOrders) edge(v1, v2 int32) (versionEdge, bool) {
	i, ok := o.at[[2]int32{v1, v2}]
	if !ok || o.edges[i].dropped {
		return versionEdge{}, false
	}
	return o.edges[i], true
}

// key returns the key of version v.
func (o *registerOrders) key(v int32) int32 {
	if v >= o.ne {
		return v - o.ne
	}
	return o.t.elemKey[v]
}

// dropCycles finds cycles among the version edges; for each key with one,
// it reports cyclic-versions and removes the edges just added on that key.
func (o *registerOrders) dropCycles(f *findings, added []versionEdge) {
	t := o.t
	var e edgeList
	for _, ve := range o.edges {
		if !ve.dropped {
			e.add(ve.v1, ve.v2, ww)
		}
	}
	comps, _ := buildGraph(int(o.ne)+len(t.keys), &e).components(ww, nil)
	for _, c := range comps {
		k := o.key(c[0])
		src := added[0].src // every edge added comes from one source
		f.addText("cyclic-versions", func() string {
			return fmt.Sprintf("key %s: the versions %s each precede the next and the last the first, once %s is assumed; that assumption is not used for %s",
				t.keys[k], o.showVersions(c), sourceNames[src], t.keys[k])
		})
		for _, ve := range added {
			if o.key(ve.v1) == k {
				o.edges[o.at[[2]int32{ve.v1, ve.v2}]].dropped = true
			}
		}
	}
}

func (o *registerOrders) showVersions(vs []int32) string {
	vals := make([]string, len(vs))
	for i, v := range vs {
		vals[i] = o.showVersion(v)
	}
	return fmt.Sprint(vals)
}

func (o *registerOrders) showVersion(v int32) string {
	if v >= o.ne {
		return "None"
	}
	return o.t.elemVal[v].String()
}

// writesFollowReads: a committed transaction whose first micro-op on a key
// read v1 and that then wrote v2 (its final write) moved the key from v1
// to v2.
func (o *registerOrders) writesFollowReads(add func(versionEdge)) {
	t := o.t
	t.okReads(func(ti, mi int32, m *mop) {
		x := &t.txns[ti]
		if m.elem == noElem || !t.external(x, mi) {
			return
		}
		if w := o.finalWrite(x, m.key); w >= 0 {
			add(versionEdge{v1: m.elem, v2: w, src: fromWFR, a: ti, b: ti})
		}
	})
}

// finalWrite returns the element transaction x finally wrote to key, or
// -1.
func (o *registerOrders) finalWrite(x *txn, key int32) int32 {
	for mi := x.mop0 + x.mopN - 1; mi >= x.mop0; mi-- {
		if m := &o.t.mops[mi]; m.write && m.key == key {
			return m.elem
		}
	}
	return -1
}

// perKeyOrder: assuming each key sequentially consistent (process order)
// or linearizable (real-time order), a transaction that saw a key after
// another saw a later version: the first's final version (its write, else
// its read) precedes the second's first (its read, else its write). The
// order is reduced per key (only the transactions using the key), so each
// key costs what its transactions do.
func (o *registerOrders) perKeyOrder(a *analysis, src versionSource, add func(versionEdge)) {
	t := o.t
	perKey := make([][]int32, len(t.keys))
	for _, ti := range a.nodes {
		x := &t.txns[ti]
		for mi := x.mop0; mi < x.mop0+x.mopN; mi++ {
			if m := &t.mops[mi]; t.external(x, mi) && (m.write || x.typ == history.OK) {
				perKey[m.key] = append(perKey[m.key], ti)
			}
		}
	}
	order := processOrder
	if src == fromLinearizable {
		order = realtimeOrder
	}
	for k, txs := range perKey {
		order(t, txs, func(x, y int32) {
			v1 := o.finalWrite(&t.txns[x], int32(k))
			if v1 < 0 {
				v1 = o.firstVersion(&t.txns[x], int32(k))
			}
			v2 := o.firstVersion(&t.txns[y], int32(k))
			if v1 >= 0 && v2 >= 0 {
				add(versionEdge{v1: v1, v2: v2, src: src, a: x, b: y})
			}
		})
	}
}

// firstVersion is the version of key that x's first micro-op on it saw or
// made: a committed read's, or a write's; -1 for an unknown read.
func (o *registerOrders) firstVersion(x *txn, key int32) int32 {
	for mi := x.mop0; mi < x.mop0+x.mopN; mi++ {
		m := &o.t.mops[mi]
		if m.key != key {
			continue
		}
		switch {
		case m.write:
			return o.finalWrite(x, key)
		case x.typ == history.OK:
			return o.version(m)
		}
		return -1
	}
	return -1
}

// txnEdges adds wr edges (the writer of a value to its external readers)
// and, for each version edge v1 < v2, ww edges from v1's writer to v2's
// and rw edges from v1's readers to v2's writer.
func (o *registerOrders) txnEdges(a *analysis) {
	t := o.t
	writer := func(v int32) int32 { // the graph vertex that finally wrote v, or -1
		if v >= o.ne || !o.ext[v] {
			return -1
		}
		return t.txns[t.elemTxn[v]].node
	}
	t.okReads(func(ti, mi int32, m *mop) {
		if m.elem >= 0 && t.external(&t.txns[ti], mi) {
			if w := writer(m.elem); w >= 0 {
				a.edges.add(w, t.txns[ti].node, wr)
			}
		}
	})
	for _, ve := range o.edges {
		w2 := writer(ve.v2)
		if ve.dropped || w2 < 0 {
			continue
		}
		if w1 := writer(ve.v1); w1 >= 0 {
			a.edges.add(w1, w2, ww)
		}
		for _, r := range o.readersOf(ve.v1) {
			a.edges.add(t.txns[r].node, w2, rw)
		}
	}
}

// explain says why transaction x precedes y by data relation r, naming
// them nx and ny, and the key it is about.
func (o *registerOrders) explain(x, y int32, r rel, nx, ny string) (why, key string) {
	t := o.t
	for mi := t.txns[y].mop0; mi < t.txns[y].mop0+t.txns[y].mopN; mi++ {
		m := &t.mops[mi]
		k := t.keys[m.key].String()
		if r == wr {
			if !m.write && m.elem >= 0 && t.elemTxn[m.elem] == x && t.external(&t.txns[y], mi) {
				return fmt.Sprintf("%s read %s = %s, which %s wrote", ny, k, t.elemVal[m.elem], nx), k
			}
			continue
		}
		if !m.write || !o.ext[m.elem] {
			continue
		}
		for _, v1 := range o.before(x, m.key, r) {
			ve, ok := o.edge(v1, m.elem)
			if !ok {
				continue
			}
			what := fmt.Sprintf("%s wrote %s = %s", nx, k, o.showVersion(v1))
			if r == rw {
				what = fmt.Sprintf("%s read %s = %s", nx, k, o.showVersion(v1))
			}
			return fmt.Sprintf("%s, and %s wrote %s = %s, a later version (%s)", what, ny, k, t.elemVal[m.elem], o.sourceReason(ve)), k
		}
	}
	return "", ""
}

// before returns the versions of key that x finally wrote (ww) or
// externally read (rw).
func (o *registerOrders) before(x, key int32, r rel) []int32 {
	t := o.t
	tx := &t.txns[x]
	if r == ww {
		if w := o.finalWrite(tx, key); w >= 0 {
			return []int32{w}
		}
		return nil
	}
	for mi := tx.mop0; mi < tx.mop0+tx.mopN; mi++ {
		if m := &t.mops[mi]; m.key == key && !m.write && tx.typ == history.OK && t.external(tx, mi) {
			return []int32{o.version(m)}
		}
	}
	return nil
}

// sourceReason says in words why a version edge holds.
func (o *registerOrders) sourceReason(ve versionEdge) string {
	t := o.t
	k := t.keys[o.key(ve.v2)]
	switch ve.src {
	case fromInit:
		return fmt.Sprintf("every value of %s follows the initial None", k)
	case fromWFR:
		return fmt.Sprintf("operation %d read %s = %s and then wrote %s, and writes follow reads", t.txns[ve.a].index, k, o.showVersion(ve.v1), o.showVersion(ve.v2))
	case fromSequential:
		return fmt.Sprintf("process %d saw %s = %s in operation %d before %s in operation %d, and keys are assumed sequential",
			t.txns[ve.a].process, k, o.showVersion(ve.v1), t.txns[ve.a].index, o.showVersion(ve.v2), t.txns[ve.b].index)
	}
	return fmt.Sprintf("operation %d, which saw %s = %s, completed before operation %d, which saw %s, began, and keys are assumed linearizable",
		t.txns[ve.a].index, k, o.showVersion(ve.v1), t.txns[ve.b].index, o.showVersion(ve.v2))
}
