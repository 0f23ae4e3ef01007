package starlib

import (
	"fmt"
	"regexp"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// assertDomain is the assert module. Each function raises an error saying
// what was expected, followed by the caller's msg when given.
func assertDomain() Domain {
	return Domain{Name: "assert", Page: "writing-tests.md", Builtins: []Builtin{
		module("assert", "Assertions: `assert.eq`, `assert.ne`, `assert.true`, `assert.contains`, `assert.fails`."),
		function("assert.eq", "assert.eq(x, y, msg = None)", "Fails unless x == y: `assert.eq failed: expected 1 == 2: msg`.", assertCompare(syntax.EQL, "==")),
		function("assert.ne", "assert.ne(x, y, msg = None)", "Fails unless x != y: `assert.ne failed: expected 3 != 3`.", assertCompare(syntax.NEQ, "!=")),
		function("assert.true", "assert.true(cond, msg = None)", "Fails unless cond is true: `assert.true failed: 0 is not true`.", assertTrue),
		function("assert.contains", "assert.contains(container, item, msg = None)", "Fails unless item is in container: `assert.contains failed: 5 not in [1, 2]`.", assertContains),
		function("assert.fails", "assert.fails(fn, pattern)", "Calls `fn()`, which must fail with an error matching the regular expression (RE2); returns the message. A cancellation (timeout, Ctrl-C) is never taken for the expected failure.", assertFails),
	}}
}

func withMsg(text string, msg starlark.Value) error {
	if msg != nil && msg != starlark.None {
		if s, ok := starlark.AsString(msg); ok {
			return fmt.Errorf("%s: %s", text, s)
		}
		return fmt.Errorf("%s: %s", text, msg)
	}
	return fmt.Errorf("%s", text)
}

func assertCompare(op syntax.Token, want string) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var x, y, msg starlark.Value
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "x", &x, "y", &y, "msg?", &msg); err != nil {
			return nil, err
		}
		ok, err := starlark.Compare(op, x, y)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.Name(), err)
		}
		if !ok {
			return nil, withMsg(fmt.Sprintf("%s failed: expected %s %s %s", b.Name(), x.String(), want, y.String()), msg)
		}
		return starlark.None, nil
	}
}

func assertTrue(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cond, msg starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "cond", &cond, "msg?", &msg); err != nil {
		return nil, err
	}
	if !cond.Truth() {
		return nil, withMsg(fmt.Sprintf("assert.true failed: %s is not true", cond.String()), msg)
	}
	return starlark.None, nil
}

func assertContains(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var container, item, msg starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "container", &container, "item", &item, "msg?", &msg); err != nil {
		return nil, err
	}
	ok, err := starlark.Binary(syntax.IN, item, container)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	if !ok.Truth() {
		return nil, withMsg(fmt.Sprintf("assert.contains failed: %s not in %s", item.String(), container.String()), msg)
	}
	return starlark.None, nil
}

// assertFails calls fn() and checks that it fails with an error matching
// the regular expression pattern; it returns the error message.
// Cancellation (timeout, Ctrl-C) is never taken as the expected failure.
func assertFails(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	var pattern string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "fn", &fn, "pattern?", &pattern); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("assert.fails: bad pattern: %w", err)
	}
	_, err = starlark.Call(thread, fn, nil, nil)
	if err == nil {
		return nil, fmt.Errorf("assert.fails failed: %s succeeded, want an error matching %q", fn.Name(), pattern)
	}
	if ContextOf(thread).Err() != nil {
		return nil, err
	}
	msg := err.Error()
	if ee, ok := err.(*starlark.EvalError); ok {
		msg = ee.Msg
	}
	if !re.MatchString(msg) {
		return nil, fmt.Errorf("assert.fails failed: error %q does not match %q", msg, pattern)
	}
	return starlark.String(msg), nil
}
