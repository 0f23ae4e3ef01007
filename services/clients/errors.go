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
	where := e.Endpoint.where()
	if where != "" {
		where = " " + where
	}
	return fmt.Sprintf("%s%s: %s: %v", e.Client, where, e.Op, e.Err)
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
	return context.WithTimeoutCause(ctx, timeout, &timeoutError{timeout})
}

// explain returns err as the caller should read it: the call's own
// timeout, where the library reports a bare deadline or cancellation,
// becomes the timeoutError; the test's cancellation stays as it is.
func explain(ctx, callCtx context.Context, err error) error {
	if ctx.Err() == nil && callCtx.Err() != nil {
		var te *timeoutError
		if !errors.As(err, &te) {
			return fmt.Errorf("%w (%v)", context.Cause(callCtx), err)
		}
	}
	return err
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

// fail makes the call's Error, definite as classify says.
func (c call) fail(err error, definite bool) *Error {
	return &Error{Client: c.client, Endpoint: c.ep, Op: c.op, Err: err, definite: definite}
}
