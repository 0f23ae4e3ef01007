package host

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/starlib"
)

// Observer is told about a run's progress (the console). Its methods may be
// called from several goroutines at once.
type Observer interface {
	CaseStarted(id string)
	CaseFinished(res *Result)
}

// Runner runs test cases on a cluster and records their results in a
// session. Set its fields before calling Run, and do not change them after.
type Runner struct {
	Cluster *cluster.Cluster
	Session *Session
	Report  *Report
	// Globals is ctx.globals of every test (frozen).
	Globals starlark.Value
	// Observer, if not nil, is told when each case starts and ends.
	Observer Observer
	// Echo, if not nil, also receives every test log record (--debug).
	Echo starlib.Logger

	// MaxParallel is how many tests run at once (on disjoint nodes); < 1 means 1.
	MaxParallel int
	// Repeat runs every case this many times; < 1 means once.
	Repeat int
	// Deflake is the most attempts a failing case gets; a later pass is
	// FLAKY. < 1 means one attempt.
	Deflake int
	// ExitFirst stops starting tests after the first failure.
	ExitFirst bool
	// FailGreedyTests fails tests without a cluster(...) mark instead of
	// giving them the whole cluster.
	FailGreedyTests bool
	// FailBadClusterUtilization fails tests whose services used fewer nodes
	// than the test was given.
	FailBadClusterUtilization bool
	// TestTimeout is the timeout of tests without a timeout(...) mark; zero
	// means none.
	TestTimeout time.Duration
	// RunnerTimeout stops the run when no test has finished for this long;
	// zero means never.
	RunnerTimeout time.Duration
	// NoTeardown skips stopping and cleaning services; logs are still
	// collected and nodes freed.
	NoTeardown bool
	// Compress packs each collected log as a .tgz on its node before
	// copying it (--compress).
	Compress bool
	// NestedResultDirs gives each parameter its own directory level
	// (<k=v>/<k2=v2>/) instead of one <k=v.k2=v2>/ (--nested-result-dirs).
	NestedResultDirs bool
	// IgnoreNodeType allocates any node for a node_spec(node_type = ...)
	// (--ignore-node-type): for clusters whose nodes have no types.
	IgnoreNodeType bool
}

// Run records the suite's load failures, then runs its cases on the
// cluster, up to MaxParallel at once. Cancelling stop (the first Ctrl-C)
// starts no more tests and cancels the running ones, which are still torn
// down and reported; cancelling abort (the second) cancels their teardown
// too. The report files are rewritten as results arrive, so an interrupted
// run still has them, and rerun-failed.yml lists what failed or did not
// finish from the start (Report.Plan), so a killed one can be rerun. Run
// returns once every started test has been reported, with Finish's error.
func (r *Runner) Run(stop, abort context.Context, suite *Suite) error {
	if err := r.Report.Plan(suite, r.Repeat); err != nil {
		r.Session.Log.Logf(starlib.LevelError, "writing %s: %v", RerunFileName, err)
	}
	for _, f := range suite.LoadFailures {
		r.record(r.staticResult(&Result{
			TestID: f.File, ModuleName: f.File, TestStatus: StatusFail,
			Summary:    "could not load " + f.File + ":\n" + f.Message(),
			ResultsDir: LoadFailureDir(f),
		}))
	}
	s := newScheduler(r, stop, abort)
	for _, c := range suite.Cases {
		for rep := 1; rep <= max(r.Repeat, 1); rep++ {
			if res := r.precheck(c); res != nil {
				r.record(r.staticResult(res))
				continue
			}
			s.add(&job{c: c, specs: r.specsOf(c)})
		}
	}
	s.run()
	return r.Report.Finish(time.Now())
}

// specsOf returns the nodes case c asks for: its cluster(...) mark (without
// node types under IgnoreNodeType), or the whole cluster.
func (r *Runner) specsOf(c *Case) []cluster.NodeSpec {
	if c.Test.Nodes == nil {
		return cluster.AnyNodes(r.Cluster.Len())
	}
	if !r.IgnoreNodeType {
		return c.Test.Nodes
	}
	specs := make([]cluster.NodeSpec, len(c.Test.Nodes))
	for i, s := range c.Test.Nodes {
		specs[i] = cluster.NodeSpec{OS: s.OS}
	}
	return specs
}

// precheck returns the result of a case that must not run: ignored, asking
// for more than the cluster can ever give, or greedy under
// --fail-greedy-tests. It returns nil for a case to run.
func (r *Runner) precheck(c *Case) *Result {
	res := &Result{
		TestID: c.ID(), ModuleName: c.Test.File, FunctionName: c.Test.Name,
		InjectedArgs: c.Params, Description: c.Test.Description, ResultsDir: CaseDir(c, 1, r.NestedResultDirs),
	}
	switch {
	case c.Ignored != "":
		res.TestStatus, res.Summary = StatusIgnore, c.Ignored
	case c.Test.Nodes == nil && r.FailGreedyTests:
		res.TestStatus, res.Summary = StatusFail, "the test has no cluster(...) mark, so it would take the whole cluster (--fail-greedy-tests)"
	default:
		if err := r.Cluster.CanFit(r.specsOf(c)); err != nil {
			res.TestStatus, res.Summary = StatusFail, "cannot run on this cluster: "+err.Error()
		} else {
			return nil
		}
	}
	return res
}

func (r *Runner) record(res *Result) {
	if err := r.Report.Add(res); err != nil {
		r.Session.Log.Logf(starlib.LevelError, "writing the reports: %v", err)
	}
	r.Session.Log.Logf(starlib.LevelInfo, "%s %s (%.3f s)", res.TestStatus, res.TestID, res.RunTimeSeconds)
	if r.Observer != nil {
		r.Observer.CaseFinished(res)
	}
}

// staticResult completes the result of an entry that did not run (a load
// failure, an ignored or impossible case): its directory gets a test log
// saying why and its report.json.
func (r *Runner) staticResult(res *Result) *Result {
	now := unixSeconds(time.Now())
	res.StartTime, res.StopTime, res.Services = now, now, []any{}
	dir := filepath.Join(r.Session.Dir, res.ResultsDir)
	logs, err := openCaseDir(dir)
	if err != nil {
		r.Session.Log.Logf(starlib.LevelError, "%s: %v", res.TestID, err)
		return res
	}
	level := starlib.LevelError
	if res.TestStatus != StatusFail {
		level = starlib.LevelInfo
	}
	logs.Logf(level, "%s: %s", res.TestStatus, res.Summary)
	logs.Close()
	r.writeCaseReport(res)
	return res
}

// cancelCause says why a test's context ended, for its summary.
func cancelCause(ctx context.Context) string {
	if err := context.Cause(ctx); err != nil {
		return err.Error()
	}
	return fmt.Sprint(ctx.Err())
}
