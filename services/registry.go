package services

import (
	"context"
	"fmt"
	"maps"
	pathpkg "path"
	"slices"
	"strings"
	"sync"

	"github.com/ducktape-go/ducktape/cluster"
)

// Registry is the services of one test, in order of creation: it names them
// ("<name>-<n>"), remembers the logs marked for collection, and tears them
// all down at the end of the test (see [Registry.Teardown]). Safe for
// concurrent use.
type Registry struct {
	ctx context.Context // the test's: background workers run under it

	mu       sync.Mutex
	services []*Service
	counts   map[string]int
	marked   map[*Service]map[string]bool
}

// NewRegistry returns the empty registry of a test whose context is ctx.
// Background workers are cancelled when ctx is.
func NewRegistry(ctx context.Context) *Registry {
	return &Registry{ctx: ctx, counts: map[string]int{}, marked: map[*Service]map[string]bool{}}
}

// New creates and registers a service on nodes already taken for it. Its id
// is "<name>-<n>" with n counting the services of that name in the test.
// Its nodes may be shared with services of the test not yet freed (a
// Sentinel beside each Redis): then none of its log paths may be, or lie
// inside, or hold, a log path of another service on the same node, so that
// each collects its own logs; New fails saying which logs clash.
func (r *Registry) New(spec Spec) (*Service, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := fmt.Sprintf("%s-%d", spec.Name, r.counts[spec.Name]+1)
	for _, other := range r.services {
		if _, _, freed := other.state(); !freed {
			if err := logClash(id, spec, other); err != nil {
				return nil, err
			}
		}
	}
	r.counts[spec.Name]++
	s := &Service{
		Name: spec.Name, ID: id,
		Module: spec.Module, Nodes: spec.Nodes, Logs: spec.Logs,
		hooks: spec.Hooks, base: r.ctx, release: spec.Release, stopped: map[int]bool{},
	}
	if spec.Hooks.Worker != nil {
		s.workers = newWorkers()
	}
	r.services = append(r.services, s)
	return s, nil
}

// logClash fails when the service id of spec would share a node with other
// and a log path of one is, lies inside, or holds a log path of the other
// (relative paths are the node's working directory, so only paths of the
// same kind are compared).
func logClash(id string, spec Spec, other *Service) error {
	var shared *cluster.Node
	for _, n := range spec.Nodes {
		if other.Idx(n) > 0 {
			shared = n
			break
		}
	}
	if shared == nil {
		return nil
	}
	for _, name := range sortedLogNames(spec.Logs) {
		mine := pathpkg.Clean(spec.Logs[name].Path)
		for _, otherName := range logNames(other) {
			theirs := pathpkg.Clean(other.Logs[otherName].Path)
			var how string
			switch {
			case mine == theirs:
				how = "is"
			case within(mine, theirs):
				how = "lies inside"
			case within(theirs, mine):
				how = "holds"
			default:
				continue
			}
			return fmt.Errorf("%s cannot share %s with %s: its log %s (%s) %s %s's log %s (%s), so each would collect the other's; "+
				"services on one node need log paths of their own (e.g. under a directory named after the service)",
				id, shared.Name, other.ID, name, spec.Logs[name].Path, how, other.ID, otherName, other.Logs[otherName].Path)
		}
	}
	return nil
}

// within reports whether path lies inside dir (both cleaned).
func within(path, dir string) bool {
	return dir != "." && strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

// Services returns the registered services in order of creation.
func (r *Registry) Services() []*Service {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Service(nil), r.services...)
}

// MarkForCollect marks log name of s (every log of s when name is "") to be
// collected even when the test passes.
func (r *Registry) MarkForCollect(s *Service, name string) error {
	if _, ok := s.Logs[name]; name != "" && !ok {
		return fmt.Errorf("%s has no log named %q (it has %v)", s.ID, name, logNames(s))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.marked[s] == nil {
		r.marked[s] = map[string]bool{}
	}
	if name == "" {
		for n := range s.Logs {
			r.marked[s][n] = true
		}
	} else {
		r.marked[s][name] = true
	}
	return nil
}

func (r *Registry) isMarked(s *Service, name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.marked[s][name]
}

// JSON returns every service's description, in order of creation, for the
// test's report (Result.Services).
func (r *Registry) JSON() []any {
	out := []any{}
	for _, s := range r.Services() {
		out = append(out, s.JSON())
	}
	return out
}

// JSON describes the service as the Python ducktape's Service.to_json does,
// plus the names of its nodes.
func (s *Service) JSON() map[string]any {
	hostnames, names := []any{}, []any{}
	for _, n := range s.Nodes {
		hostnames = append(hostnames, n.Account.Info().Hostname)
		names = append(names, n.Name)
	}
	return map[string]any{
		"cls_name": s.Name, "module_name": s.Module, "service_id": s.ID,
		"nodes": hostnames, "node_names": names,
	}
}

func logNames(s *Service) []string { return sortedLogNames(s.Logs) }

func sortedLogNames(logs map[string]LogSpec) []string {
	return slices.Sorted(maps.Keys(logs))
}
