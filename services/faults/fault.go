package faults

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Fault is one injected fault. Its identity (number, kind, nodes, tag,
// arguments and inject time) is fixed when it is made; its heal time is set
// once, by the first successful Heal. Safe for concurrent use: concurrent
// heals run one at a time.
type Fault struct {
	id       int
	kind     string
	nodes    []string
	args     map[string]any
	tag      string
	injected time.Time
	// heal undoes the injection; nil for a fault nothing heals (kill,
	// and the events lose_unsynced and corrupt).
	heal func(ctx context.Context) error

	mu     sync.Mutex // held while healing
	healed time.Time  // zero while active
}

// ID returns the fault's number in its test, from 1.
func (f *Fault) ID() int { return f.id }

// Kind returns what the fault is: "partition", "isolate", "delay", "loss",
// "pause", "kill", "lose_unsynced", "disk_errors", "slow_disk" or
// "corrupt".
func (f *Fault) Kind() string { return f.kind }

// Nodes returns the names of the nodes the fault acts on.
func (f *Fault) Nodes() []string { return append([]string(nil), f.nodes...) }

func (f *Fault) String() string {
	return fmt.Sprintf("fault %d (%s on %s)", f.id, f.kind, strings.Join(f.nodes, ", "))
}

// Active reports whether the fault is in effect and healable: injected, not
// healed, and not a kill.
func (f *Fault) Active() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.heal != nil && f.healed.IsZero()
}

// Heal undoes the fault. Healing a healed fault, or a kill, does nothing.
// When healing fails the fault stays active, so that a later Heal (at the
// latest the registry's Close) tries again.
func (f *Fault) Heal(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.heal == nil || !f.healed.IsZero() {
		return nil
	}
	if err := f.heal(ctx); err != nil {
		return fmt.Errorf("healing %s: %w", f, err)
	}
	f.healed = time.Now()
	return nil
}

// Record is a fault as the test's report.json, report.html and
// faults.history() show it. Times are Unix seconds, like the report's
// start_time: InjectTime is when the injection began, HealTime when the
// heal completed (nil while active, and for a kill; for an event such as
// lose_unsynced, when the injection ended), so [InjectTime, HealTime]
// covers the fault's whole effect.
type Record struct {
	ID    int            `json:"id"`
	Kind  string         `json:"kind"`
	Nodes []string       `json:"nodes"`
	Args  map[string]any `json:"args"`
	// Tag marks what the fault added on the nodes (iptables comments);
	// empty for faults that add nothing (pause, kill).
	Tag        string   `json:"tag,omitempty"`
	InjectTime float64  `json:"inject_time"`
	HealTime   *float64 `json:"heal_time"`
}

// Record returns the fault's record as of now.
func (f *Fault) Record() Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := Record{ID: f.id, Kind: f.kind, Nodes: f.Nodes(), Args: f.args, Tag: f.tag, InjectTime: unixSeconds(f.injected)}
	if !f.healed.IsZero() {
		t := unixSeconds(f.healed)
		r.HealTime = &t
	}
	return r
}

func unixSeconds(t time.Time) float64 { return float64(t.UnixMicro()) / 1e6 }
