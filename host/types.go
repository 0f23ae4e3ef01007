package host

import (
	"encoding/json"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/threshold"
	"github.com/ducktape-go/ducktape/services/faults"
)

// The core types of host: what discovery finds (Test, Case, LoadFailure,
// Suite) and what running a case gives (Status, Result). They are plain
// data: made by one goroutine and not modified once handed on (to the
// scheduler, to Report.Add).

// Test is one test function of a loaded file.
type Test struct {
	File     string // the file's display path, as in test ids
	Path     string // the file's absolute path
	Name     string
	Fn       *starlark.Function
	Setup    *starlark.Function // the file's setup(ctx), or nil
	Teardown *starlark.Function // the file's teardown(ctx), or nil
	// Nodes is what the test asks of the cluster; nil means the whole
	// cluster, as in the Python ducktape.
	Nodes []cluster.NodeSpec
	// Timeout is the timeout(...) mark; zero means the run's default.
	Timeout time.Duration
	// Thresholds are the threshold(...) marks, checked after the test.
	Thresholds []*threshold.Expr
	// OkToFail is the ok_to_fail(...) mark: results are OPASS or OFAIL.
	OkToFail bool
	// Description is the test function's docstring, for the reports.
	Description string
	// ResultsPath is the file's path in the results directory layout
	// (see ResultsPaths); Discover sets it.
	ResultsPath string
}

// Case is one run of a test with one set of parameters.
type Case struct {
	Test   *Test
	Params map[string]any // JSON-able values; empty for a test without parameters
	// Ignored, if not empty, says why the case is not run (status IGNORE).
	Ignored string
}

// ID is the case's test symbol: path::test_name, plus @{params} when it has
// parameters. Passing it on the command line selects exactly this case.
func (c *Case) ID() string {
	id := c.Test.File + "::" + c.Test.Name
	if p := FormatParams(c.Params); p != "" {
		id += "@" + p
	}
	return id
}

// LoadFailure is a file that could not be loaded. It is reported as a
// failed entry, never dropped.
type LoadFailure struct {
	File        string // display path
	ResultsPath string // as Test.ResultsPath
	Err         error
}

// Message is the failure as shown in reports: the Starlark backtrace when
// there is one, else the error.
func (f *LoadFailure) Message() string { return ErrorText(f.Err) }

// Suite is what discovery found: the cases to run, in order, and the files
// that failed to load.
type Suite struct {
	Cases        []*Case
	LoadFailures []*LoadFailure
}

// Status is a test case's outcome.
type Status string

const (
	StatusPass   Status = "PASS"
	StatusFail   Status = "FAIL"
	StatusFlaky  Status = "FLAKY"  // failed, then passed on a later attempt (--deflake)
	StatusIgnore Status = "IGNORE" // not run: ignored by a mark or ctx.skip
	StatusOPass  Status = "OPASS"  // an ok_to_fail test that passed
	StatusOFail  Status = "OFAIL"  // an ok_to_fail test that failed: a known failure
)

// Passed reports whether the status counts as passed for the exit code:
// all but FAIL (OFAIL is a known failure, which never fails the run).
func (s Status) Passed() bool { return s != StatusFail }

// Result is one case's entry in every report, with the Python ducktape's
// report.json field names.
type Result struct {
	TestID       string         `json:"test_id"`
	ModuleName   string         `json:"module_name"`
	FunctionName string         `json:"function_name"`
	InjectedArgs map[string]any `json:"injected_args"`
	TestStatus   Status         `json:"test_status"`
	// Description is the test's docstring ("" without one).
	Description    string          `json:"description"`
	Summary        string          `json:"summary"`
	Data           json.RawMessage `json:"data"`
	StartTime      float64         `json:"start_time"`
	StopTime       float64         `json:"stop_time"`
	RunTimeSeconds float64         `json:"run_time_seconds"`
	NodesAllocated int             `json:"nodes_allocated"`
	NodesUsed      int             `json:"nodes_used"`
	Services       []any           `json:"services"`
	// Nodes names the nodes allocated to the case (for the timeline).
	Nodes []string `json:"nodes"`
	// Faults records every fault the test injected (see faults.Record),
	// with its inject and heal times, to read performance data against.
	Faults []faults.Record `json:"faults"`
	// ResultsDir is the case's results directory relative to the session's.
	ResultsDir string `json:"relative_results_dir"`
	// Checks are the verdicts of the checks run on the test's history
	// (docs/checkers.md); visualizations are relative to the case's
	// directory.
	Checks []check.Result `json:"checks,omitempty"`
	// History summarizes the test's operation history for report.html's
	// operations chart; nil when the test recorded none.
	History *HistorySummary `json:"history,omitempty"`
	// Thresholds are the verdicts of the case's threshold marks.
	Thresholds []threshold.Verdict `json:"thresholds,omitempty"`
	// Part names the --subsets part ("subset 1 of 3") a result of a merged
	// session came from (merge.go); "" in a session that was run.
	Part string `json:"part,omitempty"`
	// Series are the case's series as report.html charts them (series.json
	// in its results directory holds every point).
	Series []SeriesPlot `json:"-"`
}
