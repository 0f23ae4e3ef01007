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
	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/services/clients"
	"github.com/ducktape-go/ducktape/services/faults"
	"github.com/ducktape-go/ducktape/starlib"
)

// runCase runs case c (run index) on nodes, which it frees when done: setup,
// the test and teardown on fresh threads of a fresh runtime, under the
// test's timeout. It writes the case's logs, report.json and data.json, and
// turns every outcome into a Result.
func (r *Runner) runCase(ctx, abort context.Context, c *Case, index int, nodes []*cluster.Node) *Result {
	defer r.Cluster.Free(nodes)
	start := time.Now()
	res := &Result{
		TestID: c.ID(), ModuleName: c.Test.File, FunctionName: c.Test.Name,
		InjectedArgs: c.Params, Description: c.Test.Description, StartTime: unixSeconds(start),
		ResultsDir: CaseDir(c, index, r.NestedResultDirs), TestStatus: StatusPass, Services: []any{},
		NodesAllocated: len(nodes),
	}
	for _, n := range nodes {
		res.Nodes = append(res.Nodes, n.Name)
	}
	dir := filepath.Join(r.Session.Dir, res.ResultsDir)
	fail := func(err error) {
		res.TestStatus = StatusFail
		if res.Summary != "" {
			res.Summary += "\n"
		}
		res.Summary += ErrorText(err)
	}
	defer func() {
		stop := time.Now()
		res.StopTime, res.RunTimeSeconds = unixSeconds(stop), stop.Sub(start).Seconds()
		r.writeCaseReport(res)
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
	logs.Logf(starlib.LevelInfo, "running %s on %v", res.TestID, res.Nodes)

	// Every command of the test marks its processes as the test's; what
	// is left of them is killed once the test and its teardown are over.
	// --no-teardown leaves them, unmarked.
	if !r.NoTeardown {
		owner := r.Cluster.NewOwner(c.ID())
		ctx, abort = cluster.WithOwner(ctx, owner), cluster.WithOwner(abort, owner)
		defer killLeftovers(abort, owner, logs)
	}

	timeout := c.Test.Timeout
	if timeout == 0 {
		timeout = r.TestTimeout
	}
	body, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		body, cancel = context.WithTimeoutCause(ctx, timeout, fmt.Errorf("timed out after %s", timeout))
	}
	defer cancel()

	env := starlib.NewEnv(starlib.Env{
		Log:        log,
		Cluster:    starlib.NewTestCluster(nodes),
		Services:   services.NewRegistry(body),
		Faults:     faults.NewRegistry(c.ID(), nodes), // closed by teardownServices
		History:    starlib.NewTestHistory(dir),
		Series:     series.NewSet(),
		Clients:    clients.NewRegistry(nodes), // closed by teardownServices
		ResultsDir: dir,
	})
	data, err := r.execute(body, abort, c, dir, env)
	if saveErr := recordEnv(res, env, dir); saveErr != nil {
		err = errors.Join(err, saveErr)
	}
	if skip, ok := err.(*starlib.SkipError); ok { // alone: nothing else failed
		res.TestStatus, res.Summary = StatusIgnore, "skipped: "+skip.Reason
		logs.Logf(starlib.LevelInfo, "IGNORE: %s", res.Summary)
		return res
	}
	// A failed test's data are its series' summaries, if it has series.
	data, mergeErr := mergeSeries(data, env.Series)
	err = errors.Join(err, mergeErr)
	if data != nil {
		res.Data = data
		err = errors.Join(err, writeFileAtomic(filepath.Join(dir, "data.json"), append(data, '\n'), false))
	}
	if err != nil {
		if body.Err() != nil {
			// Timed out or interrupted: say so first; the error's
			// backtrace shows where the test was.
			err = fmt.Errorf("%s:\n%w", cancelCause(body), err)
		}
		fail(err)
		logs.Logf(starlib.LevelError, "FAIL: %s", res.Summary)
		return res
	}
	if r.FailBadClusterUtilization && res.NodesUsed < res.NodesAllocated {
		fail(fmt.Errorf("the test was given %d nodes but its services used at most %d (--fail-bad-cluster-utilization)", res.NodesAllocated, res.NodesUsed))
	}
	// Thresholds, and the expectations of checks, are checked once the
	// test body passed.
	verdicts, err := checkThresholds(c.Test.Thresholds, res.Data)
	res.Thresholds = verdicts
	if err != nil {
		fail(err)
	}
	if err := unmetExpectations(res.Checks); err != nil {
		fail(err)
	}
	logs.Logf(starlib.LevelInfo, "%s", res.TestStatus)
	return res
}

// execute runs setup, the test function and teardown, and returns the test's
// data (nil when it returned None). The test body runs under ctx; the
// file's teardown under abort, so that it runs even after the test timed
// out or was interrupted. A teardown error is reported after the test's own
// error, never instead of it. When execute returns, every Starlark thread
// of the test has ended.
func (r *Runner) execute(ctx, abort context.Context, c *Case, dir string, env *starlib.Env) (json.RawMessage, error) {
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
		Params: params, Globals: r.Globals, Env: env,
	}
	rt := env.Runtime
	ctx, cancel := context.WithCancelCause(ctx)
	defer func() {
		cancel(errors.New("the test has ended"))
		rt.Wait() // background threads stop with the test's context
	}()
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
	// ctx.skip (in setup or the test) ends the test as IGNORE; teardown
	// runs as after a pass, and its errors still fail the test.
	var skip *starlib.SkipError
	if errors.As(testErr, &skip) {
		testErr = nil
	}
	if c.Test.Teardown != nil {
		td := rt.NewThread(abort, c.ID()+" teardown")
		if _, err := starlark.Call(td, c.Test.Teardown, starlark.Tuple{tctx}, nil); err != nil {
			testErr = errors.Join(testErr, fmt.Errorf("teardown failed: %w", err))
		}
	}
	testErr = teardownServices(abort, env, dir, r.NoTeardown, r.Compress, testErr)
	if testErr != nil {
		return nil, testErr
	}
	if skip != nil {
		return nil, skip
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

// recordEnv puts what the test's environment gathered into its result
// (nodes used, services, faults, series' plots) and saves what goes into files of its own
// in dir. It runs once the test and its teardown are over, whatever
// happened to the test; an error fails the test. New per-test state of
// Env is reported here.
func recordEnv(res *Result, env *starlib.Env, dir string) error {
	res.NodesUsed = env.Cluster.MaxUsed()
	res.Services = env.Services.JSON()
	res.Faults = env.Faults.History()
	res.Series = PlotSeries(env.Series)
	if err := env.Series.Save(dir); err != nil {
		return fmt.Errorf("saving the test's series: %w", err)
	}
	return recordHistory(res, env, dir)
}

// writeCaseReport writes res as the report.json of its case directory. It
// is the last file runCase writes, so a case directory with a report.json
// is complete even if the driver died right after.
func (r *Runner) writeCaseReport(res *Result) {
	if err := writeJSON(filepath.Join(r.Session.Dir, res.ResultsDir, "report.json"), res); err != nil {
		r.Session.Log.Logf(starlib.LevelError, "%s: writing report.json: %v", res.TestID, err)
	}
}

// openCaseDir creates a case's results directory and its test logs.
func openCaseDir(dir string) (*LogFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return OpenLogFiles(dir, "test_log")
}

func writeJSON(path string, v any) error {
	data, err := marshalText(v, "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'), false)
}

// teeLogger sends records to two loggers.
type teeLogger [2]starlib.Logger

func (t teeLogger) Log(r starlib.Record) {
	t[0].Log(r)
	t[1].Log(r)
}
