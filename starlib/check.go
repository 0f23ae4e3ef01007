package starlib

import (
	"context"
	"fmt"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/history"
)

// checkDomain is the check module (see docs/checkers.md): checkers of a
// test's history. Each runs with the interpreter lock released, records its
// verdict for the test's reports through runCheck, and returns it as a
// struct (ok, unknown, summary, visualization, name, model, details,
// found, expect, as_expected).
//
// Every function of the module, whichever domain declares it, takes
// expect = "valid" | "violation" (withExpect wraps them all): the checker
// itself never sees it, and runCheck records it with the verdict.
func checkDomain() Domain {
	return Domain{Name: "check", Page: "checkers.md", Builtins: []Builtin{
		wrappedModule("check", "Checkers of a test's operation history; each verdict goes into the test's report. Every checker takes `expect = \"valid\"` or `expect = \"violation\"`: what the test expects of it (reports then say \"found 3 lost adds, as expected\"; an expectation not met fails the test when it ends).", withExpect),
		function("check.linearizable", "check.linearizable(h, model, time_limit = \"60s\", expect = None)", "Checks that history h is linearizable for model \"register\", \"cas-register\", \"kv\" (per key) or \"set\", on porcupine; past time_limit the verdict is unknown. The result's visualization is an HTML file in the test's results.", checkLinearizable),
		function("check.set", "check.set(h, expect = None)", "Jepsen's set checker: the final read holds every acknowledged add and nothing never added (details: lost, unexpected, recovered).", checkWith("set", check.Set)),
		function("check.counter", "check.counter(h, expect = None)", "Jepsen's counter checker: every read lies within the bounds of the acknowledged and attempted adds.", checkWith("counter", check.Counter)),
	}}
}

// expectKey is the thread-local under which withExpect hands a checker
// call's expectation to runCheck.
const expectKey = "ducktape.check.expect"

// expectation is the expect = ... of one checker call; runCheck marks it
// applied.
type expectation struct {
	value   string // "", check.ExpectValid or check.ExpectViolation
	applied bool
}

// withExpect wraps a checker of the check module: it takes the keyword
// argument expect (None, "valid" or "violation") off the call and hands it
// to runCheck through the thread, which records it with the verdict. A
// checker that records no verdict through runCheck cannot honour it: the
// call then fails rather than drop the expectation silently.
func withExpect(fn builtinFunc) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		exp := &expectation{}
		rest := kwargs[:0:0]
		for _, kv := range kwargs {
			if name, _ := starlark.AsString(kv[0]); name != "expect" {
				rest = append(rest, kv)
				continue
			}
			if kv[1] == starlark.None {
				continue
			}
			s, ok := starlark.AsString(kv[1])
			var err error
			if exp.value, err = check.ParseExpect(s); !ok || err != nil {
				return nil, fmt.Errorf("%s: expect must be \"valid\" or \"violation\", not %s", b.Name(), kv[1])
			}
		}
		outer := thread.Local(expectKey)
		thread.SetLocal(expectKey, exp)
		defer thread.SetLocal(expectKey, outer)
		v, err := fn(thread, b, args, rest)
		if err == nil && exp.value != "" && !exp.applied {
			return nil, fmt.Errorf("%s: cannot apply expect = %q: the checker records no verdict (it must go through runCheck)", b.Name(), exp.value)
		}
		return v, err
	}
}

// checkLinearizable is check.linearizable(h, model, time_limit = "60s").
func checkLinearizable(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var h *HistoryValue
	var model string
	var limitV starlark.Value = starlark.String(check.DefaultTimeLimit.String())
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "h", &h, "model", &model, "time_limit?", &limitV); err != nil {
		return nil, err
	}
	limit, err := ParseDuration(limitV)
	if err != nil {
		return nil, fmt.Errorf("time_limit: %w", err)
	}
	return runCheck(thread, b.Name(), h, func(f history.File) (check.Result, error) {
		return check.Linearizable(f, model, check.Options{TimeLimit: limit, Dir: h.t.dir})
	})
}

// checkWith makes check.<name>(h) of a checker without options.
func checkWith(name string, checker func(history.File) (check.Result, error)) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var h *HistoryValue
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "h", &h); err != nil {
			return nil, err
		}
		return runCheck(thread, b.Name(), h, checker)
	}
}

// runCheck runs checker on h's history (with the test's faults) with the
// interpreter lock released, records the verdict, and returns it.
func runCheck(thread *starlark.Thread, fn string, h *HistoryValue, checker func(history.File) (check.Result, error)) (starlark.Value, error) {
	env := EnvOf(thread)
	if env == nil || env.History != h.t {
		return nil, fmt.Errorf("the history is not this test's")
	}
	file := env.HistoryFile()
	began := time.Now()
	res, err := Blocking(thread, func(context.Context) (check.Result, error) { return checker(file) })
	if err != nil {
		return nil, err
	}
	if exp, ok := thread.Local(expectKey).(*expectation); ok && !exp.applied {
		res.Expect, exp.applied = exp.value, true
	}
	h.t.addCheck(res)
	Debugf(thread, "%s of %d events in %s: %s", fn, len(file.Events), time.Since(began).Round(time.Millisecond), res.Summary)
	return resultValue(res)
}

// resultValue is a check's verdict as Starlark sees it.
func resultValue(res check.Result) (starlark.Value, error) {
	details, err := FromGo(res.Details)
	if err != nil {
		return nil, err
	}
	str := func(s string) starlark.Value {
		if s == "" {
			return starlark.None
		}
		return starlark.String(s)
	}
	return starlarkstruct.FromStringDict(starlark.String("check_result"), starlark.StringDict{
		"name": starlark.String(res.Name), "model": str(res.Model), "ok": starlark.Bool(res.OK),
		"unknown": starlark.Bool(res.Unknown), "summary": starlark.String(res.Summary),
		"visualization": str(res.Visualization), "details": details,
		"found": str(res.Found), "expect": str(res.Expect), "as_expected": starlark.Bool(res.AsExpected()),
	}), nil
}
