package starlib

import (
	"context"
	"fmt"
	"math"
	"time"

	starlarktime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"
)

// waitDomain is wait_until and time.sleep.
func waitDomain() Domain {
	return Domain{Name: "wait", Page: "writing-tests.md", Builtins: []Builtin{
		function("time.sleep", "time.sleep(seconds)",
			"Waits seconds (a number >= 0, or a duration such as `2 * time.second`) with the interpreter lock released, so the test's other threads run meanwhile. The test's timeout or Ctrl-C ends it early, with the test's cancellation as the error.",
			timeSleep),
		function("wait_until", "wait_until(cond, timeout_sec, backoff_sec = 0.1, err_msg = \"\", retry_on_exc = False)",
			"Calls `cond()` until it returns a true value (which it returns), sleeping backoff_sec in between with the interpreter lock released. On timeout it fails with err_msg (a string, or a function returning one). An error raised by cond fails at once, unless retry_on_exc, in which case the last error is quoted on timeout.",
			waitUntil),
	}}
}

// waitUntil is wait_until(cond, timeout_sec, backoff_sec = 0.1, err_msg = "",
// retry_on_exc = False): call cond() until it returns a true value, sleeping
// backoff_sec between calls (with the interpreter lock released), and fail
// with err_msg (a string, or a function returning one) after timeout_sec.
// An error raised by cond fails at once unless retry_on_exc, in which case
// the last such error is quoted on timeout.
func waitUntil(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cond starlark.Callable
	var timeoutV, backoffV starlark.Value
	var errMsg starlark.Value = starlark.String("")
	var retryOnExc bool
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "cond", &cond, "timeout_sec", &timeoutV,
		"backoff_sec?", &backoffV, "err_msg?", &errMsg, "retry_on_exc?", &retryOnExc); err != nil {
		return nil, err
	}
	timeout, backoff, err := pollTimes(b.Name(), timeoutV, backoffV, 100*time.Millisecond)
	if err != nil {
		return nil, err
	}
	return poll(thread, b.Name(), timeout, backoff, retryOnExc, errMsg, func() (starlark.Value, error) {
		return starlark.Call(thread, cond, nil, nil)
	})
}

// timeSleep is time.sleep(seconds).
func timeSleep(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &v); err != nil {
		return nil, err
	}
	d, err := sleepDuration(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	_, err = Blocking(thread, func(ctx context.Context) (struct{}, error) { return struct{}{}, Sleep(ctx, d) })
	if err != nil {
		return nil, fmt.Errorf("%s(%s) ended early: %w", b.Name(), v, err)
	}
	return starlark.None, nil
}

// sleepDuration converts time.sleep's argument: a finite number of seconds
// >= 0, or a duration >= 0.
func sleepDuration(v starlark.Value) (time.Duration, error) {
	if d, ok := v.(starlarktime.Duration); ok {
		if d < 0 {
			return 0, fmt.Errorf("cannot sleep a negative duration (%s)", d)
		}
		return time.Duration(d), nil
	}
	f, ok := starlark.AsFloat(v)
	switch {
	case !ok:
		return 0, fmt.Errorf("want a number of seconds or a duration, not %s", v.Type())
	case math.IsNaN(f) || math.IsInf(f, 0):
		return 0, fmt.Errorf("want a finite number of seconds, not %s", v)
	case f < 0:
		return 0, fmt.Errorf("cannot sleep a negative time (%s seconds)", v)
	case f*float64(time.Second) >= math.MaxInt64:
		return 0, fmt.Errorf("%s seconds is more than a time.Duration holds (about 292 years)", v)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// poll is the loop of wait_until, for builtins that wait on a condition of
// their own: it calls cond until it returns a true value (returned), with
// backoff between calls during which the interpreter lock is released. An
// error from cond fails at once unless retryOnExc; after timeout it fails
// with errMsg (see waitUntil), quoting cond's last error if the last call
// failed.
func poll(thread *starlark.Thread, fn string, timeout, backoff time.Duration, retryOnExc bool, errMsg starlark.Value, cond func() (starlark.Value, error)) (starlark.Value, error) {
	deadline := time.Now().Add(timeout)
	for {
		v, err := cond()
		var lastErr error
		switch {
		case err != nil && (!retryOnExc || ContextOf(thread).Err() != nil):
			return nil, err
		case err != nil:
			lastErr = err
		case bool(v.Truth()):
			return v, nil
		}
		if !time.Now().Before(deadline) {
			return nil, waitTimeoutError(thread, fn, timeout, errMsg, lastErr)
		}
		if _, err := Blocking(thread, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, Sleep(ctx, min(backoff, time.Until(deadline)))
		}); err != nil {
			return nil, err
		}
	}
}

func waitTimeoutError(thread *starlark.Thread, fn string, timeout time.Duration, errMsg starlark.Value, lastErr error) error {
	msg := ""
	if c, ok := errMsg.(starlark.Callable); ok {
		v, err := starlark.Call(thread, c, nil, nil)
		if err != nil {
			return err
		}
		errMsg = v
	}
	if s, ok := starlark.AsString(errMsg); ok {
		msg = s
	} else if errMsg != starlark.None {
		msg = errMsg.String()
	}
	if msg == "" {
		msg = fmt.Sprintf("%s: condition not met within %s", fn, timeout)
	}
	if lastErr != nil {
		msg += fmt.Sprintf(" (last error: %v)", lastErr)
	}
	return fmt.Errorf("%s", msg)
}

// Sleep waits for d or until ctx is done, whichever is first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// pollTimes converts the timeout_sec and optional backoff_sec arguments.
func pollTimes(fn string, timeoutV, backoffV starlark.Value, backoff time.Duration) (time.Duration, time.Duration, error) {
	timeout, err := timeoutArg(fn, timeoutV)
	if err != nil {
		return 0, 0, err
	}
	if backoffV != nil {
		if backoff, err = timeoutArg(fn, backoffV); err != nil {
			return 0, 0, fmt.Errorf("%s: backoff_sec must be a positive number", fn)
		}
	}
	return timeout, backoff, nil
}
