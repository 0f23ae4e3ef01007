package starlib

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"
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
}

var _ starlark.HasAttrs = (*TestContext)(nil)

func (c *TestContext) String() string        { return fmt.Sprintf("<ctx %s>", c.TestID) }
func (c *TestContext) Type() string          { return "ctx" }
func (c *TestContext) Freeze()               {}
func (c *TestContext) Truth() starlark.Bool  { return true }
func (c *TestContext) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: ctx") }

func (c *TestContext) AttrNames() []string {
	names := []string{"cluster", "globals", "logger", "params", "results_dir", "test_id", "test_name"}
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
	}
	return nil, nil
}
