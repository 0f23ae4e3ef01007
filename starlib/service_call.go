package starlib

import (
	"context"
	"errors"

	"go.starlark.net/starlark"
)

// callLocked calls fn(*args, **kwargs) on a new thread of rt named name,
// whose blocking calls use ctx, and converts the result with convert. It
// takes the interpreter lock for the call (and the conversion), so the
// caller must not hold it: this is how goroutines of a test run Starlark.
// A Starlark error comes back with its backtrace in its text.
func callLocked[T any](rt *Runtime, ctx context.Context, name string, fn starlark.Callable,
	args starlark.Tuple, kwargs []starlark.Tuple, convert func(starlark.Value) (T, error)) (T, error) {
	// A context of its own, cancelled on return, so that the thread does
	// not stay registered with ctx after the call.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rt.Lock()
	defer rt.Unlock()
	v, err := starlark.Call(rt.NewThread(ctx, name), fn, args, kwargs)
	if err != nil {
		var zero T
		return zero, withBacktrace(err)
	}
	return convert(v)
}

// ignoreResult is a callLocked conversion for calls made for their effect.
func ignoreResult(starlark.Value) (struct{}, error) { return struct{}{}, nil }

// backtraceError is a Starlark error of another thread (a worker, a
// parallel call, a hook) on its way to the thread that waits for it: its
// text is the full backtrace, so that the waiter's own error shows where it
// happened. It unwraps to the error's cause, not to the EvalError, so that
// errors.As finds the waiter's EvalError rather than this one.
type backtraceError struct{ ee *starlark.EvalError }

func (e *backtraceError) Error() string { return e.ee.Backtrace() }
func (e *backtraceError) Unwrap() error { return e.ee.Unwrap() }

// withBacktrace wraps a Starlark evaluation error as a backtraceError.
func withBacktrace(err error) error {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		return &backtraceError{ee}
	}
	return err
}
