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
			"Calls fn(*args, **kwargs) and returns `struct(value = result, error = None)`, or `struct(value = None, error = \"message\", definite = bool)` when it failed (Starlark has no try/except). definite is True when the failed call certainly had no effect (a client call refused before it was sent, or rejected by the server: Jepsen's fail), False when it may have (a timeout, a lost connection, and every error that is no client's: Jepsen's info); see `h.complete`. `ctx.skip(...)` and cancellation (timeout, Ctrl-C) are not caught.",
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
		return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{"value": v, "error": starlark.None}), nil
	}
	var skip *SkipError
	if errors.As(err, &skip) || ContextOf(thread).Err() != nil {
		return nil, err
	}
	return starlarkstruct.FromStringDict(starlarkstruct.Default, starlark.StringDict{
		"value": starlark.None, "error": starlark.String(catchMessage(err)), "definite": starlark.Bool(definite(err)),
	}), nil
}

// definite reports whether a failed call certainly had no effect: the
// error (or one it wraps) says so (a client call's, see package
// services/clients). Any other error may have come after an effect.
func definite(err error) bool {
	var d interface{ Definite() bool }
	return errors.As(err, &d) && d.Definite()
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
