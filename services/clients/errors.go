package clients

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// Error is a failed client call. It names the client, the node and
// address, and the operation; Definite reports whether the call certainly
// had no effect (Jepsen's fail) rather than maybe (Jepsen's info).
type Error struct {
	Client   string   // "sql", "redis", "http", "zookeeper"
	Endpoint Endpoint // where the call went
	Op       string   // what was called: "query", "SADD", "GET http://...", "set /a"
	Err      error
	definite bool
}

// Definite reports whether the failed call certainly had no effect: it
// was refused before it was sent, or the server rejected it.
func (e *Error) Definite() bool { return e.definite }

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %v", call{client: e.Client, ep: e.Endpoint, op: e.Op}, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// timeoutError replaces a call's context error: the call did not end
// within its timeout.
type timeoutError struct{ timeout time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no reply within %s (timeout_sec); the call may or may not have taken effect", e.timeout)
}
func (e *timeoutError) Timeout() bool { return true }

// callContext is the context of one call: ctx (the test's) with the
// call's timeout.
func callContext(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(context.WithValue(ctx, timeoutKey{}, timeout), timeout, &timeoutError{timeout})
}

// timeoutKey holds a call context's timeout.
type timeoutKey struct{}

// explain returns err as the caller should read it: when the call's own
// timeout ran out (the library may report it as a bare deadline, an i/o
// timeout or a closed connection, and a hair before the context's timer
// fires), it says so first; the test's cancellation stays as it is.
func explain(ctx, callCtx context.Context, err error) error {
	deadline, _ := callCtx.Deadline()
	if ctx.Err() != nil || (callCtx.Err() == nil && time.Now().Before(deadline)) {
		return err
	}
	var te *timeoutError
	if errors.As(err, &te) {
		return err
	}
	timeout, _ := callCtx.Value(timeoutKey{}).(time.Duration)
	return fmt.Errorf("%w (%v)", &timeoutError{timeout}, err)
}

// notSent reports errors that certainly stopped a call before anything
// was sent: the connection could not be opened.
func notSent(err error) bool {
	var ce *cluster.ConnectError
	return errors.As(err, &ce)
}

// definiteError is a failure found before anything was sent (a bad
// argument, a closed client, a busy connection).
func (c call) definiteError(err error) *Error {
	return &Error{Client: c.client, Endpoint: c.ep, Op: c.op, Err: err, definite: true}
}

// call names one call of a client, for its errors.
type call struct {
	client string
	ep     Endpoint
	op     string
}

// String names the call: "redis local1 (127.0.0.2:6379): SADD k".
func (c call) String() string {
	where := c.ep.where()
	if where != "" {
		where = " " + where
	}
	return fmt.Sprintf("%s%s: %s", c.client, where, c.op)
}

// fail makes the call's Error, definite as classify says.
func (c call) fail(err error, definite bool) *Error {
	return &Error{Client: c.client, Endpoint: c.ep, Op: c.op, Err: err, definite: definite}
}
