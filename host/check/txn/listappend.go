package txn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ducktape-go/ducktape/host/history"
)

// appendOrders is what list-append reads reveal: each key's version order
// and who read each version.
type appendOrders struct {
	t *txns
	// order[k] is key k's version order: the distinct elements of its
	// longest read, in order.
	order [][]int32
	// pos[e] is e's position in its key's order, -1 when no read saw it.
	pos []int32
	// readers of each version (an element, or ne+k for key k's initial
	// empty state): txn indices, readersOff-delimited per version.
	readersOff []int32
	readers    []int32
}

// inferListAppend finds the non-cycle anomalies of a list-append history
// and its ww, wr and rw edges. Every step is one pass over the micro-ops
// or the elements read: O(micro-ops + elements read).
func inferListAppend(a *analysis) {
	t := a.t
	o := &appendOrders{t: t}
	a.why = o.explain
	o.checkReads(a.found)
	o.versionOrders(a.found)
	checkInternal(t, a.found)
	o.dirtyUpdates(a.found)
	lostUpdates(t, a.found, func(m *mop) int32 {
		if m.listN == 0 {
			return noElem
		}
		return t.list(m)[m.listN-1]
	})
	o.indexReaders()
	o.edges(a)
}

// okReads calls fn for every read of a committed transaction.
func (t *txns) okReads(fn func(ti int32, mi int32, m *mop)) {
	for ti := range t.txns {
		x := &t.txns[ti]
		if x.typ != history.OK {
			continue
		}
		for mi := x.mop0; mi < x.mop0+x.mopN; mi++ {
			if m := &t.mops[mi]; !m.write {
				fn(int32(ti), mi, m)
			}
		}
	}
}

// checkReads finds, in each committed read: elements read twice
// (duplicate-elements), elements of failed appends (G1a), elements nobody
// appended (garbage-read), elements the reader itself appends later
// (future-read), and a last element that its writer appended again later
// (G1b: an intermediate state).
func (o *appendOrders) checkReads(f *findings) {
	t := o.t
	seen := make([]int32, len(t.elemKey)) // read number + 1 that last saw each element
	reads := int32(0)
	t.okReads(func(ti, mi int32, m *mop) {
		reads++
		var dups, aborted, garbage, future []int32
		for _, e := range t.list(m) {
			if seen[e] == reads {
				dups = append(dups, e)
			}
			seen[e] = reads
			switch w := t.elemTxn[e]; {
			case w < 0:
				garbage = append(garbage, e)
			case t.txns[w].typ == history.Fail:
				aborted = append(aborted, e)
			case w == ti && t.elemMop[e] > mi:
				future = append(future, e)
			}
		}
		key := t.keys[m.key]
		read := func() string {
			return fmt.Sprintf("%s read %s = %s", t.describe(ti), key, t.showRead(m))
		}
		if len(dups) > 0 {
			f.addText("duplicate-elements", func() string {
				return fmt.Sprintf("%s, which has %s more than once", read(), t.showElems(dups))
			})
		}
		for _, e := range aborted {
			f.addText("G1a", func() string {
				return fmt.Sprintf("%s, which has %s, appended by %s, which failed (aborted)", read(), t.elemVal[e], t.describe(t.elemTxn[e]))
			})
		}
		if len(garbage) > 0 {
			f.addText("garbage-read", func() string {
				return fmt.Sprintf("%s, which has %s, which no transaction appended to %s", read(), t.showElems(garbage), key)
			})
		}
		if len(future) > 0 {
			f.addText("future-read", func() string {
				return fmt.Sprintf("%s, which has %s, which the transaction itself appends only later", read(), t.showElems(future))
			})
		}
		if m.listN > 0 {
			last := t.list(m)[m.listN-1]
			if w := t.elemTxn[last]; w >= 0 && w != ti && t.intermediate(last) {
				f.addText("G1b", func() string {
					return fmt.Sprintf("%s, whose last element %s is an intermediate state: %s appended %s and then more to %s",
						read(), t.elemVal[last], t.describe(w), t.elemVal[last], key)
				})
			}
		}
	})
}

// intermediate reports whether element e's writer wrote its key again
// after e.
func (t *txns) intermediate(e int32) bool {
	x := &t.txns[t.elemTxn[e]]
	for mi := t.elemMop[e] + 1; mi < x.mop0+x.mopN; mi++ {
		if m := &t.mops[mi]; m.write && m.key == t.elemKey[e] {
			return true
		}
	}
	return false
}

func (t *txns) showElems(es []int32) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = t.elemVal[e].String()
	}
	return strings.Join(parts, ", ")
}

// versionOrders takes each key's longest committed read as its version
// order and finds the reads that are not a prefix of it
// (incompatible-order: two reads that no single order of appends
// explains), one anomaly per key.
func (o *appendOrders) versionOrders(f *findings) {
	t := o.t
	longest := make([]int32, len(t.keys)) // mop index + 1 of each key's longest read
	longestTxn := make([]int32, len(t.keys))
	t.okReads(func(ti, mi int32, m *mop) {
		if l := longest[m.key]; l == 0 || m.listN > t.mops[l-1].listN {
			longest[m.key], longestTxn[m.key] = mi+1, ti
		}
	})
	bad := make([]int32, len(t.keys)) // the first incompatible read (mop index + 1), per key
	badCount := make([]int, len(t.keys))
	badTxn := make([]int32, len(t.keys))
	t.okReads(func(ti, mi int32, m *mop) {
		l := &t.mops[longest[m.key]-1]
		if !slices.Equal(t.list(m), t.list(l)[:m.listN]) {
			if bad[m.key] == 0 {
				bad[m.key], badTxn[m.key] = mi+1, ti
			}
			badCount[m.key]++
		}
	})
	o.order = make([][]int32, len(t.keys))
	o.pos = make([]int32, len(t.elemKey))
	for i := range o.pos {
		o.pos[i] = -1
	}
	for k, l := range longest {
		if l == 0 {
			continue
		}
		for _, e := range t.list(&t.mops[l-1]) {
			if o.pos[e] < 0 {
				o.pos[e] = int32(len(o.order[k]))
				o.order[k] = append(o.order[k], e)
			}
		}
		if bad[k] != 0 {
			m, lm := &t.mops[bad[k]-1], &t.mops[l-1]
			n := badCount[k]
			f.addText("incompatible-order", func() string {
				return fmt.Sprintf("key %s: %s read %s = %s, and %s read %s, the longest read of the key: the first is not a prefix of the second, so no one order of appends explains both (reads of %s that are not a prefix of the longest: %d)",
					t.keys[k], t.describe(badTxn[k]), t.keys[k], t.showRead(m), t.describe(longestTxn[k]), t.showRead(lm), t.keys[k], n)
			})
		}
	}
}

// checkInternal finds committed transactions that read something other
// than their own earlier micro-ops imply (internal): a read after an
// append must end with the appended elements, a read after a read must
// equal it (plus the appends since). rw-register: a read after a write
// or read of the key must return that value.
func checkInternal(t *txns, f *findings) {
	type state struct {
		key      int32
		base     *mop    // the last read of the key, if any
		appended []int32 // elements appended since (list-append); the value written (rw-register)
	}
	var states []state
	for ti := range t.txns {
		x := &t.txns[ti]
		if x.typ != history.OK {
			continue
		}
		states = states[:0]
		for mi := x.mop0; mi < x.mop0+x.mopN; mi++ {
			m := &t.mops[mi]
			i := slices.IndexFunc(states, func(s state) bool { return s.key == m.key })
			if m.write {
				if i < 0 {
					states = append(states, state{key: m.key})
					i = len(states) - 1
				}
				if t.w.lists {
					states[i].appended = append(states[i].appended, m.elem)
				} else {
					states[i].base, states[i].appended = nil, []int32{m.elem}
				}
				continue
			}
			if i >= 0 {
				if want, ok := t.expected(states[i].base, states[i].appended, m); !ok {
					f.addText("internal", func() string {
						return fmt.Sprintf("%s read %s = %s, but its own earlier micro-ops imply %s", t.describe(int32(ti)), t.keys[m.key], t.readValue(m), want)
					})
					break
				}
				states[i] = state{key: m.key, base: m}
				continue
			}
			states = append(states, state{key: m.key, base: m})
		}
	}
}

// expected checks read m against what a transaction's earlier micro-ops
// on its key imply: the last read base (nil: none) followed by the
// elements appended since (list-append), or the last value written or
// read (rw-register). want describes the expectation.
func (t *txns) expected(base *mop, appended []int32, m *mop) (want string, ok bool) {
	if !t.w.lists {
		e := appended
		if base != nil {
			return t.showValue(base.elem), base.elem == m.elem
		}
		return t.showValue(e[0]), e[0] == m.elem
	}
	got := t.list(m)
	var prefix []int32
	if base != nil {
		prefix = t.list(base)
	}
	vals := make([]atom, 0, len(prefix)+len(appended))
	for _, e := range append(slices.Clip(prefix), appended...) {
		vals = append(vals, t.elemVal[e])
	}
	if base == nil { // unknown prefix: the read must end with the appends
		want = "a list ending in " + showList(vals)
		return want, len(got) >= len(appended) && slices.Equal(got[len(got)-len(appended):], appended)
	}
	return showList(vals), len(got) == len(prefix)+len(appended) && slices.Equal(got[:len(prefix)], prefix) &&
		slices.Equal(got[len(prefix):], appended)
}

// readValue renders what read m returned.
func (t *txns) readValue(m *mop) string {
	if t.w.lists {
		return t.showRead(m)
	}
	return t.showValue(m.elem)
}

// dirtyUpdates walks each key's version order for a committed append that
// follows a failed one (dirty-update: a committed transaction built on
// state an aborted one wrote). Appends of unknown outcome are skipped.
func (o *appendOrders) dirtyUpdates(f *findings) {
	t := o.t
	for k, order := range o.order {
		var aborted []int32 // the failed appends since the last committed one
		for _, e := range order {
			w := t.elemTxn[e]
			if w < 0 {
				continue
			}
			switch t.txns[w].typ {
			case history.Fail:
				aborted = append(aborted, e)
			case history.OK:
				if len(aborted) > 0 {
					failed, committed := aborted[0], e
					f.addText("dirty-update", func() string {
						return fmt.Sprintf("key %s: %s appended %s and failed (aborted), yet %s appended %s after it in the version order %s",
							t.keys[k], t.describe(t.elemTxn[failed]), t.elemVal[failed], t.describe(t.elemTxn[committed]), t.elemVal[committed], o.showOrder(int32(k), committed))
					})
				}
				aborted = aborted[:0]
			}
		}
	}
}

// showOrder renders key k's version order up to element last.
func (o *appendOrders) showOrder(k, last int32) string {
	order := o.order[k][:o.pos[last]+1]
	vals := make([]atom, len(order))
	for i, e := range order {
		vals[i] = o.t.elemVal[e]
	}
	return showList(vals)
}

// lostUpdates finds committed transactions that read the same version of
// a key (version gives the version a read saw) and then both wrote that
// key: one of the two updates was lost (lost-update). One anomaly per
// key and version.
func lostUpdates(t *txns, f *findings, version func(m *mop) int32) {
	type kv struct{ key, version int32 }
	groups := map[kv][]int32{}
	var order []kv
	for ti := range t.txns {
		x := &t.txns[ti]
		if x.typ != history.OK {
			continue
		}
		mops := t.txnMops(x)
		for i := range mops {
			m := &mops[i]
			if m.write || slices.ContainsFunc(mops[:i], func(p mop) bool { return p.key == m.key }) {
				continue // only a transaction's first micro-op on a key, a read, is its external read
			}
			if !slices.ContainsFunc(mops[i+1:], func(p mop) bool { return p.write && p.key == m.key }) {
				continue
			}
			g := kv{m.key, version(m)}
			if groups[g] == nil {
				order = append(order, g)
			}
			groups[g] = append(groups[g], int32(ti))
		}
	}
	for _, g := range order {
		txns := groups[g]
		if len(txns) < 2 {
			continue
		}
		f.addText("lost-update", func() string {
			what := "the initial state"
			if g.version != noElem {
				what = "the version ending in " + t.elemVal[g.version].String()
				if !t.w.lists {
					what = "the value " + t.elemVal[g.version].String()
				}
			}
			var b strings.Builder
			fmt.Fprintf(&b, "%d committed transactions read %s of key %s and then wrote the key, so all but one of their updates were lost:",
				len(txns), what, t.keys[g.key])
			for i, ti := range txns {
				if i == maxNamed {
					fmt.Fprintf(&b, " and %d more", len(txns)-maxNamed)
					break
				}
				fmt.Fprintf(&b, " %s;", t.describe(ti))
			}
			return strings.TrimSuffix(b.String(), ";")
		})
	}
}

// maxNamed bounds how many transactions an explanation lists.
const maxNamed = 5

// indexReaders builds the readers of each version: every committed read
// (also a transaction's read of its own appends) saw the version its last
// element ends (or the initial state, when empty).
func (o *appendOrders) indexReaders() {
	t := o.t
	ne := int32(len(t.elemKey))
	version := func(m *mop) int32 {
		if m.listN == 0 {
			return ne + m.key
		}
		return t.list(m)[m.listN-1]
	}
	o.readersOff = make([]int32, int(ne)+len(t.keys)+1)
	t.okReads(func(_, _ int32, m *mop) { o.readersOff[version(m)+1]++ })
	for v := 1; v < len(o.readersOff); v++ {
		o.readersOff[v] += o.readersOff[v-1]
	}
	o.readers = make([]int32, o.readersOff[len(o.readersOff)-1])
	next := append([]int32(nil), o.readersOff[:len(o.readersOff)-1]...)
	t.okReads(func(ti, _ int32, m *mop) {
		v := version(m)
		o.readers[next[v]] = ti
		next[v]++
	})
}

// readersOf returns the transactions that read version v.
func (o *appendOrders) readersOf(v int32) []int32 {
	return o.readers[o.readersOff[v]:o.readersOff[v+1]]
}

// prev returns the version an append of element e overwrote: the element
// before it in its key's order, or, for an element no read saw, the last
// element any read saw (it can only have come after those); ne+key for the
// initial state.
func (o *appendOrders) prev(e int32) int32 {
	t := o.t
	k := t.elemKey[e]
	order := o.order[k]
	switch p := o.pos[e]; {
	case p > 0:
		return order[p-1]
	case p < 0 && len(order) > 0:
		return order[len(order)-1]
	}
	return int32(len(t.elemKey)) + k
}

// edges adds the dependency edges between committed and unknown
// transactions: wr from the writer of each read's last element to the
// reader; ww from the writer of the version an append overwrote to the
// appender; rw from every reader of that version to the appender.
func (o *appendOrders) edges(a *analysis) {
	t := o.t
	ne := int32(len(t.elemKey))
	t.okReads(func(ti, _ int32, m *mop) {
		if m.listN > 0 {
			if w := t.elemTxn[t.list(m)[m.listN-1]]; w >= 0 && t.txns[w].node >= 0 {
				a.edges.add(t.txns[w].node, t.txns[ti].node, wr)
			}
		}
	})
	for ti := range t.txns {
		x := &t.txns[ti]
		if x.node < 0 {
			continue
		}
		for _, m := range t.txnMops(x) {
			if !m.write {
				continue
			}
			p := o.prev(m.elem)
			if p < ne {
				if w := t.elemTxn[p]; w >= 0 && t.txns[w].node >= 0 {
					a.edges.add(t.txns[w].node, x.node, ww)
				}
			}
			for _, r := range o.readersOf(p) {
				a.edges.add(t.txns[r].node, x.node, rw)
			}
		}
	}
}

// explain says why transaction a precedes b by data relation r, naming
// them na and nb, and the key it is about.
func (o *appendOrders) explain(a, b int32, r rel, na, nb string) (why, key string) {
	t := o.t
	ne := int32(len(t.elemKey))
	for _, m := range t.txnMops(&t.txns[b]) {
		k := t.keys[m.key].String()
		switch {
		case r == wr && !m.write && m.listN > 0:
			last := t.list(&m)[m.listN-1]
			if t.elemTxn[last] == a {
				return fmt.Sprintf("%s read %s = %s, which ends in %s's append of %s", nb, k, t.showRead(&m), na, t.elemVal[last]), k
			}
		case r == ww && m.write:
			p := o.prev(m.elem)
			if p < ne && t.elemTxn[p] == a {
				if o.pos[m.elem] >= 0 {
					return fmt.Sprintf("%s appended %s to %s right after %s appended %s (a read saw %s)", nb, t.elemVal[m.elem], k, na, t.elemVal[p], o.showOrder(m.key, m.elem)), k
				}
				return fmt.Sprintf("%s appended %s to %s after %s appended %s, the last element any read of %s saw", nb, t.elemVal[m.elem], k, na, t.elemVal[p], k), k
			}
		case r == rw && m.write:
			p := o.prev(m.elem)
			if !slices.Contains(o.readersOf(p), a) {
				continue
			}
			if p >= ne {
				return fmt.Sprintf("%s read %s as empty, and %s's append of %s was the first to %s", na, k, nb, t.elemVal[m.elem], k), k
			}
			if o.pos[m.elem] >= 0 {
				return fmt.Sprintf("%s read %s ending in %s, which %s's append of %s came right after", na, k, t.elemVal[p], nb, t.elemVal[m.elem]), k
			}
			return fmt.Sprintf("%s read %s ending in %s, the last element any read of %s saw, and %s appended %s after it", na, k, t.elemVal[p], k, nb, t.elemVal[m.elem]), k
		}
	}
	return "", ""
}
