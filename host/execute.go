package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/starlib"
)

// runCase runs run index of case c: allocate its nodes, call setup, the test
// and teardown on a fresh thread of a fresh runtime, free the nodes, and
// write the case's report.json and data.json. It never panics on a test's
// error: every outcome becomes a Result.
func (r *Runner) runCase(ctx context.Context, c *Case, index int) *Result {
	start := time.Now()
	res := &Result{
		TestID: c.ID(), ModuleName: c.Test.File, FunctionName: c.Test.Name,
		InjectedArgs: c.Params, StartTime: unixSeconds(start),
		ResultsDir: CaseDir(c, index), TestStatus: StatusPass, Services: []any{},
	}
	dir := filepath.Join(r.Session.Dir, res.ResultsDir)
	fail := func(err error) {
		res.TestStatus = StatusFail
		if res.Summary == "" {
			res.Summary = ErrorText(err)
		} else {
			res.Summary += "\n" + ErrorText(err)
		}
	}
	defer func() {
		stop := time.Now()
		res.StopTime, res.RunTimeSeconds = unixSeconds(stop), stop.Sub(start).Seconds()
		if err := writeJSON(filepath.Join(dir, "report.json"), res); err != nil {
			r.Session.Log.Logf(starlib.LevelError, "%s: writing report.json: %v", res.TestID, err)
		}
	}()

	logs, err := openCaseDir(dir)
	if err != nil {
		fail(fmt.Errorf("creating the results directory: %w", err))
		return res
	}
	defer logs.Close()
	var log starlib.Logger = logs
	if r.Echo != nil {
		log = teeLogger{logs, r.Echo}
	}

	specs := c.Test.Nodes
	if specs == nil {
		specs = cluster.AnyNodes(r.Cluster.Len())
	}
	nodes, err := r.Cluster.Alloc(specs)
	if err != nil {
		fail(fmt.Errorf("allocating nodes: %w", err))
		return res
	}
	defer r.Cluster.Free(nodes)
	res.NodesAllocated = len(nodes)
	for _, n := range nodes {
		res.Nodes = append(res.Nodes, n.Name)
	}
	logs.Logf(starlib.LevelInfo, "running %s on %v", res.TestID, res.Nodes)

	tc := starlib.NewTestCluster(nodes)
	data, err := r.execute(ctx, c, dir, tc, log)
	res.NodesUsed = tc.MaxUsed()
	if err != nil {
		fail(err)
		logs.Logf(starlib.LevelError, "FAIL: %s", res.Summary)
		return res
	}
	if data != nil {
		res.Data = data
		if err := os.WriteFile(filepath.Join(dir, "data.json"), append(data, '\n'), 0o644); err != nil {
			fail(fmt.Errorf("writing data.json: %w", err))
		}
	}
	logs.Logf(starlib.LevelInfo, "PASS")
	return res
}

// execute runs setup, the test function and teardown, and returns the test's
// data (nil when it returned None). A teardown error is reported after the
// test's own error, never instead of it.
func (r *Runner) execute(ctx context.Context, c *Case, dir string, tc *starlib.TestCluster, log starlib.Logger) (json.RawMessage, error) {
	params := starlark.NewDict(len(c.Params))
	var kwargs []starlark.Tuple
	for k, v := range c.Params {
		sv, err := starlib.FromGo(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", k, err)
		}
		params.SetKey(starlark.String(k), sv)
		kwargs = append(kwargs, starlark.Tuple{starlark.String(k), sv})
	}
	params.Freeze()
	tctx := &starlib.TestContext{
		TestID: c.ID(), TestName: c.Test.Name, ResultsDir: dir,
		Params: params, Globals: r.Globals, Cluster: tc, Log: log,
	}
	rt := starlib.NewRuntime(log)
	rt.Lock()
	defer rt.Unlock()

	var testErr error
	var result starlark.Value = starlark.None
	thread := rt.NewThread(ctx, c.ID())
	if c.Test.Setup != nil {
		if _, err := starlark.Call(thread, c.Test.Setup, starlark.Tuple{tctx}, nil); err != nil {
			testErr = fmt.Errorf("setup failed: %w", err)
		}
	}
	if testErr == nil {
		var args starlark.Tuple
		if c.Test.Fn.NumParams() > 0 {
			args = starlark.Tuple{tctx}
		}
		result, testErr = starlark.Call(thread, c.Test.Fn, args, kwargs)
	}
	if c.Test.Teardown != nil {
		// Teardown runs even when the test was cancelled.
		td := rt.NewThread(context.WithoutCancel(ctx), c.ID()+" teardown")
		if _, err := starlark.Call(td, c.Test.Teardown, starlark.Tuple{tctx}, nil); err != nil {
			testErr = errors.Join(testErr, fmt.Errorf("teardown failed: %w", err))
		}
	}
	if testErr != nil {
		return nil, testErr
	}
	if result == starlark.None {
		return nil, nil
	}
	data, err := starlib.ToJSON(result)
	if err != nil {
		return nil, fmt.Errorf("the test returned %s, which is not JSON data: %w", result.Type(), err)
	}
	return data, nil
}

// openCaseDir creates a case's results directory and its test logs.
func openCaseDir(dir string) (*LogFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return OpenLogFiles(dir, "test_log")
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// teeLogger sends records to two loggers.
type teeLogger [2]starlib.Logger

func (t teeLogger) Log(r starlib.Record) {
	t[0].Log(r)
	t[1].Log(r)
}
