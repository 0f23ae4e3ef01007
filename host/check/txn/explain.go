package txn

import (
	"fmt"
	"strings"
)

// explainCycle explains a cycle of the component whose local vertex i is
// members[i]: each transaction, named T1, T2..., then why each precedes
// the next, ending in the contradiction that T1 precedes itself.
func (a *analysis) explainCycle(members []int32, cyc *cycle) Anomaly {
	t := a.t
	n := len(cyc.vs)
	txs := make([]int32, n)
	names := make([]string, n)
	for i, v := range cyc.vs {
		txs[i] = a.nodes[members[v]]
		names[i] = fmt.Sprintf("T%d", i+1)
	}
	steps := make([]Step, n)
	var b strings.Builder
	b.WriteString("Let ")
	for i := range n {
		x := &t.txns[txs[i]]
		steps[i] = Step{Name: names[i], Txn: t.describe(txs[i]), Process: x.process, Outcome: string(x.typ), Ops: t.showOps(txs[i]),
			Rel: cyc.labels[i].String()}
		sep := ", "
		switch {
		case i == n-1:
			sep = ". "
		case i == n-2:
			sep = " and "
		}
		fmt.Fprintf(&b, "%s be %s%s", names[i], steps[i].Txn, sep)
	}
	b.WriteString("Then ")
	for i := range n {
		j := (i + 1) % n
		steps[i].Why, steps[i].Key = a.reason(txs[i], txs[j], cyc.labels[i], names[i], names[j])
		fmt.Fprintf(&b, "%s < %s (%s), because %s; ", names[i], names[j], steps[i].Rel, steps[i].Why)
	}
	fmt.Fprintf(&b, "so %s < %s: a contradiction.", names[0], names[0])
	return Anomaly{Explanation: b.String(), Cycle: steps}
}

// reason says why transaction x precedes y by relation r, naming them nx
// and ny, and the key a data relation is about.
func (a *analysis) reason(x, y int32, r rel, nx, ny string) (why, key string) {
	t := a.t
	switch r {
	case process:
		return fmt.Sprintf("process %d ran %s before %s", t.txns[x].process, nx, ny), ""
	case realtime:
		return fmt.Sprintf("%s completed at %s, before %s was invoked at %s", nx, seconds(t.txns[x].ret), ny, seconds(t.txns[y].call)), ""
	}
	if why, key := a.why(x, y, r, nx, ny); why != "" {
		return why, key
	}
	// Cannot happen: every edge was added for a reason the explainer
	// finds again.
	return fmt.Sprintf("%s depends on %s (%s)", ny, nx, r), ""
}
