package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// How the driver reaches a node pod's services (docs/clusters.md, "How the
// driver reaches services"): directly when it can route to the pods'
// addresses, else through a relay exec'd in the pod.
//
// Kubernetes' own port-forward (client-go's tools/portforward) is not a
// route: the container runtime connects to localhost:PORT inside the
// pod's network namespace, and services bind the pod's address
// (externally_routable_ip: examples/redis, etcd, zookeeper, postgres),
// not localhost, so it would reach none of them. The relay connects from
// inside the pod to the address itself, exactly as another node would, so
// it reaches whatever the pod reaches.

// probePort is a port where nothing listens in a node pod (tcpmux), which
// the route probe connects to.
const probePort = "1"

// probeTimeout bounds the route probe's connection: a routable pod
// refuses at once.
const probeTimeout = 2 * time.Second

// chooseRoute returns RouteDirect when the driver reaches every one of
// pods itself (see reachable), else RouteExec. That holds where the driver
// runs on the cluster's node or has a route into its pod network (the
// single-node cluster of .ci/kube, whose pods sit on a bridge of this
// machine). The probes run at once.
func chooseRoute(ctx context.Context, pods []*account) cluster.Route {
	var unreachable atomic.Bool
	var wg sync.WaitGroup
	for _, a := range pods {
		wg.Go(func() {
			if !reachable(ctx, a.info.ExternallyRoutableIP, a.tcpResets) {
				unreachable.Store(true)
			}
		})
	}
	wg.Wait()
	if unreachable.Load() {
		return cluster.RouteExec
	}
	return cluster.RouteDirect
}

// reachable reports whether a TCP connection from the driver to ip
// reaches the kernel whose count of TCP resets sent is resets: a
// connection to probePort (where nothing listens) is refused within
// probeTimeout, and that kernel sent a reset meanwhile. A refusal alone
// proves nothing: a firewall on the way may refuse, and a transparent
// proxy accepts connections to any address.
func reachable(ctx context.Context, ip string, resets func(context.Context) (int64, error)) bool {
	before, err := resets(ctx)
	if err != nil {
		return false
	}
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	c, err := cluster.DialDirect(pctx, "tcp", net.JoinHostPort(ip, probePort))
	if err == nil {
		c.Close() // something other than the pod answered
		return false
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return false
	}
	after, err := resets(ctx)
	return err == nil && after > before
}

// tcpResets returns the TCP resets the pod's kernel has sent (in its
// network namespace).
func (a *account) tcpResets(ctx context.Context) (int64, error) {
	var out bytes.Buffer
	status, err := a.exec(ctx, []string{"cat", "/proc/net/snmp"}, nil, &out, io.Discard)
	if err != nil || status != 0 {
		return 0, fmt.Errorf("reading /proc/net/snmp in pod %s: status %d, %v", a.pod, status, err)
	}
	return outRsts(out.String())
}

// outRsts returns the count of TCP resets sent of a /proc/net/snmp.
func outRsts(snmp string) (int64, error) {
	var names []string
	for _, line := range strings.Split(snmp, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "Tcp:" {
			continue
		}
		if names == nil {
			names = fields
			continue
		}
		if i := slices.Index(names, "OutRsts"); i > 0 && i < len(fields) {
			return strconv.ParseInt(fields[i], 10, 64)
		}
	}
	return 0, errors.New("no Tcp OutRsts in /proc/net/snmp")
}

// Dial opens a connection to address (as the pod reaches it) by the
// cluster's route (see chooseRoute).
func (a *account) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	if a.route == cluster.RouteDirect {
		return cluster.DialDirect(ctx, network, address)
	}
	return a.relay(ctx, address)
}

func (a *account) Route() cluster.Route { return a.route }

// relayScript is the relay: bash connects to host $1, port $2 (its
// /dev/tcp), says relayConnected on stderr, then copies between the
// connection and its stdin and stdout until either direction ends, and
// kills the other copy: so the service sees its connection closed when
// the driver closes its end (the exec's stdin ends), and the driver sees
// end of file when the service closes its end or dies (a fault killed
// it). bash is in the default node image (an image of your own for
// --kube-image needs it too, or the driver must route to the pods).
const relayScript = `exec 3<>"/dev/tcp/$1/$2" || exit 1
echo ducktape-relay-connected >&2
cat <&3 & r=$!
cat <&0 >&3 & w=$!
wait -n
kill $r $w 2>/dev/null`

// relayConnected is what the relay says on stderr once it is connected.
const relayConnected = "ducktape-relay-connected\n"

// relayCloseWait bounds how long a closed relay connection's stream
// stays open for the relay to end by itself (its stdin closed) before the
// stream is torn down.
const relayCloseWait = 10 * time.Second

// relay opens a connection to address through a relay exec'd in the pod:
// the exec's stdin and stdout are the connection. The caller gets one end
// of a synchronous in-memory pipe (which has the deadlines protocol
// clients rely on), the exec the other. It returns once the relay is
// connected; a refusal is syscall.ECONNREFUSED, a pod that is gone a
// DeadNodeError.
func (a *account) relay(ctx context.Context, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	inner, outer := net.Pipe()
	log := &relayLog{connected: make(chan struct{})}
	// The stream lives as long as the connection, not the dial's context.
	sctx, endStream := context.WithCancel(context.WithoutCancel(ctx))
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		status, err := a.exec(sctx, []string{"bash", "-c", relayScript, "relay", host, port}, inner, inner, log)
		inner.Close()
		endStream()
		done <- result{status, err}
	}()
	select {
	case <-log.connected:
		return &relayConn{Conn: outer, endStream: endStream}, nil
	case r := <-done:
		outer.Close()
		return nil, a.relayFailure(ctx, r.status, r.err, log.text())
	case <-ctx.Done():
		endStream()
		outer.Close()
		return nil, ctx.Err()
	}
}

// relayFailure says why a relay ended before it connected.
func (a *account) relayFailure(ctx context.Context, status int, err error, stderr string) error {
	if _, err := a.diagnose(ctx, status, err); err != nil {
		return err
	}
	switch {
	case strings.Contains(stderr, ("Connection refused")):
		return syscall.ECONNREFUSED
	case strings.Contains(stderr, ("No route to host")):
		return syscall.EHOSTUNREACH
	case strings.Contains(stderr, ("Network is unreachable")):
		return syscall.ENETUNREACH
	}
	return fmt.Errorf("the relay (bash in pod %s/%s) ended with exit status %d: %s", a.kc.ns, a.pod, status, stderr)
}

// relayLog is a relay's stderr: it closes connected when the relay says
// so, and keeps what came before (the relay's error). Safe for concurrent
// use.
type relayLog struct {
	connected chan struct{}
	mu        sync.Mutex
	buf       []byte
	done      bool
}

func (l *relayLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return len(p), nil
	}
	if len(l.buf) < 4096 {
		l.buf = append(l.buf, p...)
	}
	if bytes.Contains(l.buf, []byte(relayConnected)) {
		l.done = true
		close(l.connected)
	}
	return len(p), nil
}

func (l *relayLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(bytes.TrimSpace(l.buf))
}

// relayConn is the driver's end of a relay. Closing it ends the relay's
// stdin, so the relay ends by itself; its stream is torn down after
// relayCloseWait if not.
type relayConn struct {
	net.Conn
	endStream context.CancelFunc
}

func (c *relayConn) Close() error {
	time.AfterFunc(relayCloseWait, c.endStream)
	return c.Conn.Close()
}
