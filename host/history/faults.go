package history

import (
	"fmt"
	"time"
)

// Fault is a fault window kept with the history: what a nemesis did, to
// which nodes, and when, on the history's clock.
type Fault struct {
	Name    string   `json:"name"`
	Targets []string `json:"targets"`
	// Start is when the injection began; End when the fault was healed, or
	// nil for a fault still active (or a kill, which nothing heals).
	Start time.Duration  `json:"start"`
	End   *time.Duration `json:"end"`
}

// AddFault records a fault that began at start and ended at end (zero: not
// ended); see FaultWindow. A fault may be added after it ended, when the
// test's faults are collected.
func (h *History) AddFault(name string, targets []string, start, end time.Time) error {
	f, err := h.FaultWindow(name, targets, start, end)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, f)
	return nil
}

// FaultWindow returns the fault that began at start and ended at end (zero:
// not ended) on the history's clock, without adding it. Both are wall-clock
// times as time.Now returns them.
func (h *History) FaultWindow(name string, targets []string, start, end time.Time) (Fault, error) {
	if name == "" {
		return Fault{}, fmt.Errorf("fault: name is empty")
	}
	if !end.IsZero() && end.Before(start) {
		return Fault{}, fmt.Errorf("fault %s: ends before it starts", name)
	}
	f := Fault{Name: name, Targets: append([]string{}, targets...), Start: start.Sub(h.start)}
	if !end.IsZero() {
		d := end.Sub(h.start)
		f.End = &d
	}
	return f, nil
}

// Faults returns a copy of the faults added so far, in the order added.
func (h *History) Faults() []Fault {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Fault(nil), h.faults...)
}
