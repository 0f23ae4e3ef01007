package starlib

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// FuzzClientValues checks the conversion of the clients' arguments and
// replies: any Starlark value the fuzz text evaluates to converts to a
// value of package clients or fails saying what can be sent, and what
// converts comes back as an equal value (tuples as lists).
func FuzzClientValues(f *testing.F) {
	for _, s := range []string{`None`, `[1, "a", b"\xff", 2.5, True, None]`, `(1 << 70, -(1 << 63), 1 << 64 - 1)`, `{"a": 1}`, `[[[]]]`, `set([1])`, `"é"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		thread := &starlark.Thread{Name: "fuzz"}
		thread.SetMaxExecutionSteps(10000)
		v, err := starlark.EvalOptions(FileOptions, thread, "fuzz", expr, Predeclared())
		if err != nil {
			return
		}
		goValue, err := toClientValue(v)
		if err != nil {
			if !strings.Contains(err.Error(), "cannot be sent (want None, bool, int, float, string, bytes or a list of them)") {
				t.Fatalf("toClientValue(%s): %v", v, err)
			}
			return
		}
		back := fromClientValue(goValue)
		if eq, err := starlark.Equal(asLists(v), back); err != nil || !eq {
			t.Fatalf("%s converts back as %s (%v)", v, back, err)
		}
	})
}

// asLists is v with its tuples made lists, as the conversion makes them.
func asLists(v starlark.Value) starlark.Value {
	seq, ok := v.(starlark.Indexable)
	if _, isString := v.(starlark.String); !ok || isString {
		return v
	}
	if _, isBytes := v.(starlark.Bytes); isBytes {
		return v
	}
	elems := make([]starlark.Value, seq.Len())
	for i := range elems {
		elems[i] = asLists(seq.Index(i))
	}
	return starlark.NewList(elems)
}
