package starlib

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"
)

// TestContext is the ctx a test function receives (see
// docs/writing-tests.md, "The test context"). Its fields are set by the
// runner before the test starts and not changed afterwards. Its plain
// attributes are in Attr; its methods are declared by domains (onContext)
// and reach the test's state through EnvOf(thread).
type TestContext struct {
	TestID     string
	TestName   string
	ResultsDir string
	Params     *starlark.Dict // frozen
	Globals    starlark.Value // frozen
	// Env is the test's environment, the one its threads carry; the plain
	// attributes ctx.cluster and ctx.logger read it.
	Env *Env
}

// contextMethod is a method of ctx.
type contextMethod func(thread *starlark.Thread, fn string, c *TestContext, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// contextDomain is ctx: its plain attributes and mark_for_collect.
func contextDomain() Domain {
	return Domain{Name: "ctx", Page: "writing-tests.md", Builtins: []Builtin{
		attribute("ctx", "", "The test context, the argument of test functions, setup and teardown."),
		attribute("ctx.test_id", "", "The case's id (a symbol that re-runs this one case)."),
		attribute("ctx.test_name", "", "The test function's name."),
		attribute("ctx.params", "", "The case's parameters (a frozen dict)."),
		attribute("ctx.globals", "", "The `--globals` (a frozen dict)."),
		attribute("ctx.cluster", "", "This test's nodes: `len(ctx.cluster)`, `ctx.cluster[0]`, `for n in ctx.cluster`, `ctx.cluster.nodes`, `ctx.cluster.alloc(...)`, `ctx.cluster.free(nodes)`, `ctx.cluster.num_available()`."),
		attribute("ctx.results_dir", "", "The case's results directory (absolute); keep what you bring back here."),
		onContext("mark_for_collect", "ctx.mark_for_collect(svc, name = None)", "Collects the service's log name (all its logs when None) even if the test passes.", markForCollect),
	}}
}

var _ starlark.HasAttrs = (*TestContext)(nil)

func (c *TestContext) String() string        { return fmt.Sprintf("<ctx %s>", c.TestID) }
func (c *TestContext) Type() string          { return "ctx" }
func (c *TestContext) Freeze()               {}
func (c *TestContext) Truth() starlark.Bool  { return true }
func (c *TestContext) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: ctx") }

func (c *TestContext) AttrNames() []string {
	names := []string{"cluster", "globals", "logger", "params", "results_dir", "test_id", "test_name"}
	for name := range getUniverse().context {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func (c *TestContext) Attr(name string) (starlark.Value, error) {
	switch name {
	case "test_id":
		return starlark.String(c.TestID), nil
	case "test_name":
		return starlark.String(c.TestName), nil
	case "results_dir":
		return starlark.String(c.ResultsDir), nil
	case "params":
		return c.Params, nil
	case "globals":
		return c.Globals, nil
	case "cluster":
		return c.Env.Cluster, nil
	case "logger":
		return newLoggerValue(c.Env.Log), nil
	}
	m, ok := getUniverse().context[name]
	if !ok {
		return nil, nil
	}
	fn := "ctx." + name
	return starlark.NewBuiltin(fn, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return m(thread, fn, c, args, kwargs)
	}), nil
}

// markForCollect is ctx.mark_for_collect(svc, name = None).
func markForCollect(thread *starlark.Thread, fn string, c *TestContext, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var sv *ServiceValue
	var name string
	if err := starlark.UnpackArgs(fn, args, kwargs, "svc", &sv, "name?", &name); err != nil {
		return nil, err
	}
	env := EnvOf(thread)
	if env == nil || env.Services == nil {
		return nil, fmt.Errorf("%s: only available in tests", fn)
	}
	if err := env.Services.MarkForCollect(sv.Service(), name); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}
