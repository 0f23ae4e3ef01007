package starlib

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/services"
)

// TestContext is the ctx a test function receives (see DESIGN.md, "The test
// context"). Its fields are set by the runner before the test starts and not
// changed afterwards.
type TestContext struct {
	TestID     string
	TestName   string
	ResultsDir string
	Params     *starlark.Dict // frozen
	Globals    starlark.Value // frozen
	Cluster    *TestCluster
	Log        Logger
	// Services is the test's services, created by service instances and
	// torn down by the runner after the test.
	Services *services.Registry
}

var _ starlark.HasAttrs = (*TestContext)(nil)

func (c *TestContext) String() string        { return fmt.Sprintf("<ctx %s>", c.TestID) }
func (c *TestContext) Type() string          { return "ctx" }
func (c *TestContext) Freeze()               {}
func (c *TestContext) Truth() starlark.Bool  { return true }
func (c *TestContext) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: ctx") }

func (c *TestContext) AttrNames() []string {
	names := []string{"cluster", "globals", "logger", "mark_for_collect", "params", "results_dir", "test_id", "test_name"}
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
		return c.Cluster, nil
	case "logger":
		return newLoggerValue(c.Log), nil
	case "mark_for_collect":
		return starlark.NewBuiltin("ctx.mark_for_collect", c.markForCollect), nil
	}
	return nil, nil
}

// markForCollect is ctx.mark_for_collect(svc, name = None): collect the
// service's log name (all its logs when None) even if the test passes.
func (c *TestContext) markForCollect(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var sv *ServiceValue
	var name string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "svc", &sv, "name?", &name); err != nil {
		return nil, err
	}
	if err := c.Services.MarkForCollect(sv.Service(), name); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.None, nil
}
