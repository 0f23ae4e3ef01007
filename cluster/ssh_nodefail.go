package cluster

import (
	"errors"
	"fmt"
	"time"
)

// unreachableRetry is how long a node whose last dial timed out is not
// dialled again.
const unreachableRetry = 30 * time.Second

// unreachableGate spares the tests of a node that does not answer a wait of
// a whole connect timeout for each of their commands: after a dial that
// timed out (no TCP connection, or no SSH handshake, within the node's
// ConnectTimeout), the node is not dialled again for unreachableRetry, and
// every session request meanwhile fails at once with that error. A dial
// that failed fast (connection refused, authentication) is not remembered:
// trying again costs nothing, and a restarted sshd is reached at once. Its
// fields are guarded by the pool's mu.
type unreachableGate struct {
	last *DialError // the last dial's error, if it timed out
	at   time.Time  // when it failed
}

// check returns the remembered error while the node is not to be dialled.
func (g *unreachableGate) check() error {
	if g.last == nil {
		return nil
	}
	ago := time.Since(g.at)
	if ago >= unreachableRetry {
		g.last = nil
		return nil
	}
	return &DialError{Addr: g.last.Addr, Err: g.last, TimedOut: true,
		Reason: fmt.Sprintf("%s; not dialled again until %s after that attempt, %s ago", g.last.Reason, unreachableRetry, ago.Round(time.Millisecond))}
}

// record remembers err if it is a dial that timed out, and forgets the
// last one otherwise.
func (g *unreachableGate) record(err error) {
	var de *DialError
	if errors.As(err, &de) && de.TimedOut {
		g.last, g.at = de, time.Now()
		return
	}
	g.last = nil
}

// ConnLostError is a command whose SSH connection ended while it ran: sshd
// was stopped or crashed, the node went down, or the network dropped the
// connection (its keepalives went unanswered). What the command did is
// unknown; the node's next command dials again.
type ConnLostError struct {
	Node string // the node's name
	Addr string // host:port
	Err  error  // what the session ended with
}

func (e *ConnLostError) Error() string {
	return fmt.Sprintf("the connection to %s (%s) was lost while the command ran (sshd stopped, the node went down or the network dropped it): the command's outcome is unknown", e.Node, e.Addr)
}

func (e *ConnLostError) Unwrap() error { return e.Err }

// connLost is the error of a command of a whose session ended without an
// exit status.
func (a *sshAccount) connLost(err error) error {
	return &ConnLostError{Node: a.info.Hostname, Addr: a.pool.dialer.target.addr(), Err: err}
}
