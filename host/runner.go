package host

import (
	"context"
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
}

// Run records the suite's load failures, then runs its cases one after
// another. The report files are rewritten after every result, so an
// interrupted run still has them.
func (r *Runner) Run(ctx context.Context, suite *Suite) error {
	for _, f := range suite.LoadFailures {
		r.record(r.loadFailureResult(f))
	}
	for _, c := range suite.Cases {
		if ctx.Err() != nil {
			break
		}
		if r.Observer != nil {
			r.Observer.CaseStarted(c.ID())
		}
		r.record(r.runCase(ctx, c, 1))
	}
	return r.Report.Finish(time.Now())
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

// loadFailureResult makes the failed entry of a file that did not load and
// writes its error into the entry's test log.
func (r *Runner) loadFailureResult(f *LoadFailure) *Result {
	now := unixSeconds(time.Now())
	res := &Result{
		TestID: f.File, ModuleName: f.File, TestStatus: StatusFail,
		Summary:   "could not load " + f.File + ":\n" + f.Message(),
		StartTime: now, StopTime: now,
		ResultsDir: LoadFailureDir(f),
	}
	dir := filepath.Join(r.Session.Dir, res.ResultsDir)
	if logs, err := openCaseDir(dir); err == nil {
		logs.Logf(starlib.LevelError, "%s", res.Summary)
		logs.Close()
		writeJSON(filepath.Join(dir, "report.json"), res)
	}
	return res
}
