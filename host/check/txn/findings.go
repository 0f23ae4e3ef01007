package txn

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ducktape-go/ducktape/host/history"
)

// maxKept bounds how many anomalies of one type keep their explanation;
// all are counted.
const maxKept = 1000

// Anomaly is one anomaly found, explained.
type Anomaly struct {
	Type string `json:"type"`
	// Explanation says in words what happened: for a cycle, each
	// transaction and why each precedes the next, ending in the
	// contradiction.
	Explanation string `json:"explanation"`
	// Cycle is a cycle anomaly's transactions, each with the edge to the
	// next (the last one's to the first); nil for the others.
	Cycle []Step `json:"cycle,omitempty"`
}

// Step is a transaction of a cycle and its edge to the next one.
type Step struct {
	// Name is the transaction's name in the explanation ("T1").
	Name string `json:"name"`
	// Txn describes the transaction: process, outcome, event, time,
	// micro-ops; Process, Outcome ("ok", "info") and Ops are parts of it.
	Txn     string `json:"txn"`
	Process int    `json:"process"`
	Outcome string `json:"outcome"`
	Ops     string `json:"ops"`
	// Rel is the edge's relation: "ww", "wr", "rw", "process" or
	// "realtime"; Key the key a data relation is about ("" otherwise).
	Rel string `json:"rel"`
	Key string `json:"key,omitempty"`
	// Why says why this transaction precedes the next.
	Why string `json:"why"`
}

// findings collects anomalies by type, counting them all and keeping the
// first maxKept of each type.
type findings struct {
	count map[string]int
	kept  map[string][]Anomaly
}

func newFindings() *findings {
	return &findings{count: map[string]int{}, kept: map[string][]Anomaly{}}
}

// add counts an anomaly of typ and, while fewer than maxKept are kept,
// keeps the one explain makes (explanations are built only when kept).
func (f *findings) add(typ string, explain func() Anomaly) {
	f.count[typ]++
	if len(f.kept[typ]) < maxKept {
		a := explain()
		a.Type = typ
		f.kept[typ] = append(f.kept[typ], a)
	}
}

// addText adds a non-cycle anomaly explained by a text.
func (f *findings) addText(typ string, text func() string) {
	f.add(typ, func() Anomaly { return Anomaly{Explanation: text()} })
}

// types returns the types found, sorted.
func (f *findings) types() []string {
	out := make([]string, 0, len(f.count))
	for t := range f.count {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// describe renders transaction ti in words: who ran it, how it ended, when,
// and its micro-ops with what they read.
func (t *txns) describe(ti int32) string {
	x := &t.txns[ti]
	when := fmt.Sprintf("%s to %s", seconds(x.call), seconds(x.ret))
	switch {
	case x.ret < 0:
		when = seconds(x.call) + ", never completed"
	case x.typ == history.Info:
		when = fmt.Sprintf("%s, unknown outcome at %s", seconds(x.call), seconds(x.ret))
	}
	return fmt.Sprintf("process %d's %s transaction (event %d, %s) %s", x.process, outcome(x.typ), x.index, when, t.showOps(ti))
}

// showOps renders a transaction's micro-ops as JSON-like text.
func (t *txns) showOps(ti int32) string {
	x := &t.txns[ti]
	parts := make([]string, 0, x.mopN)
	for i := range t.txnMops(x) {
		parts = append(parts, t.showMop(&t.mops[x.mop0+int32(i)]))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func (t *txns) showMop(m *mop) string {
	k := t.keys[m.key].String()
	switch {
	case m.write:
		return fmt.Sprintf("[%q, %s, %s]", t.w.write, k, t.elemVal[m.elem])
	case t.w.lists && m.listN >= 0:
		return fmt.Sprintf(`["r", %s, %s]`, k, t.showRead(m))
	case !t.w.lists && m.elem != unknownRead:
		return fmt.Sprintf(`["r", %s, %s]`, k, t.showValue(m.elem))
	}
	return fmt.Sprintf(`["r", %s, ?]`, k)
}

// showRead renders what a list-append read returned.
func (t *txns) showRead(m *mop) string {
	l := t.list(m)
	vals := make([]atom, len(l))
	for i, e := range l {
		vals[i] = t.elemVal[e]
	}
	return showList(vals)
}

// showValue renders an rw-register value: an element's, or nil.
func (t *txns) showValue(e int32) string {
	if e == noElem {
		return "null"
	}
	return t.elemVal[e].String()
}

func outcome(typ history.Type) string {
	switch typ {
	case history.OK:
		return "committed (ok)"
	case history.Fail:
		return "failed"
	}
	return "unknown (info)"
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

// plural renders "1 transaction", "2 transactions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
