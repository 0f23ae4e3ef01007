package txn

import (
	"fmt"
	"time"

	"github.com/ducktape-go/ducktape/host/history"
)

// builder writes a history of transactions by hand: each event happens a
// millisecond after the one before.
type builder struct {
	f    history.File
	open map[int]int // process -> its open invoke event
}

func newBuilder() *builder { return &builder{open: map[int]int{}} }

func (b *builder) event(typ history.Type, p int, value any) {
	i := len(b.f.Events)
	e := history.Event{Index: i, Type: typ, Process: p, F: "txn", Value: value, Time: time.Duration(i) * time.Millisecond, Invoke: -1}
	if typ == history.Invoke {
		b.open[p] = i
	} else {
		at, ok := b.open[p]
		if !ok {
			panic(fmt.Sprintf("process %d has no open transaction", p))
		}
		e.Invoke = at
		if value == nil {
			e.Value = b.f.Events[at].Value
		}
		delete(b.open, p)
	}
	b.f.Events = append(b.f.Events, e)
}

// invoke starts process p's transaction of mops (reads without values).
func (b *builder) invoke(p int, mops ...[]any) *builder {
	inv := make([]any, len(mops))
	for i, m := range mops {
		if m[0] == "r" {
			m = []any{"r", m[1], nil}
		}
		inv[i] = m
	}
	b.event(history.Invoke, p, inv)
	return b
}

// ok completes p's transaction with mops (reads with what they read).
func (b *builder) ok(p int, mops ...[]any) *builder {
	out := make([]any, len(mops))
	for i, m := range mops {
		out[i] = m
	}
	b.event(history.OK, p, out)
	return b
}

func (b *builder) fail(p int) *builder { b.event(history.Fail, p, nil); return b }
func (b *builder) info(p int) *builder { b.event(history.Info, p, nil); return b }

// txn runs p's transaction of mops at once, ending as typ.
func (b *builder) txn(p int, typ history.Type, mops ...[]any) *builder {
	b.invoke(p, mops...)
	if typ == history.OK {
		return b.ok(p, mops...)
	}
	b.event(typ, p, nil)
	return b
}

func app(k string, v int) []any { return []any{"append", k, float64(v)} }

// r is a list-append read of k returning vs (none: the empty list).
func r(k string, vs ...int) []any {
	l := make([]any, len(vs))
	for i, v := range vs {
		l[i] = float64(v)
	}
	return []any{"r", k, l}
}

func w(k string, v int) []any { return []any{"w", k, float64(v)} }

// rv is an rw-register read of k returning v (nil: None).
func rv(k string, v any) []any {
	if n, ok := v.(int); ok {
		v = float64(n)
	}
	return []any{"r", k, v}
}
