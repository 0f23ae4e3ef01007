package txn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/history"
)

// DefaultTimeLimit bounds the cycle search in one strongly connected
// component when Options.TimeLimit is zero.
const DefaultTimeLimit = 10 * time.Second

// Options tunes ListAppend and RWRegister.
type Options struct {
	// Models are the consistency models the history must satisfy (Models
	// names them); the result is not OK when an anomaly one of them rules
	// out was found. Empty means DefaultModel.
	Models []string
	// TimeLimit bounds the cycle search in each strongly connected
	// component; past it, what was not searched there is unknown. Zero
	// means DefaultTimeLimit.
	TimeLimit time.Duration
	// Dir is where the visualization of the cycles found is written; ""
	// for none.
	Dir string

	// rw-register only: Elle's optional assumptions, each a source of
	// version orders (see RWRegister).
	WFRKeys, SequentialKeys, LinearizableKeys bool
}

// Analysis is a check's verdict with every anomaly found.
type Analysis struct {
	check.Result
	// Anomalies holds, per anomaly type, the anomalies found (at most
	// maxKept of each type keep their explanation; Counts counts them all).
	Anomalies map[string][]Anomaly
	Counts    map[string]int
}

// maxSummarized bounds how many anomaly explanations go into the
// result's details (report.json); Anomalies has them all.
const maxSummarized = 3

// ListAppend checks a list-append history: transactions of ["append", k,
// v] and ["r", k, list] micro-ops (see the package documentation).
func ListAppend(ctx context.Context, h history.File, opts Options) (Analysis, error) {
	return run(ctx, h, opts, listAppend)
}

// RWRegister checks a read-write register history: transactions of ["w",
// k, v] and ["r", k, v] micro-ops, every key starting as None. Version
// orders come from the initial state (None precedes every value) and,
// when asked, from Elle's assumptions: WFRKeys (within a transaction,
// writes follow reads: a key read as v1 and then written v2 went from v1
// to v2), SequentialKeys (each key is sequentially consistent: a
// process's transactions see and make versions of a key in order) and
// LinearizableKeys (each key is linearizable: so do transactions in
// real-time order). An assumption that contradicts the others on a key
// (a cycle of versions) is reported as cyclic-versions and not used for
// that key.
func RWRegister(ctx context.Context, h history.File, opts Options) (Analysis, error) {
	return run(ctx, h, opts, rwRegister)
}

// analysis is one check's state: the parsed history, the graph's
// vertices and edges, what was found.
type analysis struct {
	t     *txns
	opts  Options
	nodes []int32 // vertex -> transaction index (committed and unknown transactions)
	edges edgeList
	found *findings
	// why explains a data edge (ww, wr or rw) from transaction a to b,
	// named na and nb, and the key it is about.
	why func(a, b int32, r rel, na, nb string) (why, key string)
	// timeouts are the components whose search ran out of time.
	timeouts []string
	sccs     int // strongly connected components of more than one transaction
	largest  int
}

func run(ctx context.Context, h history.File, opts Options, w *workload) (Analysis, error) {
	models, err := checkModels(opts.Models)
	if err != nil {
		return Analysis{}, err
	}
	opts.Models = models
	if opts.TimeLimit <= 0 {
		opts.TimeLimit = DefaultTimeLimit
	}
	began := time.Now()
	t, err := parse(w, h)
	if err != nil {
		return Analysis{}, err
	}
	a := infer(t, opts)
	a.orderEdges()
	if err := a.searchCycles(ctx); err != nil {
		return Analysis{}, err
	}
	res := a.result(time.Since(began))
	if opts.Dir != "" && len(res.Anomalies) > 0 {
		if res.Visualization, err = a.visualize(res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// infer makes the analysis of t: the graph's vertices (committed and
// unknown transactions), the non-cycle anomalies and the data edges.
func infer(t *txns, opts Options) *analysis {
	a := &analysis{t: t, opts: opts, found: newFindings()}
	// Most histories have a few edges of each relation per transaction
	// (12.6 in all, 7.9 of them realtime, with 20 processes).
	n := 16 * len(t.txns)
	a.edges = edgeList{from: make([]int32, 0, n), to: make([]int32, 0, n), rel: make([]rel, 0, n)}
	for ti := range t.txns {
		if x := &t.txns[ti]; x.typ != history.Fail {
			x.node = int32(len(a.nodes))
			a.nodes = append(a.nodes, int32(ti))
		}
	}
	if t.w.lists {
		inferListAppend(a)
	} else {
		inferRWRegister(a)
	}
	return a
}

// orderEdges adds the process and real-time edges between the graph's
// transactions.
func (a *analysis) orderEdges() {
	t := a.t
	processOrder(t, a.nodes, func(x, y int32) { a.edges.add(t.txns[x].node, t.txns[y].node, process) })
	realtimeOrder(t, a.nodes, func(x, y int32) { a.edges.add(t.txns[x].node, t.txns[y].node, realtime) })
}

// searchCycles builds the dependency graph, finds its strongly connected
// components and, in each, the shortest cycle of each class not implied by
// a worse one found there.
func (a *analysis) searchCycles(ctx context.Context) error {
	g := buildGraph(len(a.nodes), &a.edges)
	a.edges = edgeList{} // no longer needed
	comps, _ := g.components(^rel(0), nil)
	local := make([]int32, g.n())
	for i := range local {
		local[i] = -1
	}
	for _, members := range comps {
		a.sccs++
		a.largest = max(a.largest, len(members))
		sub := g.subgraph(members, ^rel(0), local)
		s := newSearcher(ctx, sub, a.opts.TimeLimit)
		skip := map[string]bool{}
		var searched []string
		for _, c := range classes {
			if skip[c.name] {
				continue
			}
			cyc, err := s.shortest(c)
			if errors.Is(err, errTimeout) {
				a.timeouts = append(a.timeouts, fmt.Sprintf("a component of %s (searched for %s; not for %s and what follows)",
					plural(len(members), "transaction"), orNone(searched), c.name))
				if cyc != nil {
					a.addCycle(c.name, members, cyc)
				}
				break
			}
			if err != nil {
				return fmt.Errorf("the cycle search stopped: %w", err)
			}
			searched = append(searched, c.name)
			if cyc != nil {
				a.addCycle(c.name, members, cyc)
				for implied := range closure([]string{c.name}) {
					skip[implied] = true
				}
			}
		}
	}
	return nil
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "nothing"
	}
	return strings.Join(l, ", ")
}

// addCycle records a cycle of class name found in the component whose
// local vertex i is members[i].
func (a *analysis) addCycle(name string, members []int32, cyc *cycle) {
	a.found.add(name, func() Anomaly { return a.explainCycle(members, cyc) })
}

// result is the verdict: anomalies, the models they rule out, whether a
// model asked for is among them, and a summary.
func (a *analysis) result(took time.Duration) Analysis {
	t := a.t
	types := a.found.types()
	violates := Violates(types)
	var forbidden []string // the anomalies a model asked for rules out
	for _, typ := range types {
		if slices.ContainsFunc(a.opts.Models, func(m string) bool { return Forbids(m, typ) }) {
			forbidden = append(forbidden, typ)
		}
	}
	var committed, unknown, failed int
	for i := range t.txns {
		switch t.txns[i].typ {
		case history.OK:
			committed++
		case history.Fail:
			failed++
		default:
			unknown++
		}
	}
	res := Analysis{Anomalies: a.found.kept, Counts: a.found.count}
	res.Name = t.w.name
	res.Model = strings.Join(a.opts.Models, ", ")
	res.AnomalyTypes = types
	res.Violates = violates
	res.OK = len(forbidden) == 0 && len(a.timeouts) == 0 && committed > 0
	res.Unknown = len(forbidden) == 0 && (len(a.timeouts) > 0 || committed == 0)
	what := fmt.Sprintf("%s (%d committed, %d unknown, %d failed) on %s", plural(len(t.txns), "transaction"), committed, unknown, failed, plural(len(t.keys), "key"))
	summarized := map[string][]string{}
	for typ, l := range res.Anomalies {
		for _, an := range l[:min(len(l), maxSummarized)] {
			summarized[typ] = append(summarized[typ], an.Explanation)
		}
	}
	res.Details = map[string]any{"transactions": len(t.txns), "committed": committed, "unknown": unknown, "failed": failed,
		"keys": len(t.keys), "components": a.sccs, "largest_component": a.largest, "check_seconds": took.Seconds(),
		"anomaly_counts": res.Counts, "anomalies": summarized}
	if len(a.timeouts) > 0 {
		res.Details["search_timeouts"] = a.timeouts
	}
	var b strings.Builder
	switch {
	case len(types) == 0 && committed == 0:
		fmt.Fprintf(&b, "unknown: no transaction committed (%s), so there is nothing to check", what)
	case len(types) == 0 && len(a.timeouts) == 0:
		fmt.Fprintf(&b, "no anomalies in %s; checked in %s", what, took.Round(time.Millisecond))
	case len(forbidden) == 0 && len(a.timeouts) > 0:
		fmt.Fprintf(&b, "unknown: the cycle search ran out of its time limit of %s in %s, so cycles there may have been missed", a.opts.TimeLimit, strings.Join(a.timeouts, "; "))
	default:
		counts := make([]string, len(types))
		for i, typ := range types {
			counts[i] = fmt.Sprintf("%s (%d)", typ, res.Counts[typ])
		}
		fmt.Fprintf(&b, "%s in %s; ruling out %s", strings.Join(counts, ", "), what, orNone(violates))
		if len(forbidden) > 0 {
			res.Found = strings.Join(forbidden, ", ")
			first := forbidden[0]
			fmt.Fprintf(&b, ". %s forbids %s. The first %s: %s", strings.Join(a.opts.Models, " and "), strings.Join(forbidden, ", "), first, res.Anomalies[first][0].Explanation)
		}
		if len(a.timeouts) > 0 {
			fmt.Fprintf(&b, ". The cycle search ran out of its time limit in %s", strings.Join(a.timeouts, "; "))
		}
	}
	res.Summary = b.String()
	return res
}
