package clients

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-zookeeper/zk"
)

// ZooKeeper is a session with a ZooKeeper ensemble through one of its
// servers (go-zookeeper/zk, which moves to another server of the list
// when its connection fails, keeping the session). Safe for concurrent
// use: calls of several threads are pipelined on the one connection.
type ZooKeeper struct {
	eps     []Endpoint
	timeout time.Duration
	reg     *Registry
	conn    *zk.Conn
	cancel  context.CancelFunc // ends dials in progress when the client closes

	mu      sync.Mutex
	dialErr error // the last failed dial, for errors
}

// zkPollInterval is how often a call waiting for a session checks.
const zkPollInterval = 5 * time.Millisecond

// ConnectZooKeeper opens a session with the servers at eps and waits
// until it is established (a failure within timeout is a definite
// error). The session timeout is timeout as well, and bounds each call
// that gives no timeout of its own. log, if not nil, receives the
// library's messages (connections, reconnections).
func ConnectZooKeeper(ctx context.Context, reg *Registry, eps []Endpoint, timeout time.Duration, log func(string)) (*ZooKeeper, error) {
	c := call{client: "zookeeper", op: "connect"}
	if len(eps) == 0 {
		return nil, c.definiteError(errors.New("no servers given"))
	}
	c.ep = eps[0]
	dialCtx, cancel := context.WithCancel(context.Background())
	z := &ZooKeeper{eps: eps, timeout: timeout, reg: reg, cancel: cancel}
	byAddr := map[string]Endpoint{}
	servers := make([]string, len(eps))
	for i, ep := range eps {
		byAddr[ep.Address] = ep
		servers[i] = ep.Address
	}
	dial := func(network, address string, dialTimeout time.Duration) (net.Conn, error) {
		ep, ok := byAddr[address]
		if !ok {
			return nil, fmt.Errorf("%s is not one of the servers given", address)
		}
		ctx, cancel := context.WithTimeout(dialCtx, dialTimeout)
		defer cancel()
		conn, err := ep.Dial(ctx, network, address)
		if err != nil {
			z.mu.Lock()
			z.dialErr = err
			z.mu.Unlock()
		}
		return conn, err
	}
	if log == nil {
		log = func(string) {}
	}
	conn, _, err := zk.Connect(servers, timeout, zk.WithDialer(dial), zk.WithHostProvider(&staticHosts{}),
		zk.WithLogger(zkLogger(log)))
	if err != nil {
		cancel()
		return nil, c.definiteError(err)
	}
	z.conn = conn
	if err := z.waitSession(ctx, timeout); err != nil {
		z.close()
		return nil, c.fail(err, true)
	}
	if err := reg.add(z); err != nil {
		z.close()
		return nil, c.definiteError(err)
	}
	return z, nil
}

func (z *ZooKeeper) String() string {
	names := make([]string, len(z.eps))
	for i, ep := range z.eps {
		names[i] = ep.where()
	}
	return "zookeeper session with " + strings.Join(names, ", ")
}

// waitSession waits until the client has a session, or fails (ctx done,
// or timeout passed) saying why it has none.
func (z *ZooKeeper) waitSession(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for z.conn.State() != zk.StateHasSession {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if time.Now().After(deadline) {
			z.mu.Lock()
			dialErr := z.dialErr
			z.mu.Unlock()
			msg := fmt.Sprintf("no session with any server within %s (state %s)", timeout, z.conn.State())
			if dialErr != nil {
				msg += "; last connection attempt: " + dialErr.Error()
			}
			return errors.New(msg)
		}
		time.Sleep(zkPollInterval)
	}
	return nil
}

// ZNode is a znode's data and version.
type ZNode struct {
	Data    any // string, or []byte when asked for bytes
	Version int32
}

// Get reads a znode.
func (z *ZooKeeper) Get(ctx context.Context, timeout time.Duration, path string, asBytes bool) (ZNode, error) {
	var out ZNode
	err := z.do(ctx, timeout, "get "+path, func() error {
		data, stat, err := z.conn.Get(path)
		if err != nil {
			return err
		}
		out.Version = stat.Version
		if asBytes {
			out.Data = data
			return nil
		}
		s, err := utf8Text(string(data))
		if err != nil {
			return &conversionError{fmt.Errorf("%w; pass as_bytes = True to get bytes", err)}
		}
		out.Data = s
		return nil
	})
	return out, err
}

// Set writes a znode's data if its version is version (-1: any), and
// returns the new version.
func (z *ZooKeeper) Set(ctx context.Context, timeout time.Duration, path string, data []byte, version int32) (int32, error) {
	var v int32
	err := z.do(ctx, timeout, "set "+path, func() error {
		stat, err := z.conn.Set(path, data, version)
		if err == nil {
			v = stat.Version
		}
		return err
	})
	return v, err
}

// Create creates a znode (open to everyone) and returns its path (with
// the sequence number of a sequential one).
func (z *ZooKeeper) Create(ctx context.Context, timeout time.Duration, path string, data []byte, ephemeral, sequential bool) (string, error) {
	var flags int32
	if ephemeral {
		flags |= zk.FlagEphemeral
	}
	if sequential {
		flags |= zk.FlagSequence
	}
	var created string
	err := z.do(ctx, timeout, "create "+path, func() error {
		var err error
		created, err = z.conn.Create(path, data, flags, zk.WorldACL(zk.PermAll))
		return err
	})
	return created, err
}

// Delete deletes a znode if its version is version (-1: any).
func (z *ZooKeeper) Delete(ctx context.Context, timeout time.Duration, path string, version int32) error {
	return z.do(ctx, timeout, "delete "+path, func() error { return z.conn.Delete(path, version) })
}

// ZStat is what Exists says of a znode.
type ZStat struct {
	Version     int32
	NumChildren int32
}

// Exists returns a znode's stat, or nil when there is none.
func (z *ZooKeeper) Exists(ctx context.Context, timeout time.Duration, path string) (*ZStat, error) {
	var stat *ZStat
	err := z.do(ctx, timeout, "exists "+path, func() error {
		ok, s, err := z.conn.Exists(path)
		if ok {
			stat = &ZStat{Version: s.Version, NumChildren: s.NumChildren}
		}
		return err
	})
	return stat, err
}

// Children returns the names of a znode's children, sorted.
func (z *ZooKeeper) Children(ctx context.Context, timeout time.Duration, path string) ([]string, error) {
	var names []string
	err := z.do(ctx, timeout, "children "+path, func() error {
		var err error
		names, _, err = z.conn.Children(path)
		return err
	})
	slices.Sort(names)
	return names, err
}

// Sync makes the server the session is on catch up with the leader, so
// that a read after it sees every write committed before it.
func (z *ZooKeeper) Sync(ctx context.Context, timeout time.Duration, path string) error {
	return z.do(ctx, timeout, "sync "+path, func() error {
		_, err := z.conn.Sync(path)
		return err
	})
}

// do runs one request once the client has a session, within the call's
// timeout. go-zookeeper's requests take no context: one that times out is
// left to end on its own (when the server answers or the connection is
// given up), and the call returns at once as indefinite.
func (z *ZooKeeper) do(ctx context.Context, timeout time.Duration, op string, fn func() error) error {
	c := call{client: "zookeeper", ep: z.current(), op: op}
	if timeout <= 0 {
		timeout = z.timeout
	}
	callCtx, cancel := callContext(ctx, timeout)
	defer cancel()
	if z.conn.State() != zk.StateHasSession {
		deadline, _ := callCtx.Deadline()
		if err := z.waitSession(callCtx, time.Until(deadline)); err != nil {
			return c.definiteError(err) // nothing was sent
		}
		c.ep = z.current()
	}
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		var conv *conversionError
		if errors.As(err, &conv) {
			return c.fail(err, false)
		}
		return c.fail(err, zkDefinite(err))
	case <-callCtx.Done():
		return c.fail(explain(ctx, callCtx, context.Cause(callCtx)), false)
	}
}

// current is the endpoint of the server the session is on now.
func (z *ZooKeeper) current() Endpoint {
	server := z.conn.Server()
	for _, ep := range z.eps {
		if ep.Address == server {
			return ep
		}
	}
	return z.eps[0]
}

// zkDefinite: the server's rejections (no node, a node that exists, a
// version that moved, ...) and requests never sent (no server reachable,
// the client closing) had no effect; a connection closed with the
// request in flight, a session expired or moved may have.
func zkDefinite(err error) bool {
	for _, e := range []error{zk.ErrNoNode, zk.ErrNodeExists, zk.ErrBadVersion, zk.ErrNotEmpty,
		zk.ErrNoChildrenForEphemerals, zk.ErrInvalidACL, zk.ErrInvalidFlags, zk.ErrAuthFailed, zk.ErrNoAuth,
		zk.ErrBadArguments, zk.ErrInvalidPath, zk.ErrAPIError, zk.ErrReconfigDisabled, zk.ErrNoServer, zk.ErrClosing} {
		if errors.Is(err, e) {
			return true
		}
	}
	return notSent(err)
}

// Close ends the session.
func (z *ZooKeeper) Close() error {
	z.reg.remove(z)
	return z.close()
}

func (z *ZooKeeper) close() error {
	z.conn.Close()
	z.cancel()
	return nil
}

// staticHosts is a zk.HostProvider of the servers as given: the driver
// does not resolve them (a name may resolve on the nodes' network only),
// and tries them in turn.
type staticHosts struct {
	mu      sync.Mutex
	servers []string
	next    int
	tried   int // servers tried since the last connection
}

func (h *staticHosts) Init(servers []string) error {
	h.servers = servers
	return nil
}

func (h *staticHosts) Len() int { return len(h.servers) }

func (h *staticHosts) Next() (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.servers[h.next]
	h.next = (h.next + 1) % len(h.servers)
	retryStart := h.tried >= len(h.servers)
	if retryStart {
		h.tried = 0
	}
	h.tried++
	return s, retryStart
}

func (h *staticHosts) Connected() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tried = 0
}

// zkLogger sends go-zookeeper's messages to log.
type zkLogger func(string)

func (l zkLogger) Printf(format string, args ...any) { l(fmt.Sprintf(format, args...)) }

// Srvr asks the server at ep for its status with the srvr four-letter
// word and returns its "Key: value" lines as a map ("Mode": "leader",
// "Zxid": ...). A server that is up but not serving answers without a
// Mode. A failure to connect is definite (srvr changes nothing anyway).
func Srvr(ctx context.Context, ep Endpoint, timeout time.Duration) (map[string]string, error) {
	c := call{client: "zookeeper", ep: ep, op: "srvr"}
	callCtx, cancel := callContext(ctx, timeout)
	defer cancel()
	conn, err := ep.Dial(callCtx, "tcp", ep.Address)
	if err != nil {
		return nil, c.fail(explain(ctx, callCtx, err), true)
	}
	defer conn.Close()
	stop := context.AfterFunc(callCtx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Write([]byte("srvr")); err != nil {
		return nil, c.fail(explain(ctx, callCtx, err), true)
	}
	data, err := io.ReadAll(io.LimitReader(conn, 64<<10))
	if err != nil {
		return nil, c.fail(explain(ctx, callCtx, err), true)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return fields, nil
}
