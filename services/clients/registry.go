package clients

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// closeTimeout bounds the closing of one client when its test ends: a
// client whose server is paused must not hold up the teardown.
const closeTimeout = 5 * time.Second

// Registry is what one test (or REPL session) opened: its clients, closed
// when it ends, and its HTTP transport (keep-alive connections shared by
// its http requests). It knows the test's nodes, so that an HTTP request
// to a node's address goes by that node's route. Safe for concurrent use.
type Registry struct {
	nodes []*cluster.Node

	mu      sync.Mutex
	clients map[closer]struct{}
	http    *http.Transport
	closed  bool
}

// closer is a client of the registry; String names it in errors.
type closer interface {
	close() error
	String() string
}

// NewRegistry returns the registry of a test that runs on nodes.
func NewRegistry(nodes []*cluster.Node) *Registry {
	return &Registry{nodes: nodes, clients: map[closer]struct{}{}}
}

// errEnded refuses clients once the test has ended.
var errEnded = errors.New("the test has ended: its clients are closed")

// add registers c; it fails once the registry is closed.
func (r *Registry) add(c closer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errEnded
	}
	r.clients[c] = struct{}{}
	return nil
}

// remove forgets c (closed by the test itself).
func (r *Registry) remove(c closer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.clients, c)
}

// Len returns how many clients are open.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.clients)
}

// Close closes every client still open, at once, each bounded by
// closeTimeout, and the HTTP transport's idle connections; later clients
// are refused. It returns the names of the clients it closed, and the
// errors of those that would not close.
func (r *Registry) Close() (closed []string, err error) {
	r.mu.Lock()
	r.closed = true
	open := make([]closer, 0, len(r.clients))
	for c := range r.clients {
		open = append(open, c)
	}
	clear(r.clients)
	transport := r.http
	r.mu.Unlock()
	if transport != nil {
		transport.CloseIdleConnections()
	}
	errs := make([]error, len(open))
	var wg sync.WaitGroup
	for i, c := range open {
		closed = append(closed, c.String())
		wg.Go(func() {
			done := make(chan error, 1)
			go func() { done <- c.close() }()
			select {
			case errs[i] = <-done:
			case <-time.After(closeTimeout):
				errs[i] = fmt.Errorf("%s did not close within %s", c, closeTimeout)
			}
		})
	}
	wg.Wait()
	sort.Strings(closed)
	return closed, errors.Join(errs...)
}

// openConns counts the connections the clients of every registry hold.
var openConns atomic.Int64

// OpenConnections returns how many connections opened by clients of this
// process are open now.
func OpenConnections() int64 { return openConns.Load() }
