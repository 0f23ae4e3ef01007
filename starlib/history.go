package starlib

import (
	"encoding/json"
	"fmt"
	"math"
	"sync"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/history"
)

// historyDomain is history() and the methods of its value (see
// docs/checkers.md).
func historyDomain() Domain {
	return Domain{Name: "history", Page: "checkers.md", Builtins: []Builtin{
		function("history", "history()", "The test's operation history (one per test: every call returns the same one), saved as history.json in the test's results; the checks of the check module judge it.", historyBuiltin),
		attribute("history.invoke", "history.invoke(process, f, value = None)", "Records the start of an operation by process (a number; one open operation per process) just before the client call, and returns its handle (.process, .f, .value, .index)."),
		attribute("history.ok", "history.ok(op, value = None)", "Records that op completed and happened; a read passes the value read, without a value the invoked one is kept."),
		attribute("history.fail", "history.fail(op)", "Records that op certainly did not happen."),
		attribute("history.info", "history.info(op)", "Records that op's outcome is unknown (a timeout, a lost connection): it may take effect at any time after its invocation, or never."),
		attribute("history.complete", "history.complete(op, r, value = <r.value>)", "Records op's end from r, a `catch(...)` result: ok when r.error is None (with value, by default r.value; value = None keeps the invoked value, as for a write), fail when the call failed definitely (r.definite), info otherwise."),
		attribute("op.process", "", "The operation's process."),
		attribute("op.f", "", "The operation's f (\"read\", \"write\", ...)."),
		attribute("op.value", "", "The operation's invoked value."),
		attribute("op.index", "", "The index of the operation's invoke event in history.json."),
	}}
}

// TestHistory is a test's operation history (Env.History) with what the
// checks run on it found. Safe for concurrent use.
type TestHistory struct {
	h     *history.History
	dir   string // where visualizations go; "" for none
	value *HistoryValue

	mu     sync.Mutex
	checks []check.Result
}

// NewTestHistory returns an empty history whose clock starts now; checks
// write their visualizations into dir ("" for none).
func NewTestHistory(dir string) *TestHistory {
	t := &TestHistory{h: history.New(), dir: dir}
	t.value = &HistoryValue{t: t}
	return t
}

// History returns the recorded history.
func (t *TestHistory) History() *history.History { return t.h }

// Checks returns the results of the checks run so far, in order.
func (t *TestHistory) Checks() []check.Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]check.Result(nil), t.checks...)
}

func (t *TestHistory) addCheck(r check.Result) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.checks = append(t.checks, r)
}

// HistoryFile returns the test's history as it is now, with the faults the
// test injected so far as its fault windows (a fault not healed yet, or a
// kill, has no end).
func (e *Env) HistoryFile() history.File {
	f := e.History.h.Snapshot()
	if e.Faults == nil {
		return f
	}
	for _, rec := range e.Faults.History() {
		var end time.Time
		if rec.HealTime != nil {
			end = unixTime(*rec.HealTime)
		}
		// A record is always well-formed (a kind; healed after injected),
		// so FaultWindow cannot refuse it.
		if w, err := e.History.h.FaultWindow(rec.Kind, rec.Nodes, unixTime(rec.InjectTime), end); err == nil {
			f.Faults = append(f.Faults, w)
		}
	}
	return f
}

func unixTime(seconds float64) time.Time { return time.UnixMicro(int64(math.Round(seconds * 1e6))) }

// historyBuiltin is history().
func historyBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	env := EnvOf(thread)
	if env == nil || env.History == nil {
		return nil, fmt.Errorf("history() is only available in tests run by ducktape")
	}
	return env.History.value, nil
}

// HistoryValue is history()'s value: one per test, so every call returns the
// same object. Its methods record into the test's history, which is safe
// from every thread.
type HistoryValue struct{ t *TestHistory }

var _ starlark.HasAttrs = (*HistoryValue)(nil)

func (v *HistoryValue) String() string       { return fmt.Sprintf("<history of %d events>", v.t.h.Len()) }
func (v *HistoryValue) Type() string         { return "history" }
func (v *HistoryValue) Freeze()              {}
func (v *HistoryValue) Truth() starlark.Bool { return true }
func (v *HistoryValue) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: history")
}

func (v *HistoryValue) AttrNames() []string {
	return []string{"complete", "fail", "info", "invoke", "ok"}
}

func (v *HistoryValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "invoke":
		return starlark.NewBuiltin("history.invoke", v.invoke), nil
	case "ok":
		return starlark.NewBuiltin("history.ok", v.complete(history.OK, true)), nil
	case "fail":
		return starlark.NewBuiltin("history.fail", v.complete(history.Fail, false)), nil
	case "info":
		return starlark.NewBuiltin("history.info", v.complete(history.Info, false)), nil
	case "complete":
		return starlark.NewBuiltin("history.complete", v.completeFrom), nil
	}
	return nil, nil
}

// completeFrom is h.complete(op, r, value = <r.value>): the completion a
// catch result r says (see catch).
func (v *HistoryValue) completeFrom(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var op *OpValue
	var r, value starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "op", &op, "r", &r, "value?", &value); err != nil {
		return nil, err
	}
	x, ok := r.(*starlarkstruct.Struct)
	if !ok {
		return nil, fmt.Errorf("%s: r must be a catch(...) result, not %s", b.Name(), r.Type())
	}
	field := func(name string) (starlark.Value, error) {
		f, err := x.Attr(name)
		if err != nil || f == nil {
			return nil, fmt.Errorf("%s: r must be a catch(...) result: it has no %s", b.Name(), name)
		}
		return f, nil
	}
	errV, err := field("error")
	if err != nil {
		return nil, err
	}
	typ := history.OK
	if errV != starlark.None {
		d, err := field("definite")
		if err != nil {
			return nil, err
		}
		typ, value = history.Info, starlark.None
		if d.Truth() {
			typ = history.Fail
		}
	} else if value == nil {
		if value, err = field("value"); err != nil {
			return nil, err
		}
	}
	return v.record(op, typ, value)
}

// invoke is h.invoke(process, f, value = None).
func (v *HistoryValue) invoke(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var process int
	var f string
	var value starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "process", &process, "f", &f, "value?", &value); err != nil {
		return nil, err
	}
	goValue, err := toGoValue(value)
	if err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	op, err := v.t.h.Invoke(process, f, goValue)
	if err != nil {
		return nil, err
	}
	return &OpValue{t: v.t, op: op, process: process, f: f, value: goValue}, nil
}

// complete makes h.ok(op, value = None) (withValue) or h.fail(op) and
// h.info(op).
func (v *HistoryValue) complete(typ history.Type, withValue bool) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var op *OpValue
		var value starlark.Value = starlark.None
		var err error
		if withValue {
			err = starlark.UnpackArgs(b.Name(), args, kwargs, "op", &op, "value?", &value)
		} else {
			err = starlark.UnpackArgs(b.Name(), args, kwargs, "op", &op)
		}
		if err != nil {
			return nil, err
		}
		return v.record(op, typ, value)
	}
}

// record completes op as typ with value (None keeps the invoked value).
func (v *HistoryValue) record(op *OpValue, typ history.Type, value starlark.Value) (starlark.Value, error) {
	if op.t != v.t {
		return nil, fmt.Errorf("the operation belongs to another test's history")
	}
	goValue, err := toGoValue(value)
	if err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	if _, err := v.t.h.Complete(op.op, typ, goValue); err != nil {
		return nil, err
	}
	return starlark.None, nil
}

// toGoValue converts a Starlark value to the JSON-able Go value the history
// keeps (numbers become float64, as encoding/json decodes them).
func toGoValue(v starlark.Value) (any, error) {
	// The common scalars directly: the JSON round trip below costs more
	// than a client's call (a tenth of a history's recording).
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(x), nil
	case starlark.String:
		return string(x), nil
	case starlark.Int:
		if n, ok := x.Int64(); ok && n >= -1<<53 && n <= 1<<53 {
			return float64(n), nil
		}
	}
	data, err := ToJSON(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// OpValue is the handle h.invoke returns: .process, .f, .value (as
// recorded) and .index (of its invoke event). Immutable.
type OpValue struct {
	t       *TestHistory
	op      history.Op
	process int
	f       string
	value   any // JSON-able
}

var _ starlark.HasAttrs = (*OpValue)(nil)

func (o *OpValue) String() string {
	v, _ := json.Marshal(o.value)
	return fmt.Sprintf("<op %d: process %d %s %s>", o.op.Index(), o.process, o.f, v)
}
func (o *OpValue) Type() string          { return "op" }
func (o *OpValue) Freeze()               {}
func (o *OpValue) Truth() starlark.Bool  { return true }
func (o *OpValue) Hash() (uint32, error) { return starlark.MakeInt(o.op.Index()).Hash() }

func (o *OpValue) AttrNames() []string { return []string{"f", "index", "process", "value"} }

func (o *OpValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "process":
		return starlark.MakeInt(o.process), nil
	case "f":
		return starlark.String(o.f), nil
	case "value":
		return FromGo(o.value)
	case "index":
		return starlark.MakeInt(o.op.Index()), nil
	}
	return nil, nil
}
