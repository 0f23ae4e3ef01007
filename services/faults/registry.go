package faults

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// ErrClosed is returned for an injection into a registry whose test is
// tearing down.
var ErrClosed = errors.New("the test is tearing down: no new faults")

// Registry is the faults of one test: it injects them, remembers them in
// order, and heals every active one at the end. Safe for concurrent use.
type Registry struct {
	tag   string          // "ducktape-<hash of the test id>"
	nodes []*cluster.Node // the test's nodes: the peers of isolate and of shaping without a target list

	inflight sync.WaitGroup // injections under way; Close waits for them

	mu        sync.Mutex
	closed    bool
	lastID    int                    // number of the last injection begun
	faults    []*Fault               // every injected fault, in order
	nemeses   []func() error         // stop functions of background nemeses, not yet stopped
	shaped    map[*cluster.Node]bool // nodes with a delay qdisc (one at a time)
	hosts     map[*cluster.Node]*hostInfo
	mounts    []*LazyFS                  // lazy file systems, in mount order; unmounted by CloseStorage
	snapshots map[*cluster.Node][]string // corrupt's snapshot files, removed by CloseStorage
}

// NewRegistry returns the empty registry of test testID running on nodes.
func NewRegistry(testID string, nodes []*cluster.Node) *Registry {
	sum := sha256.Sum256([]byte(testID))
	return &Registry{
		tag: "ducktape-" + hex.EncodeToString(sum[:4]), nodes: slices.Clone(nodes),
		shaped: map[*cluster.Node]bool{}, hosts: map[*cluster.Node]*hostInfo{},
	}
}

// inject makes fault kind on nodes: apply injects it, marking what it adds
// on the nodes with tag (when tagged), and returns how to heal it (nil:
// nothing heals it). When apply fails it must have undone what it did. The
// fault is recorded only once injected; a failed injection uses up its
// number. apply may add to args until it returns.
func (r *Registry) inject(ctx context.Context, kind string, nodes []*cluster.Node, args map[string]any, tagged bool,
	apply func(ctx context.Context, tag string) (func(context.Context) error, error)) (*Fault, error) {
	return r.injectFault(ctx, kind, nodes, args, tagged, false, apply)
}

// injectEvent makes a fault that is over when apply returns (a power loss,
// a corruption): nothing heals it, and its window, from inject to heal
// time, spans the injection.
func (r *Registry) injectEvent(ctx context.Context, kind string, nodes []*cluster.Node, args map[string]any, apply func(ctx context.Context) error) (*Fault, error) {
	return r.injectFault(ctx, kind, nodes, args, false, true, func(ctx context.Context, _ string) (func(context.Context) error, error) {
		return nil, apply(ctx)
	})
}

// open fails with ErrClosed once the test is tearing down.
func (r *Registry) open() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	return nil
}

func (r *Registry) injectFault(ctx context.Context, kind string, nodes []*cluster.Node, args map[string]any, tagged, event bool,
	apply func(ctx context.Context, tag string) (func(context.Context) error, error)) (*Fault, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrClosed
	}
	r.inflight.Add(1)
	r.lastID++
	f := &Fault{id: r.lastID, kind: kind, nodes: nodeNames(nodes), args: args, injected: time.Now()}
	r.mu.Unlock()
	defer r.inflight.Done()

	if tagged {
		f.tag = fmt.Sprintf("%s-%d", r.tag, f.id)
	}
	heal, err := apply(ctx, f.tag)
	if err != nil {
		return nil, err
	}
	f.heal = heal
	if event {
		f.healed = time.Now()
	}
	r.mu.Lock()
	r.faults = append(r.faults, f)
	r.mu.Unlock()
	return f, nil
}

// History returns the records of every fault injected so far, in order.
func (r *Registry) History() []Record {
	r.mu.Lock()
	all := slices.Clone(r.faults)
	r.mu.Unlock()
	out := make([]Record, len(all))
	for i, f := range all {
		out[i] = f.Record()
	}
	return out
}

// AddNemesis registers stop, which stops a background nemesis (waiting for
// it to end) and returns its error; HealAll and Close call it before
// healing. stop must be idempotent. It fails with ErrClosed once the
// registry is closing.
func (r *Registry) AddNemesis(stop func() error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	r.nemeses = append(r.nemeses, stop)
	return nil
}

// HealAll stops every background nemesis, then heals every active fault,
// newest first. It goes on after errors and returns them all (a nemesis's
// own error included).
func (r *Registry) HealAll(ctx context.Context) error {
	return errors.Join(r.stopNemeses(), r.healActive(ctx))
}

// Close ends fault injection for the test, whatever happened to it: no
// new fault can be injected, background nemeses are stopped, injections
// under way are waited for, and every active fault is healed. ctx must not
// be one that the test's end cancels. Close may be called more than once.
func (r *Registry) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	err := r.stopNemeses()
	r.inflight.Wait()
	return errors.Join(err, r.healActive(ctx))
}

func (r *Registry) stopNemeses() error {
	r.mu.Lock()
	stops := r.nemeses
	r.nemeses = nil
	r.mu.Unlock()
	var errs []error
	for _, stop := range stops {
		errs = append(errs, stop())
	}
	return errors.Join(errs...)
}

func (r *Registry) healActive(ctx context.Context) error {
	r.mu.Lock()
	all := slices.Clone(r.faults)
	r.mu.Unlock()
	slices.Reverse(all)
	var errs []error
	for _, f := range all {
		errs = append(errs, f.Heal(ctx))
	}
	return errors.Join(errs...)
}

func nodeNames(nodes []*cluster.Node) []string {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	return names
}
