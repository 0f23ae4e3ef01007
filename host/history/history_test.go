package history

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func mustInvoke(t *testing.T, h *History, process int, f string, value any) Op {
	t.Helper()
	op, err := h.Invoke(process, f, value)
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func mustComplete(t *testing.T, h *History, op Op, typ Type, value any) Event {
	t.Helper()
	ev, err := h.Complete(op, typ, value)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestInvokeAndComplete(t *testing.T) {
	h := New()
	w := mustInvoke(t, h, 1, "write", int64(5))
	r := mustInvoke(t, h, 2, "read", nil)
	mustComplete(t, h, w, OK, nil)
	mustComplete(t, h, r, OK, int64(5))
	c := mustInvoke(t, h, 1, "cas", []any{int64(5), int64(6)})
	mustComplete(t, h, c, Fail, nil)

	ev := h.Events()
	want := []struct {
		typ     Type
		process int
		f       string
		value   any
		invoke  int
	}{
		{Invoke, 1, "write", int64(5), -1},
		{Invoke, 2, "read", nil, -1},
		{OK, 1, "write", int64(5), 0}, // a nil completion value keeps the invoked one
		{OK, 2, "read", int64(5), 1},
		{Invoke, 1, "cas", nil, -1},
		{Fail, 1, "cas", nil, 4},
	}
	if len(ev) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(ev), len(want), ev)
	}
	for i, w := range want {
		e := ev[i]
		if e.Index != i || e.Type != w.typ || e.Process != w.process || e.F != w.f || e.Invoke != w.invoke {
			t.Errorf("event %d = %+v, want %+v", i, e, w)
		}
		if w.value != nil && e.Value != w.value {
			t.Errorf("event %d value = %v, want %v", i, e.Value, w.value)
		}
		if i > 0 && e.Time < ev[i-1].Time {
			t.Errorf("event %d time %v before event %d's %v", i, e.Time, i-1, ev[i-1].Time)
		}
	}
	if h.Len() != 6 {
		t.Errorf("Len = %d, want 6", h.Len())
	}
}

func TestMisuseIsAnError(t *testing.T) {
	h := New()
	op := mustInvoke(t, h, 1, "write", int64(1))
	other := New()
	otherOp := mustInvoke(t, other, 1, "write", int64(1))
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"second open op of a process", second(h.Invoke(1, "read", nil)), "process 1: the process still has an open operation"},
		{"empty f", second(h.Invoke(2, "", nil)), "f (the operation's name) is empty"},
		{"value not JSON-able", second(h.Invoke(3, "write", func() {})), "is not JSON-able"},
		{"unknown outcome", second(h.Complete(op, "done", nil)), `outcome "done" is not ok, fail or info`},
		{"another history's op", second(h.Complete(otherOp, OK, nil)), "belongs to another history"},
		{"completion value not JSON-able", second(h.Complete(op, OK, make(chan int))), "is not JSON-able"},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	mustComplete(t, h, op, Info, nil)
	if _, err := h.Complete(op, OK, nil); err == nil || !strings.Contains(err.Error(), "already complete") {
		t.Errorf("completing twice: %v", err)
	}
	// After its operation completed (even as info) the process may go on.
	mustInvoke(t, h, 1, "read", nil)
}

func second[T any](_ T, err error) error { return err }

func TestOperationsPairsAndKeepsOpenOnesAsInfo(t *testing.T) {
	h := New()
	a := mustInvoke(t, h, 0, "write", int64(1))
	b := mustInvoke(t, h, 1, "write", int64(2))
	mustInvoke(t, h, 2, "read", nil) // never completes
	mustComplete(t, h, b, Fail, nil)
	mustComplete(t, h, a, OK, nil)

	ops := h.Operations()
	if len(ops) != 3 {
		t.Fatalf("%d operations: %+v", len(ops), ops)
	}
	if ops[0].Process != 0 || ops[0].Type != OK || ops[0].Return < ops[0].Call || ops[0].Return < ops[1].Return {
		t.Errorf("op 0 = %+v", ops[0])
	}
	if ops[0].Completion != 4 || ops[2].Completion != -1 {
		t.Errorf("completion indices %d, %d; want 4, -1", ops[0].Completion, ops[2].Completion)
	}
	if ops[1].Process != 1 || ops[1].Type != Fail {
		t.Errorf("op 1 = %+v", ops[1])
	}
	if ops[2].Process != 2 || ops[2].Type != Info || ops[2].Return != -1 {
		t.Errorf("op 2 (open) = %+v, want info with Return -1", ops[2])
	}
}

// TestConcurrentRecording records from many goroutines at once (run under
// -race): every operation is paired with its own completion and the event
// list stays in time order.
func TestConcurrentRecording(t *testing.T) {
	const workers, perWorker = 8, 200
	h := New()
	var wg sync.WaitGroup
	for p := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				op, err := h.Invoke(p, "write", int64(i))
				if err == nil {
					_, err = h.Complete(op, OK, nil)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // a nemesis adding faults and a reader taking snapshots meanwhile
		defer wg.Done()
		for range 50 {
			if err := h.AddFault("pause", []string{"n1"}, time.Now(), time.Time{}); err != nil {
				t.Error(err)
			}
			h.Snapshot()
		}
	}()
	wg.Wait()

	ev := h.Events()
	if len(ev) != 2*workers*perWorker {
		t.Fatalf("%d events, want %d", len(ev), 2*workers*perWorker)
	}
	for i, e := range ev {
		if e.Index != i {
			t.Fatalf("event %d has index %d", i, e.Index)
		}
		if i > 0 && e.Time < ev[i-1].Time {
			t.Fatalf("event %d is earlier than event %d", i, i-1)
		}
		if e.Type != Invoke {
			inv := ev[e.Invoke]
			if inv.Type != Invoke || inv.Process != e.Process || inv.Value != e.Value {
				t.Fatalf("completion %+v paired with %+v", e, inv)
			}
		}
	}
	if n := len(h.Faults()); n != 50 {
		t.Errorf("%d faults, want 50", n)
	}
}

func TestAddFault(t *testing.T) {
	h := New()
	start := h.Start().Add(2 * time.Second)
	if err := h.AddFault("partition", []string{"n1", "n2"}, start, start.Add(3*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := h.AddFault("kill", []string{"n3"}, start, time.Time{}); err != nil {
		t.Fatal(err)
	}
	f := h.Faults()
	if f[0].Name != "partition" || f[0].Start != 2*time.Second || f[0].End == nil || *f[0].End != 5*time.Second ||
		strings.Join(f[0].Targets, ",") != "n1,n2" {
		t.Errorf("partition = %+v", f[0])
	}
	if f[1].End != nil {
		t.Errorf("kill end = %v, want nil", *f[1].End)
	}
	if err := h.AddFault("pause", nil, start, start.Add(-time.Second)); err == nil || !strings.Contains(err.Error(), "ends before it starts") {
		t.Errorf("fault ending before it starts: %v", err)
	}
	if err := h.AddFault("", nil, start, time.Time{}); err == nil {
		t.Error("fault without a name: no error")
	}
}
