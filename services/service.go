package services

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// LogSpec is one log of a service: a file or directory on each of its
// nodes. Relative paths are the node's working directory.
type LogSpec struct {
	Path string
	// CollectDefault: collected after a passing test too, not only after a
	// failing one.
	CollectDefault bool
	// Collect, when not CollectByDefault, overrides the rules of
	// CollectDefault and test failure (see LogSpec.Wanted).
	Collect CollectPolicy
}

// CollectPolicy is a log's "collect" setting.
type CollectPolicy string

const (
	CollectByDefault CollectPolicy = ""           // on failure, by collect_default, or marked
	CollectAlways    CollectPolicy = "always"     // after every test
	CollectOnFailure CollectPolicy = "on_failure" // after a failed test, or marked
	CollectNever     CollectPolicy = "never"      // never, even marked
)

// ParseCollectPolicy accepts "always", "on_failure" and "never".
func ParseCollectPolicy(s string) (CollectPolicy, error) {
	switch p := CollectPolicy(s); p {
	case CollectAlways, CollectOnFailure, CollectNever:
		return p, nil
	}
	return "", fmt.Errorf("collect must be \"always\", \"on_failure\" or \"never\", not %q", s)
}

// Wanted reports whether the log is collected after a test that failed
// (or not), when the test marked it for collection (or not).
func (l LogSpec) Wanted(failed, marked bool) bool {
	switch l.Collect {
	case CollectAlways:
		return true
	case CollectNever:
		return false
	case CollectOnFailure:
		return failed || marked
	}
	return failed || l.CollectDefault || marked
}

// NodeFunc is a per-node hook. idx is the node's 1-based index in the
// service. Hooks are called without any lock held, concurrently for
// different nodes of a service; an implementation that runs Starlark takes
// the test's interpreter lock itself.
type NodeFunc func(ctx context.Context, idx int, node *cluster.Node) error

// Hooks are a service's per-node operations. Start is required; the others
// may be nil (no-ops, except Wait: see [Service.Wait]).
type Hooks struct {
	Start NodeFunc
	// Stop stops the node's part of the service, hard (SIGKILL) when
	// cleanShutdown is false.
	Stop  func(ctx context.Context, idx int, node *cluster.Node, cleanShutdown bool) error
	Clean NodeFunc
	// Wait waits up to timeout for the node's work to finish and reports
	// whether it did.
	Wait func(ctx context.Context, idx int, node *cluster.Node, timeout time.Duration) (bool, error)
	// Worker, if set, makes a background service: Start runs the node's
	// worker on its own goroutine (after Start, if Start is set too), Stop
	// cancels it and waits for it to end, and Wait, if nil, waits for it.
	Worker NodeFunc
}

// Service is one instance of a service in a test: its nodes and its
// lifecycle. Its methods are safe for concurrent use; lifecycle calls on one
// service are serialised (a second start waits for the first).
type Service struct {
	Name   string
	ID     string // "<name>-<n>", unique within the test
	Module string // the file that defined the service (for to_json)
	Nodes  []*cluster.Node
	Logs   map[string]LogSpec

	hooks   Hooks
	base    context.Context       // the test's context: workers run under it
	release func([]*cluster.Node) // gives the nodes back to the test
	workers *workers              // nil unless hooks.Worker is set

	lifecycle sync.Mutex // held by start, stop, clean, wait, restart, bounce, free

	mu      sync.Mutex // guards the fields below
	running bool       // started and not stopped since
	started bool       // started at least once
	freed   bool
	// stopped holds the indexes of the nodes whose last lifecycle step was a
	// successful stop_node: start(clean = True) need not stop them again.
	stopped map[int]bool
}

// Spec describes a service to create with [Registry.New].
type Spec struct {
	Name   string
	Module string
	Nodes  []*cluster.Node
	Logs   map[string]LogSpec
	Hooks  Hooks
	// Release gives the nodes back to the test (ctx.cluster).
	Release func([]*cluster.Node)
}

func (s *Service) state() (running, started, freed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running, s.started, s.freed
}

func (s *Service) setRunning(running bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running = running
	s.started = s.started || running
}

// Running reports whether the service was started and not stopped since.
func (s *Service) Running() bool {
	running, _, _ := s.state()
	return running
}

// Idx returns node's 1-based index in the service, or 0 if the service does
// not use it.
func (s *Service) Idx(node *cluster.Node) int {
	for i, n := range s.Nodes {
		if n == node {
			return i + 1
		}
	}
	return 0
}

// usable fails once the service was freed.
func (s *Service) usable(op string) error {
	if _, _, freed := s.state(); freed {
		return fmt.Errorf("%s: cannot %s: the service was freed", s.ID, op)
	}
	return nil
}

// Start starts the service on every node. With clean, each node is first
// stopped and cleaned, ignoring errors (a previous run may have left
// things behind); the stop is skipped on a node that this service stopped
// successfully since it last started there, since nothing can be left
// running. Then start_node runs on every node concurrently. The
// service counts as running as soon as Start is called, so that teardown
// stops a service whose start failed half-way.
func (s *Service) Start(ctx context.Context, clean bool) error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if err := s.usable("start"); err != nil {
		return err
	}
	if clean {
		s.forEachNode(func(idx int, node *cluster.Node) error {
			if !s.knownStopped(idx) {
				s.stopNode(ctx, idx, node, true)
			}
			s.cleanNode(ctx, idx, node)
			return nil
		})
		s.workers.takeErrors() // from the workers just cancelled: stale
	}
	s.setRunning(true)
	return s.forEachNode(func(idx int, node *cluster.Node) error {
		return s.startNode(ctx, idx, node)
	})
}

// Stop stops the service on every node concurrently. A background service's
// workers are cancelled and waited for; their errors, if any, are
// returned (each only once, by Stop or Wait).
func (s *Service) Stop(ctx context.Context) error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if err := s.usable("stop"); err != nil {
		return err
	}
	return s.stopLocked(ctx)
}

func (s *Service) stopLocked(ctx context.Context) error {
	err := s.forEachNode(func(idx int, node *cluster.Node) error {
		return s.stopNode(ctx, idx, node, true)
	})
	s.setRunning(false)
	return errors.Join(err, s.workers.takeErrors())
}

// Clean runs clean_node on every node concurrently.
func (s *Service) Clean(ctx context.Context) error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if err := s.usable("clean"); err != nil {
		return err
	}
	return s.forEachNode(func(idx int, node *cluster.Node) error {
		return s.cleanNode(ctx, idx, node)
	})
}

// Wait waits, up to timeout for all nodes together, for the service's work
// to finish on every node. It needs a Wait hook, or a worker.
func (s *Service) Wait(ctx context.Context, timeout time.Duration) error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if err := s.usable("wait"); err != nil {
		return err
	}
	if s.hooks.Wait == nil && s.workers == nil {
		return fmt.Errorf("%s: wait() needs a wait_node hook: it is for services that finish on their own", s.ID)
	}
	deadline := time.Now().Add(timeout)
	var mu sync.Mutex
	var unfinished []string
	err := s.forEachNode(func(idx int, node *cluster.Node) error {
		var done bool
		var err error
		if s.hooks.Wait != nil {
			done, err = s.hooks.Wait(ctx, idx, node, max(time.Until(deadline), 0))
		} else {
			done, err = s.workers.wait(ctx, idx, max(time.Until(deadline), 0))
		}
		if err == nil && !done {
			mu.Lock()
			unfinished = append(unfinished, node.Name)
			mu.Unlock()
		}
		return err
	})
	if len(unfinished) > 0 {
		slices.Sort(unfinished)
		err = errors.Join(err, fmt.Errorf("%s: timed out after %s waiting for the service to finish; still running on %s",
			s.ID, timeout, strings.Join(unfinished, ", ")))
	}
	return errors.Join(err, s.workers.takeErrors())
}

// Run starts the service, waits for it to finish and stops it; it stops it
// even when the wait failed. All errors are returned.
func (s *Service) Run(ctx context.Context, timeout time.Duration) error {
	if err := s.Start(ctx, true); err != nil {
		return errors.Join(err, s.Stop(ctx))
	}
	return errors.Join(s.Wait(ctx, timeout), s.Stop(ctx))
}

// Restart stops and starts each node in turn (a rolling restart), without
// cleaning.
func (s *Service) Restart(ctx context.Context) error {
	return s.Bounce(ctx, nil, true)
}

// Bounce stops node (every node in turn when nil), hard unless
// cleanShutdown, and starts it again.
func (s *Service) Bounce(ctx context.Context, node *cluster.Node, cleanShutdown bool) error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if err := s.usable("bounce"); err != nil {
		return err
	}
	nodes := s.Nodes
	if node != nil {
		if s.Idx(node) == 0 {
			return fmt.Errorf("%s does not run on %s", s.ID, node.Name)
		}
		nodes = []*cluster.Node{node}
	}
	s.setRunning(true)
	for _, n := range nodes {
		idx := s.Idx(n)
		if err := s.stopNode(ctx, idx, n, cleanShutdown); err != nil {
			return err
		}
		if err := s.startNode(ctx, idx, n); err != nil {
			return err
		}
	}
	return s.workers.takeErrors()
}

// Free gives the service's nodes back to the test. The service must be
// stopped first, and cannot be used afterwards.
func (s *Service) Free() error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if err := s.usable("free"); err != nil {
		return err
	}
	if s.Running() {
		return fmt.Errorf("%s: stop the service before freeing its nodes", s.ID)
	}
	s.mu.Lock()
	s.freed = true
	s.mu.Unlock()
	s.release(s.Nodes)
	return nil
}

// stopWorkers cancels every worker and waits for them to end.
func (s *Service) stopWorkers() {
	for idx := range s.Nodes {
		s.workers.stop(idx + 1)
	}
}

// WorkerAlive reports whether the worker of the node with index idx is
// running (always false for a service without workers).
func (s *Service) WorkerAlive(idx int) bool { return s.workers.alive(idx) }

// IsBackground reports whether the service runs workers.
func (s *Service) IsBackground() bool { return s.workers != nil }

func (s *Service) knownStopped(idx int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped[idx]
}

func (s *Service) setStopped(idx int, stopped bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped[idx] = stopped
}

func (s *Service) startNode(ctx context.Context, idx int, node *cluster.Node) error {
	s.setStopped(idx, false)
	if s.hooks.Start != nil {
		if err := s.hooks.Start(ctx, idx, node); err != nil {
			return s.nodeError("start_node", node, err)
		}
	}
	if s.workers != nil {
		return s.workers.start(s.base, idx, fmt.Sprintf("%s worker %d on %s", s.ID, idx, node.Name), func(ctx context.Context) error {
			if err := s.hooks.Worker(ctx, idx, node); err != nil {
				return s.nodeError("worker", node, err)
			}
			return nil
		})
	}
	return nil
}

func (s *Service) stopNode(ctx context.Context, idx int, node *cluster.Node, cleanShutdown bool) error {
	var err error
	if s.hooks.Stop != nil {
		if err = s.hooks.Stop(ctx, idx, node, cleanShutdown); err != nil {
			err = s.nodeError("stop_node", node, err)
		}
	}
	s.workers.stop(idx)
	s.setStopped(idx, err == nil)
	return err
}

func (s *Service) cleanNode(ctx context.Context, idx int, node *cluster.Node) error {
	if s.hooks.Clean == nil {
		return nil
	}
	if err := s.hooks.Clean(ctx, idx, node); err != nil {
		return s.nodeError("clean_node", node, err)
	}
	return nil
}

func (s *Service) nodeError(op string, node *cluster.Node, err error) error {
	return &NodeError{Service: s.ID, Op: op, Node: node.Name, Err: err}
}

// forEachNode runs fn for every node concurrently and joins the errors in
// node order.
func (s *Service) forEachNode(fn func(idx int, node *cluster.Node) error) error {
	errs := make([]error, len(s.Nodes))
	var wg sync.WaitGroup
	for i, n := range s.Nodes {
		wg.Go(func() { errs[i] = fn(i+1, n) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// NodeError is a hook of a service that failed on a node.
type NodeError struct {
	Service string
	Op      string // start_node, stop_node, clean_node, wait_node, worker
	Node    string
	Err     error
}

func (e *NodeError) Error() string {
	return fmt.Sprintf("%s: %s failed on %s: %v", e.Service, e.Op, e.Node, e.Err)
}
func (e *NodeError) Unwrap() error { return e.Err }
