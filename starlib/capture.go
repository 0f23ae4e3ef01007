package starlib

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
)

// accountSSHCapture starts a command and returns its output lines as an
// iterable that yields each line as it arrives. Abandoning the iteration
// (break, an error in the loop body) stops the remote command.
//
// go.starlark.net iterators cannot raise, so when the command fails without
// allow_fail the error is raised by cancelling the iterating thread: the
// test stops at the loop with the command's error, as an uncaught
// exception would.
func accountSSHCapture(thread *starlark.Thread, fn string, a Account, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cmd string
	var allowFail bool
	combineStderr := true
	var timeout starlark.Value
	var callback starlark.Callable
	if err := starlark.UnpackArgs(fn, args, kwargs, "cmd", &cmd, "allow_fail?", &allowFail,
		"callback?", &callback, "combine_stderr?", &combineStderr, "timeout_sec?", &timeout); err != nil {
		return nil, err
	}
	d, err := timeoutArg(fn, timeout)
	if err != nil {
		return nil, err
	}
	ctx, cancel := ContextOf(thread), context.CancelFunc(func() {})
	if d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	Debugf(thread, "%s$ %s (capturing)", a.node.Name, cmd)
	lines := a.remote().Capture(ctx, cmd, allowFail, combineStderr)
	return &capture{thread: thread, lines: lines, cancel: cancel, node: a.node.Name, cmd: cmd, callback: callback}, nil
}

// capture is the iterable returned by ssh_capture. It can be iterated once,
// by the thread that called ssh_capture or another thread of its test.
type capture struct {
	thread   *starlark.Thread // the caller of ssh_capture
	lines    *cluster.Lines
	cancel   context.CancelFunc
	node     string
	cmd      string
	iterated bool
	// callback, if not nil, maps each line to the value yielded (the
	// Python ducktape's ssh_capture(callback = ...)). It runs on thread,
	// so iterate on the thread that called ssh_capture.
	callback starlark.Callable
}

func (c *capture) String() string        { return fmt.Sprintf("<ssh_capture %s: %s>", c.node, c.cmd) }
func (c *capture) Type() string          { return "ssh_capture" }
func (c *capture) Freeze()               {}
func (c *capture) Truth() starlark.Bool  { return true }
func (c *capture) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: ssh_capture") }

func (c *capture) Iterate() starlark.Iterator {
	if c.iterated {
		return &captureIter{done: true}
	}
	c.iterated = true
	return &captureIter{c: c}
}

type captureIter struct {
	c    *capture
	done bool
}

// Next waits for a line with the interpreter lock released. Iterator.Next
// receives no thread, but the iterating thread holds the lock of the
// runtime of c.thread (both belong to the same test), so it is released
// through that runtime.
func (it *captureIter) Next(p *starlark.Value) bool {
	if it.done {
		return false
	}
	type next struct {
		line string
		ok   bool
	}
	n, _ := Blocking(it.c.thread, func(context.Context) (next, error) {
		line, ok := it.c.lines.Next()
		return next{line, ok}, nil
	})
	if !n.ok {
		it.done = true
		if err, _ := Blocking(it.c.thread, func(context.Context) (error, error) { return it.c.lines.Err(), nil }); err != nil {
			it.c.thread.Cancel(err.Error())
		}
		it.c.cancel()
		return false
	}
	*p = starlark.String(n.line)
	if it.c.callback != nil {
		v, err := starlark.Call(it.c.thread, it.c.callback, starlark.Tuple{*p}, nil)
		if err != nil {
			it.done = true
			it.c.lines.Close()
			it.c.cancel()
			it.c.thread.Cancel(fmt.Sprintf("ssh_capture callback on %s: %v", it.c.node, err))
			return false
		}
		*p = v
	}
	return true
}

// Done is called when the iteration ends, early or not; an early end stops
// the remote command.
func (it *captureIter) Done() {
	if !it.done && it.c != nil {
		it.done = true
		it.c.lines.Close()
		it.c.cancel()
	}
}
