package cluster

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

const (
	// sessionsPerConn is how many sessions one connection carries at once
	// before another connection is opened: OpenSSH's default MaxSessions.
	// A server that allows fewer is detected and respected.
	sessionsPerConn = 10
	// keepaliveInterval is how often an idle connection is probed; a probe
	// unanswered for as long closes the connection, so the next command
	// reconnects instead of hanging on a dead peer.
	keepaliveInterval = 15 * time.Second
	// sessionRetries bounds reconnects for one session request.
	sessionRetries = 2
	// maxRefusals bounds the retries of a session that a live connection
	// refuses.
	maxRefusals = 30
)

// errClosed is returned after the account has been closed.
var errClosed = errors.New("the node's account is closed")

// sshPool holds a node's SSH connections and hands out sessions on them.
// Sessions multiplex onto one connection; a second one is opened only when
// the first carries as many sessions as the server allows. A connection that
// drops is forgotten, and the next session request dials again, so commands
// reconnect transparently between runs. Safe for concurrent use.
type sshPool struct {
	dialer *sshDialer

	mu      sync.Mutex
	conns   []*sshConn
	dialing *dialCall // the dial in progress, if any
	gate    unreachableGate
	closed  bool
}

// sshConn is one connection. sessions and limit are guarded by the pool's mu.
type sshConn struct {
	client   *ssh.Client
	done     chan struct{} // closed when the connection has ended
	sessions int
	limit    int
}

type dialCall struct {
	done chan struct{}
	err  error // set before done is closed
}

func (c *sshConn) alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// session opens a session and calls start on it (to set it up and start
// its command or subsystem), dialling or redialling as needed: a connection
// found dead before start succeeded is replaced and the attempt repeated,
// which is safe since nothing ran yet. release closes the session and frees
// its slot.
func (p *sshPool) session(ctx context.Context, start func(*ssh.Session) error) (s *ssh.Session, release func(), err error) {
	for broken, refused := 0, 0; ; {
		c, err := p.acquire(ctx)
		if err != nil {
			return nil, nil, err
		}
		s, err := c.client.NewSession()
		if err == nil {
			if err = start(s); err == nil {
				return s, func() { s.Close(); p.release(c) }, nil
			}
			s.Close()
		}
		p.release(c)
		var oce *ssh.OpenChannelError
		switch {
		case !connAlive(c):
			c.client.Close() // broken: forget it and redial
			<-c.done
			if broken++; broken > sessionRetries || ctx.Err() != nil {
				return nil, nil, err
			}
		case errors.As(err, &oce), errors.Is(err, io.EOF):
			// A live connection refused the session (OpenSSH answers "open
			// failed" at MaxSessions). Sessions just closed may not be freed
			// on the server yet: retry shortly; if refusals persist, the
			// server allows fewer sessions than assumed, so use fewer on
			// this connection and open another.
			if refused++; refused%3 == 0 && !p.lowerLimit(c) {
				return nil, nil, err
			}
			if refused > maxRefusals {
				return nil, nil, err
			}
			time.Sleep(time.Duration(refused) * 5 * time.Millisecond)
		default:
			return nil, nil, err // the request failed, not the connection
		}
	}
}

// connAlive reports whether c still answers, probing it with a keepalive
// request (one round trip).
func connAlive(c *sshConn) bool {
	if !c.alive() {
		return false
	}
	_, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil)
	return err == nil
}

// acquire returns a live connection with a free session slot, taken.
func (p *sshPool) acquire(ctx context.Context) (*sshConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for {
		if p.closed {
			return nil, errClosed
		}
		for _, c := range p.conns {
			if c.sessions < c.limit && c.alive() {
				c.sessions++
				return c, nil
			}
		}
		if call := p.dialing; call != nil {
			p.mu.Unlock()
			select {
			case <-call.done:
			case <-ctx.Done():
			}
			p.mu.Lock()
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if call.err != nil {
				return nil, call.err
			}
			continue
		}
		if err := p.gate.check(); err != nil {
			return nil, err
		}
		call := &dialCall{done: make(chan struct{})}
		p.dialing = call
		p.mu.Unlock()
		client, cleanup, err := p.dialer.dial(ctx)
		p.mu.Lock()
		p.gate.record(err)
		p.dialing, call.err = nil, err
		close(call.done)
		if err != nil {
			return nil, err
		}
		c := &sshConn{client: client, done: make(chan struct{}), limit: sessionsPerConn}
		if p.closed {
			client.Close()
			cleanup()
			return nil, errClosed
		}
		p.conns = append(p.conns, c)
		go p.watch(c, cleanup)
		go keepalive(c)
	}
}

func (p *sshPool) release(c *sshConn) {
	p.mu.Lock()
	c.sessions--
	p.mu.Unlock()
}

// lowerLimit caps c at the sessions it carries now, after the server
// refused one more. It reports false when c carries none, so retrying
// cannot help.
func (p *sshPool) lowerLimit(c *sshConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.sessions == 0 {
		return false
	}
	c.limit = min(c.limit, c.sessions)
	return true
}

// watch forgets c once its connection ends.
func (p *sshPool) watch(c *sshConn, cleanup func()) {
	c.client.Wait()
	close(c.done)
	cleanup()
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, o := range p.conns {
		if o == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			break
		}
	}
}

// keepalive probes c until it ends, closing it when a probe goes unanswered.
func keepalive(c *sshConn) {
	t := time.NewTicker(keepaliveInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		answered := make(chan struct{})
		go func() {
			if _, _, err := c.client.SendRequest("keepalive@openssh.com", true, nil); err == nil {
				close(answered)
			}
		}()
		select {
		case <-answered:
		case <-c.done:
			return
		case <-time.After(keepaliveInterval):
			c.client.Close()
			return
		}
	}
}

// close closes every connection; later requests fail with errClosed.
func (p *sshPool) close() error {
	p.mu.Lock()
	p.closed = true
	conns := append([]*sshConn(nil), p.conns...)
	p.mu.Unlock()
	for _, c := range conns {
		c.client.Close()
		<-c.done
	}
	return nil
}
