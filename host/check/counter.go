package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ducktape-go/ducktape/host/history"
)

// Counter is Jepsen's counter checker: operations are add (value: the
// increment, a number, possibly negative) and read (completes with the
// number read); the counter starts at 0. Each ok read must lie within the
// bounds the adds allow: at least the adds acknowledged before the read
// began plus every decrement that may have happened by its end, at most the
// acknowledged adds plus every increment that may have happened by its end.
// Failed adds never happened; adds of unknown outcome may have.
func Counter(h history.File) (Result, error) {
	ops := history.Operations(h.Events)
	if err := onlyAddRead("counter", ops); err != nil {
		return Result{}, err
	}
	var adds []counterAdd
	var reads []history.Operation
	for _, op := range ops {
		switch op.F {
		case "add":
			v, err := number(op.Input)
			if err != nil {
				return Result{}, fmt.Errorf("counter: operation %d (process %d, add): %w", op.Index, op.Process, err)
			}
			if op.Type != history.Fail {
				adds = append(adds, counterAdd{op, v})
			}
		case "read":
			if op.Type == history.OK {
				reads = append(reads, op)
			}
		}
	}
	b := newCounterBounds(adds)
	res := Result{Name: "counter"}
	var bad []string
	var errs []any
	for _, r := range reads {
		v, err := number(r.Output)
		if err != nil {
			return Result{}, fmt.Errorf("counter: operation %d (process %d, read): %w", r.Index, r.Process, err)
		}
		lower, upper := b.at(r)
		if v < lower || v > upper {
			bad = append(bad, fmt.Sprintf("process %d read %g [%s, %s], expected %g to %g", r.Process, v,
				seconds(r.Call), seconds(r.Return), lower, upper))
			errs = append(errs, map[string]any{"index": r.Index, "process": r.Process, "value": v, "lower": lower, "upper": upper})
		}
	}
	res.OK = len(bad) == 0
	res.Details = map[string]any{"reads": len(reads), "adds": len(adds), "errors": errs}
	if res.OK {
		res.Summary = fmt.Sprintf("ok: all %d reads within the bounds of %d adds", len(reads), len(adds))
		return res, nil
	}
	if len(bad) > maxNamed {
		bad = append(bad[:maxNamed], fmt.Sprintf("and %d more", len(bad)-maxNamed))
	}
	res.Summary = fmt.Sprintf("%d of %d reads out of bounds: %s", len(errs), len(reads), strings.Join(bad, "; "))
	res.Found = plural(len(errs), "read") + " out of bounds"
	return res, nil
}

type counterAdd struct {
	op history.Operation
	v  float64
}

// counterBounds holds prefix sums over the adds: those acknowledged (ok)
// by completion event, and all that may have happened by invoke event.
type counterBounds struct {
	okAt       []int // completion indices of ok adds, ascending
	okSum      []float64
	okPos      []float64 // of the increments among them
	okNeg      []float64
	invokedAt  []int // invoke indices of adds that did not fail, ascending
	invokedPos []float64
	invokedNeg []float64
}

func newCounterBounds(adds []counterAdd) *counterBounds {
	b := &counterBounds{okSum: []float64{0}, okPos: []float64{0}, okNeg: []float64{0},
		invokedPos: []float64{0}, invokedNeg: []float64{0}}
	var acked []counterAdd
	for _, a := range adds {
		if a.op.Type == history.OK {
			acked = append(acked, a)
		}
	}
	sort.Slice(acked, func(i, j int) bool { return acked[i].op.Completion < acked[j].op.Completion })
	for _, a := range acked {
		b.okAt = append(b.okAt, a.op.Completion)
		b.okSum = append(b.okSum, last(b.okSum)+a.v)
		b.okPos = append(b.okPos, last(b.okPos)+max(a.v, 0))
		b.okNeg = append(b.okNeg, last(b.okNeg)+min(a.v, 0))
	}
	for _, a := range adds { // already in invoke order
		b.invokedAt = append(b.invokedAt, a.op.Index)
		b.invokedPos = append(b.invokedPos, last(b.invokedPos)+max(a.v, 0))
		b.invokedNeg = append(b.invokedNeg, last(b.invokedNeg)+min(a.v, 0))
	}
	return b
}

// at returns the bounds for read r: the adds acknowledged before it began
// certainly happened; the others invoked before it ended may have.
func (b *counterBounds) at(r history.Operation) (lower, upper float64) {
	d := sort.SearchInts(b.okAt, r.Index)           // ok adds completed before the read's invoke
	p := sort.SearchInts(b.invokedAt, r.Completion) // adds invoked before the read's completion
	maybePos := b.invokedPos[p] - b.okPos[d]
	maybeNeg := b.invokedNeg[p] - b.okNeg[d]
	return b.okSum[d] + maybeNeg, b.okSum[d] + maybePos
}

func last(l []float64) float64 { return l[len(l)-1] }

// number reads a JSON-able number.
func number(v any) (float64, error) {
	switch n := v.(type) {
	case int:
		return float64(n), nil
	case int64:
		return float64(n), nil
	case float64:
		return n, nil
	}
	return 0, fmt.Errorf("value %s is not a number", show(v))
}
