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

	mu       sync.Mutex
	closed   bool
	faults   []*Fault               // every injected fault, in order
	nemeses  []func() error         // stop functions of background nemeses, not yet stopped
	shaped   map[*cluster.Node]bool // nodes with a delay qdisc (one at a time)
	hosts    map[*cluster.Node]*hostInfo
	runnerNS string // the test runner's network stack, learnt with the first network fault
}

// NewRegistry returns the empty registry of test testID running on nodes.
func NewRegistry(testID string, nodes []*cluster.Node) *Registry {
	sum := sha256.Sum256([]byte(testID))
	return &Registry{
		tag: "ducktape-" + hex.EncodeToString(sum[:4]), nodes: slices.Clone(nodes),
		shaped: map[*cluster.Node]bool{}, hosts: map[*cluster.Node]*hostInfo{},
	}
}

// Tag returns the prefix of the tags of the registry's faults.
func (r *Registry) Tag() string { return r.tag }

// Nodes returns the test's nodes.
func (r *Registry) Nodes() []*cluster.Node { return slices.Clone(r.nodes) }

type registryKey struct{}

// NewContext returns ctx carrying r, so that the test's Starlark threads
// (whose contexts derive from it) find their registry.
func NewContext(ctx context.Context, r *Registry) context.Context {
	return context.WithValue(ctx, registryKey{}, r)
}

// FromContext returns the registry ctx carries, or nil.
func FromContext(ctx context.Context) *Registry {
	r, _ := ctx.Value(registryKey{}).(*Registry)
	return r
}

// inject makes fault kind on nodes: apply injects it under tag and returns
// how to heal it (nil: nothing heals it). When apply fails it must have
// undone what it did. The fault is recorded only once injected.
func (r *Registry) inject(ctx context.Context, kind string, nodes []*cluster.Node, args map[string]any,
	apply func(ctx context.Context, tag string) (func(context.Context) error, error)) (*Fault, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, ErrClosed
	}
	r.inflight.Add(1)
	id := len(r.faults) + 1 + r.pendingLocked()
	r.mu.Unlock()
	defer r.inflight.Done()

	f := &Fault{id: id, kind: kind, nodes: nodeNames(nodes), args: args, injected: time.Now()}
	f.tag = fmt.Sprintf("%s-%d", r.tag, id)
	heal, err := apply(ctx, f.tag)
	if err != nil {
		return nil, err
	}
	f.heal = heal
	if heal == nil {
		f.tag = ""
	}
	r.mu.Lock()
	r.faults = append(r.faults, f)
	r.pending--
	r.mu.Unlock()
	return f, nil
}
