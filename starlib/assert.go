package starlib

import (
	"fmt"
	"regexp"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// assertModule is the predeclared assert module. Each function raises an
// error saying what was expected, optionally followed by the caller's msg.
var assertModule = &starlarkstruct.Module{
	Name: "assert",
	Members: starlark.StringDict{
		"eq":       starlark.NewBuiltin("assert.eq", assertCompare(syntax.EQL, "==")),
		"ne":       starlark.NewBuiltin("assert.ne", assertCompare(syntax.NEQ, "!=")),
		"true":     starlark.NewBuiltin("assert.true", assertTrue),
		"contains": starlark.NewBuiltin("assert.contains", assertContains),
		"fails":    starlark.NewBuiltin("assert.fails", assertFails),
	},
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
