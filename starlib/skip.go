package starlib

import (
	"fmt"

	"go.starlark.net/starlark"
)

// skipDomain is ctx.skip(reason): ending a test as IGNORE at run time.
func skipDomain() Domain {
	return Domain{Name: "skip", Page: "writing-tests.md", Builtins: []Builtin{
		onContext("skip", "ctx.skip(reason)",
			"Ends the test at once as IGNORE with the reason, for a condition known only at run time (a missing binary, an old version). Teardown runs as usual; called in setup(ctx), it skips the test.",
			ctxSkip),
	}}
}

// SkipError is the error ctx.skip raises to end the test; the runner
// reports the test as IGNORE with Reason (unless its teardown fails).
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

func ctxSkip(thread *starlark.Thread, fn string, c *TestContext, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var reason string
	if err := starlark.UnpackPositionalArgs(fn, args, kwargs, 1, &reason); err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, fmt.Errorf("%s: give the reason the test is skipped", fn)
	}
	return nil, &SkipError{Reason: reason}
}
