// Package history records a test's operation history the way Jepsen does:
// every client operation is an invoke event followed by one completion
// (ok, fail or info), each stamped with a monotonic time relative to the
// start of the test; fault windows are kept alongside so that checkers,
// history.json and the reports can show what the nemesis did meanwhile.
//
// A History is safe for concurrent use by any number of goroutines. Events
// are appended under one lock that is also held while the time is taken, so
// the event list is always in nondecreasing time order and event indices
// are that order.
package history

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

// Type is the kind of an event.
type Type string

const (
	// Invoke starts an operation, before the client call.
	Invoke Type = "invoke"
	// OK completes an operation that certainly happened.
	OK Type = "ok"
	// Fail completes an operation that certainly did not happen.
	Fail Type = "fail"
	// Info completes an operation whose outcome is unknown (a timeout, a
	// lost connection): it may take effect at any time after its
	// invocation, or never.
	Info Type = "info"
)

// Event is one entry of the history, as history.json stores it.
type Event struct {
	// Index is the event's position in the history, from 0.
	Index int  `json:"index"`
	Type  Type `json:"type"`
	// Process is the logical client that performed the operation; a
	// process has at most one operation open at a time.
	Process int    `json:"process"`
	F       string `json:"f"`
	// Value is a JSON-able Go value: nil, bool, a number, string, []any or
	// map[string]any.
	Value any `json:"value"`
	// Time is the event's time since the history began (nanoseconds in
	// JSON, as Jepsen's :time).
	Time time.Duration `json:"time"`
	// Invoke is, for a completion, the index of its invoke event; -1 for an
	// invoke.
	Invoke int `json:"invoke"`
}

// Op is the handle of an invoked operation, passed back to complete it.
type Op struct {
	h     *History
	index int
}

// Index returns the index of the operation's invoke event.
func (o Op) Index() int { return o.index }

// History is one test's operation history. The zero value is not usable;
// make one with New.
type History struct {
	start time.Time // carries a monotonic clock reading

	mu     sync.Mutex
	events []Event
	// open maps a process to the index of its open invoke event.
	open map[int]int
	// done marks invoke events that have been completed.
	done   map[int]bool
	faults []Fault
}

// New returns an empty history whose clock starts now.
func New() *History {
	return &History{start: time.Now(), open: map[int]int{}, done: map[int]bool{}}
}

// Start returns the wall-clock time the history began.
func (h *History) Start() time.Time { return h.start }

// Invoke records the start of an operation by process: f is what it does
// ("read", "write", "cas", "add"...) and value its argument. It fails if the
// process still has an operation open (Jepsen's processes are sequential:
// after an info, give the client a new process number) or if value is not
// JSON-able. The history keeps value as given: the caller must not modify
// it afterwards.
func (h *History) Invoke(process int, f string, value any) (Op, error) {
	if f == "" {
		return Op{}, fmt.Errorf("invoke: f (the operation's name) is empty")
	}
	if err := checkJSON(value); err != nil {
		return Op{}, fmt.Errorf("invoke %s by process %d: %w", f, process, err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if i, busy := h.open[process]; busy {
		prev := h.events[i]
		return Op{}, fmt.Errorf("invoke %s by process %d: the process still has an open operation (%s, event %d); complete it first or use another process number",
			f, process, prev.F, prev.Index)
	}
	index := len(h.events)
	h.events = append(h.events, Event{Index: index, Type: Invoke, Process: process, F: f, Value: value,
		Time: time.Since(h.start), Invoke: -1})
	h.open[process] = index
	return Op{h: h, index: index}, nil
}

// Complete records the end of op with outcome typ (OK, Fail or Info). A nil
// value keeps the invoked value (a write completes with what it wrote);
// a read passes what it read (kept as given, like Invoke's). An operation
// completes once.
func (h *History) Complete(op Op, typ Type, value any) (Event, error) {
	if typ != OK && typ != Fail && typ != Info {
		return Event{}, fmt.Errorf("complete: outcome %q is not ok, fail or info", typ)
	}
	if op.h != h {
		return Event{}, fmt.Errorf("complete: the operation belongs to another history")
	}
	if err := checkJSON(value); err != nil {
		return Event{}, fmt.Errorf("complete: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	inv := h.events[op.index]
	if h.done[op.index] {
		return Event{}, fmt.Errorf("complete: operation %s by process %d (event %d) is already complete", inv.F, inv.Process, inv.Index)
	}
	if value == nil {
		value = inv.Value
	}
	ev := Event{Index: len(h.events), Type: typ, Process: inv.Process, F: inv.F, Value: value,
		Time: time.Since(h.start), Invoke: inv.Index}
	h.events = append(h.events, ev)
	h.done[op.index] = true
	delete(h.open, inv.Process)
	return ev, nil
}

// Events returns a copy of the events recorded so far, in order.
func (h *History) Events() []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Event(nil), h.events...)
}

// Len returns the number of events recorded so far.
func (h *History) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.events)
}

func checkJSON(v any) error {
	if _, err := json.Marshal(v); err != nil {
		return fmt.Errorf("value %v is not JSON-able: %w", v, err)
	}
	return nil
}
