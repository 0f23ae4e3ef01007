package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

// handshakeSlots bounds the connections this process dials at once (every
// cluster together). A handshake costs the driver about 1-2 ms of CPU (key
// exchange and authentication): without a bound, a first round on 5,000
// nodes started 5,000 handshakes that shared the CPU until they all ran
// past the connect timeout. A dial waits for a slot before its timeout starts.
// 32 a core keeps every core busy with handshakes, while the fewer in
// flight each finish sooner (256 on this 2-core machine timed out at a load
// average of 32); on a WAN, where a handshake waits on round trips, a
// driver with more cores overlaps more of them.
var handshakeSlots = make(chan struct{}, 32*runtime.GOMAXPROCS(0))

// sshDialer connects to one target, through its jump hosts. It is immutable
// and safe for concurrent use.
type sshDialer struct {
	target *sshTarget
	auth   *sshAuth
	keys   *hostKeyCheck
	jumps  []*sshDialer
}

// newSSHDialer makes t's dialer; known parses the known_hosts files (share
// one between the nodes of a cluster).
func newSSHDialer(t *sshTarget, known *knownHostsFiles) (*sshDialer, error) {
	auth, err := newSSHAuth(t)
	if err != nil {
		return nil, err
	}
	keys, err := newHostKeyCheck(t, known)
	if err != nil {
		return nil, err
	}
	d := &sshDialer{target: t, auth: auth, keys: keys}
	for _, j := range t.jumps {
		jd, err := newSSHDialer(j, known)
		if err != nil {
			return nil, fmt.Errorf("jump host %s: %w", j.name, err)
		}
		d.jumps = append(d.jumps, jd)
	}
	return d, nil
}

// dial opens a new SSH connection. Its errors name the address and say
// whether the connection was refused, timed out, or authentication or the
// host key check failed. The returned cleanup closes the jump connections
// and must run after the client is closed.
func (d *sshDialer) dial(ctx context.Context) (*ssh.Client, func(), error) {
	var via *ssh.Client
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	hops := append(append([]*sshDialer(nil), d.jumps...), d)
	for i, hop := range hops {
		c, err := hop.dialHop(ctx, via)
		if err != nil {
			cleanup()
			if i < len(hops)-1 {
				return nil, nil, fmt.Errorf("via jump host: %w", err)
			}
			if len(d.jumps) > 0 {
				return nil, nil, fmt.Errorf("%w (through jump host %s)", err, d.jumps[len(d.jumps)-1].target.addr())
			}
			return nil, nil, err
		}
		if i < len(hops)-1 {
			closers = append(closers, func() { c.Close() })
		}
		via = c
	}
	return via, cleanup, nil
}

// dialHop connects to d's target directly, or through via when not nil.
func (d *sshDialer) dialHop(ctx context.Context, via *ssh.Client) (*ssh.Client, error) {
	t := d.target
	addr := t.addr()
	select {
	case handshakeSlots <- struct{}{}:
		defer func() { <-handshakeSlots }()
	case <-ctx.Done():
		return nil, dialError(addr, "cancelled while waiting to connect", ctx.Err(), false, ctx, ctx)
	}
	// The attempt ends at the node's connect timeout, or earlier at the
	// caller's deadline. Only the node's own timeout says something of the
	// node (the unreachable gate remembers it): a caller that allows less
	// (an attempt of docker's readiness poll, a command's timeout) cut the
	// dial short, which says nothing of the node.
	parent := ctx
	limit, ownTimeout := t.timeout, true
	if dl, ok := parent.Deadline(); ok && time.Until(dl) < t.timeout {
		limit, ownTimeout = time.Until(dl).Round(10*time.Millisecond), false
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	var conn net.Conn
	var err error
	if via == nil {
		conn, err = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = via.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, dialError(addr, dialReason(err, ctx, limit), err, ownTimeout, parent, ctx)
	}
	// The handshake has no context: a deadline and a cancel hook bound it.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	methods, releaseAgent := d.auth.methods()
	cfg := &ssh.ClientConfig{
		User:              t.user,
		Auth:              methods,
		HostKeyCallback:   d.keys.callback,
		HostKeyAlgorithms: d.keys.algorithms,
		Timeout:           t.timeout,
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	releaseAgent()
	interrupted := !stop()
	if err != nil || interrupted {
		conn.Close()
		if err == nil {
			err = ctx.Err()
		}
		return nil, dialError(addr, handshakeReason(err, ctx, t, d.auth, limit), err, ownTimeout, parent, ctx)
	}
	conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

// DialError is a failure to connect to a node's SSH server.
type DialError struct {
	Addr   string // host:port
	Reason string // "connection refused", "timed out", "authentication failed ...", ...
	Err    error
	// TimedOut is set when the attempt took the node's whole connect
	// timeout: no TCP connection, or no SSH handshake, within it (not when
	// the caller's earlier deadline ended it).
	TimedOut bool
}

// dialError makes the DialError of an attempt under ctx, derived from the
// caller's parent with the connect timeout; ownTimeout says that the
// connect timeout, not the parent's deadline, bounded the attempt.
func dialError(addr, reason string, err error, ownTimeout bool, parent, ctx context.Context) *DialError {
	timedOut := ownTimeout && parent.Err() == nil && (errors.Is(ctx.Err(), context.DeadlineExceeded) || isTimeout(err))
	return &DialError{Addr: addr, Reason: reason, Err: err, TimedOut: timedOut}
}

func (e *DialError) Error() string { return fmt.Sprintf("cannot connect to %s: %s", e.Addr, e.Reason) }
func (e *DialError) Unwrap() error { return e.Err }

func dialReason(err error, ctx context.Context, timeout time.Duration) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), strings.Contains(err.Error(), "connection refused"):
		return "connection refused (is sshd running, and on this port?)"
	case errors.Is(ctx.Err(), context.DeadlineExceeded), isTimeout(err):
		return fmt.Sprintf("no TCP connection within %s (is the host up and reachable?)", timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &dnsErr):
		return "unknown host: " + dnsErr.Err
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	}
	return err.Error()
}

func handshakeReason(err error, ctx context.Context, t *sshTarget, auth *sshAuth, limit time.Duration) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "host key verification failed"):
		return strings.TrimPrefix(msg, "ssh: handshake failed: ")
	case strings.Contains(msg, "unable to authenticate"):
		return fmt.Sprintf("authentication failed as user %q (%s)", t.user, auth.describe())
	case errors.Is(ctx.Err(), context.DeadlineExceeded), isTimeout(err):
		return fmt.Sprintf("no SSH handshake within %s (the port accepts connections but nothing answers as an SSH server)", limit)
	case errors.Is(ctx.Err(), context.Canceled):
		return "cancelled"
	}
	return "SSH handshake failed: " + msg
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
