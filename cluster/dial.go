package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

// Dialer is implemented by the accounts of providers whose nodes' services
// the driver can open connections to (the protocol clients of a test:
// SQL, Redis, HTTP, ZooKeeper). Use it through [RemoteAccount.Dial].
// Implementations are safe for concurrent use.
type Dialer interface {
	// Dial opens a connection from the driver to address (host:port as the
	// node itself would reach it: usually its externally routable IP and a
	// service's port). network is "tcp" (or "tcp4"/"tcp6").
	Dial(ctx context.Context, network, address string) (net.Conn, error)
	// Route is how Dial goes: RouteDirect or RouteSSH. It does not change.
	Route() Route
}

// Route is how the driver reaches a node's services.
type Route string

const (
	// RouteDirect is a TCP connection from the driver straight to the
	// address: local nodes, docker nodes of a local engine, SSH nodes
	// whose SSH connection goes straight to their externally routable IP.
	RouteDirect Route = "direct"
	// RouteSSH is a channel of the node's SSH connection (direct-tcpip,
	// as `ssh -W`): the node's sshd connects to the address. SSH nodes
	// behind a jump host, nodes whose externally routable IP is not the
	// address the driver's SSH connection goes to (docker nodes of a
	// tcp:// or ssh:// engine, port forwards).
	RouteSSH Route = "ssh"
)

// directRoute is the rule of docs/clusters.md ("How the driver reaches
// services") for an SSH node: its services are dialled directly only when
// the driver's own SSH connection proves that the address reaches the
// node: no jump host, and the SSH HostName is the node's externally
// routable IP. The driver's own loopback address (127.0.0.1, ::1,
// localhost) is never direct: an SSH port there is a forward to another
// machine (Vagrant's NAT). Everything else goes through the SSH
// connection, which reaches whatever the node reaches.
func directRoute(t *sshTarget, externallyRoutableIP string) bool {
	if len(t.jumps) > 0 || t.hostname != externallyRoutableIP {
		return false
	}
	if t.hostname == "localhost" {
		return false
	}
	ip := net.ParseIP(t.hostname)
	return ip == nil || !(ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// Dial opens a connection from the driver to address (host:port as the
// node reaches it), by the node's route (see [Dialer]). A failure is a
// *ConnectError: nothing was sent.
func (a *RemoteAccount) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	d, ok := a.acct.(Dialer)
	if !ok {
		return nil, &ConnectError{Node: a.node, Address: address, Err: errors.New("this node's provider cannot open connections from the driver to its services")}
	}
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &ConnectError{Node: a.node, Address: address, Route: d.Route(), Err: fmt.Errorf("network %q is not supported (want tcp)", network)}
	}
	c, err := d.Dial(ctx, network, address)
	if err != nil {
		return nil, &ConnectError{Node: a.node, Address: address, Route: d.Route(), Err: err}
	}
	return c, nil
}

// Route returns how the driver reaches the node's services, "" when it
// cannot.
func (a *RemoteAccount) Route() Route {
	if d, ok := a.acct.(Dialer); ok {
		return d.Route()
	}
	return ""
}

// ConnectError is a connection from the driver to a node's service that
// could not be opened: nothing was sent on it.
type ConnectError struct {
	Node    string
	Address string // host:port
	Route   Route  // "" when the node has none
	Err     error
}

func (e *ConnectError) Error() string {
	via := ""
	if e.Route == RouteSSH {
		via = " (through its SSH connection)"
	}
	on := ""
	if e.Node != "" {
		on = " on node " + e.Node
	}
	return fmt.Sprintf("cannot connect to %s%s%s: %s", e.Address, on, via, connectReason(e.Err))
}

func (e *ConnectError) Unwrap() error { return e.Err }

// connectReason says in words why a connection to a service failed.
func connectReason(err error) string {
	var oce *ssh.OpenChannelError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.As(err, &oce) && strings.Contains(strings.ToLower(oce.Message), "refused"):
		return "connection refused (is the service running, and on this port?)"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "timed out (is the node reachable, and the port open?)"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &oce):
		return "the node's sshd could not connect: " + oce.Message
	}
	return err.Error()
}

// dialDirect is the direct route: a TCP connection from the driver.
func dialDirect(ctx context.Context, network, address string) (net.Conn, error) {
	return (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext(ctx, network, address)
}

// Dial is the local node's route: its services listen on this machine.
func (a *localAccount) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	return dialDirect(ctx, network, address)
}

func (a *localAccount) Route() Route { return RouteDirect }

// Dial goes directly or through the node's SSH connection (see
// directRoute).
func (a *sshAccount) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	if a.route == RouteDirect {
		return dialDirect(ctx, network, address)
	}
	return a.pool.dialTCP(ctx, address)
}

func (a *sshAccount) Route() Route { return a.route }

// dialTCP opens a direct-tcpip channel to address on one of the pool's
// connections (dialling one when there is none): the node's sshd connects
// to it. A connection found dead is replaced and the attempt repeated, as
// for sessions. The channel takes no session slot (OpenSSH's MaxSessions
// counts sessions only). The returned connection supports deadlines.
func (p *sshPool) dialTCP(ctx context.Context, address string) (net.Conn, error) {
	for broken := 0; ; broken++ {
		c, err := p.acquire(ctx)
		if err != nil {
			return nil, err
		}
		p.release(c)
		conn, err := c.client.DialContext(ctx, "tcp", address)
		if err == nil {
			return withDeadlines(conn), nil
		}
		if connAlive(c) || broken >= sessionRetries || ctx.Err() != nil {
			return nil, err
		}
		c.client.Close() // broken: forget it and redial
		<-c.done
	}
}

// withDeadlines gives c (an SSH channel, whose deadline methods fail) the
// deadlines every protocol client relies on: the caller gets one end of a
// synchronous in-memory pipe, which has them, and two goroutines copy
// between its other end and c until either side closes.
func withDeadlines(c net.Conn) net.Conn {
	inner, outer := net.Pipe()
	go func() {
		io.Copy(c, inner)
		c.Close()
	}()
	go func() {
		io.Copy(inner, c)
		inner.Close()
	}()
	return &pipeConn{Conn: outer, local: c.LocalAddr(), remote: c.RemoteAddr()}
}

// pipeConn is a pipe end that reports the addresses of the connection
// behind it.
type pipeConn struct {
	net.Conn
	local, remote net.Addr
}

func (p *pipeConn) LocalAddr() net.Addr  { return p.local }
func (p *pipeConn) RemoteAddr() net.Addr { return p.remote }
