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
// verdict for the test's reports, and returns it as a struct (ok, unknown,
// summary, visualization, name, model, details).
func checkDomain() Domain {
	return Domain{Name: "check", Page: "checkers.md", Builtins: []Builtin{
		module("check", "Checkers of a test's operation history; each verdict goes into the test's report."),
		function("check.linearizable", "check.linearizable(h, model, time_limit = \"60s\")", "Checks that history h is linearizable for model \"register\", \"cas-register\", \"kv\" (per key) or \"set\", on porcupine; past time_limit the verdict is unknown. The result's visualization is an HTML file in the test's results.", checkLinearizable),
		function("check.set", "check.set(h)", "Jepsen's set checker: the final read holds every acknowledged add and nothing never added (details: lost, unexpected, recovered).", checkWith("set", check.Set)),
		function("check.counter", "check.counter(h)", "Jepsen's counter checker: every read lies within the bounds of the acknowledged and attempted adds.", checkWith("counter", check.Counter)),
	}}
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
	var model starlark.Value = starlark.None
	if res.Model != "" {
		model = starlark.String(res.Model)
	}
	var vis starlark.Value = starlark.None
	if res.Visualization != "" {
		vis = starlark.String(res.Visualization)
	}
	return starlarkstruct.FromStringDict(starlark.String("check_result"), starlark.StringDict{
		"name": starlark.String(res.Name), "model": model, "ok": starlark.Bool(res.OK),
		"unknown": starlark.Bool(res.Unknown), "summary": starlark.String(res.Summary),
		"visualization": vis, "details": details,
	}), nil
}
