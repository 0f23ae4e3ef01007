package starlib

import (
	"errors"
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// catchDomain is catch(fn, ...): the try/except of ported tests.
func catchDomain() Domain {
	return Domain{Name: "catch", Page: "porting.md", Builtins: []Builtin{
		function("catch", "catch(fn, *args, **kwargs)",
			"Calls fn(*args, **kwargs) and returns `struct(value = result, error = None)`, or `struct(value = None, error = \"message\")` when it failed (Starlark has no try/except). `ctx.skip(...)` and cancellation (timeout, Ctrl-C) are not caught.",
			catchBuiltin),
	}}
}

// catchBuiltin calls its first argument with the others. Errors that end
// the test on purpose (a skip, the test's cancellation) pass through: a
// test cannot swallow its own timeout.
func catchBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("catch: missing the function to call")
	}
	fn, ok := args[0].(starlark.Callable)
	if !ok {
		return nil, fmt.Errorf("catch: the first argument must be callable, not %s", args[0].Type())
	}
	v, err := starlark.Call(thread, fn, args[1:], kwargs)
	if err == nil {
		return catchResult(v, starlark.None), nil
	}
	var skip *SkipError
	if errors.As(err, &skip) || ContextOf(thread).Err() != nil {
		return nil, err
	}
	return catchResult(starlark.None, starlark.String(catchMessage(err))), nil
}

// catchMessage is the error as a Python test's str(e) would read: the
// message, without the Starlark backtrace.
func catchMessage(err error) string {
	var eval *starlark.EvalError
	if errors.As(err, &eval) {
		if eval.Unwrap() != nil {
			return eval.Unwrap().Error()
		}
		return eval.Msg
	}
	return err.Error()
}

func catchResult(value, errValue starlark.Value) starlark.Value {
	return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{"value": value, "error": errValue})
}
