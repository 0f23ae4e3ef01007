package host

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// job is one run of a case: waiting for nodes, running, or retrying.
type job struct {
	c        *Case
	specs    []cluster.NodeSpec
	attempt  int      // 1-based, counts deflake attempts
	failures []string // earlier attempts' failures, for the final summary
	bypassed int      // times a later job started while this one, first in line, waited
}

// ErrRunnerTimeout ends the running tests when none has finished for
// Runner.RunnerTimeout.
var ErrRunnerTimeout = errors.New("the test runner timed out: no test finished in time (--test-runner-timeout)")

// scheduler starts jobs when their nodes are free: larger requests first (in
// the order given among equals), a smaller job may start while the first
// in line waits, but at most MaxParallel times; after that nothing else
// starts until the first fits, so large tests are never starved. It runs
// on one goroutine; tests run on their own.
type scheduler struct {
	r       *Runner
	stop    context.Context // first Ctrl-C
	abort   context.Context // second Ctrl-C
	runCtx  context.Context // cancelled by stop or by the runner timeout
	cancel  context.CancelCauseFunc
	pending []*job
	runs    map[string]int // caseRunsDir -> runs started so far (the directory index)
	done    chan finished
	running int
	halted  bool // start nothing more (stop, --exit-first, runner timeout)
	// launch runs a started job on its own goroutine and reports to done.
	launch func(j *job, index int, nodes []*cluster.Node)
}

type finished struct {
	j   *job
	res *Result
}

func newScheduler(r *Runner, stop, abort context.Context) *scheduler {
	run, cancel := context.WithCancelCause(stop)
	s := &scheduler{r: r, stop: stop, abort: abort, runCtx: run, cancel: cancel, runs: map[string]int{}, done: make(chan finished)}
	s.launch = func(j *job, index int, nodes []*cluster.Node) {
		go func() { s.done <- finished{j, r.runCase(s.runCtx, s.abort, j.c, index, nodes)} }()
	}
	return s
}

// add queues j behind every job that asks for at least as many nodes.
// pending is sorted by decreasing request size, so the place is found by
// binary search (queueing every case of a large suite costs n log n, and
// appends when sizes do not grow).
func (s *scheduler) add(j *job) {
	i := sort.Search(len(s.pending), func(i int) bool { return len(s.pending[i].specs) < len(j.specs) })
	s.pending = slices.Insert(s.pending, i, j)
}

func (s *scheduler) run() {
	defer s.cancel(nil)
	var watchdog <-chan time.Time
	var timer *time.Timer
	if s.r.RunnerTimeout > 0 {
		timer = time.NewTimer(s.r.RunnerTimeout)
		defer timer.Stop()
		watchdog = timer.C
	}
	stopped := s.stop.Done()
	for {
		if !s.halted {
			s.startReady()
		}
		if s.running == 0 && (s.halted || len(s.pending) == 0) {
			s.reportNotRun()
			return
		}
		select {
		case f := <-s.done:
			s.running--
			if timer != nil {
				timer.Reset(s.r.RunnerTimeout)
			}
			s.finish(f)
		case <-stopped:
			stopped, s.halted = nil, true
		case <-watchdog:
			s.halted = true
			s.cancel(ErrRunnerTimeout)
		}
	}
}

func (s *scheduler) maxParallel() int { return max(s.r.MaxParallel, 1) }

// errNoNodeFree: no node of the cluster is free.
var errNoNodeFree = errors.New("no node is free")

func (s *scheduler) startReady() {
	for i := 0; i < len(s.pending) && s.running < s.maxParallel(); {
		j := s.pending[i]
		var nodes []*cluster.Node
		err := errNoNodeFree
		if len(j.specs) == 0 || s.r.Cluster.NumAvailable() > 0 {
			nodes, err = s.r.Cluster.Alloc(j.specs)
		}
		if err != nil {
			if i == 0 && j.bypassed >= s.maxParallel() {
				return // hold the nodes that free up for the first in line
			}
			if err == errNoNodeFree {
				// Only the jobs that ask for no node (at the end) can
				// start: skip the others rather than try each in vain.
				i = max(i+1, sort.Search(len(s.pending), func(k int) bool { return len(s.pending[k].specs) == 0 }))
				continue
			}
			i++
			continue
		}
		if i > 0 {
			s.pending[0].bypassed++
		}
		s.pending = slices.Delete(s.pending, i, i+1)
		s.start(j, nodes)
	}
}

func (s *scheduler) start(j *job, nodes []*cluster.Node) {
	id, runsDir := j.c.ID(), caseRunsDir(j.c, s.r.NestedResultDirs)
	s.runs[runsDir]++
	index := s.runs[runsDir]
	s.running++
	j.attempt++
	if s.r.Observer != nil {
		s.r.Observer.CaseStarted(id)
	}
	s.launch(j, index, nodes)
}

// NotRunSummary starts the summary of a case that never started because
// the run was cut short (Ctrl-C, --test-runner-timeout): it is reported as
// FAIL, as the Python ducktape does, so that CI counts stay right.
const NotRunSummary = "Test not run"

// reportNotRun records every job still pending after the run was stopped
// or timed out as FAIL "Test not run: <why>", each with a results
// directory of its own. After --exit-first, which is asked for, they are
// left out.
func (s *scheduler) reportNotRun() {
	if len(s.pending) == 0 || context.Cause(s.runCtx) == nil {
		return
	}
	why := NotRunSummary + ": " + cancelCause(s.runCtx)
	for _, j := range s.pending {
		runsDir := caseRunsDir(j.c, s.r.NestedResultDirs)
		s.runs[runsDir]++
		res := &Result{
			TestID: j.c.ID(), ModuleName: j.c.Test.File, FunctionName: j.c.Test.Name,
			InjectedArgs: j.c.Params, Description: j.c.Test.Description, TestStatus: StatusFail, Summary: why,
			ResultsDir: CaseDir(j.c, s.runs[runsDir], s.r.NestedResultDirs),
		}
		if len(j.failures) > 0 {
			res.Summary += "\nearlier attempts:\n" + strings.Join(j.failures, "\n")
		}
		s.r.record(s.r.staticResult(res))
	}
	s.pending = nil
}

// finish records a finished job, or queues its next attempt when it failed
// and --deflake allows more.
func (s *scheduler) finish(f finished) {
	j, res := f.j, f.res
	if res.TestStatus == StatusFail && j.attempt < max(s.r.Deflake, 1) && !s.halted && !j.c.Test.OkToFail {
		j.failures = append(j.failures, fmt.Sprintf("attempt %d (%s): %s", j.attempt, res.ResultsDir, attemptError(res.Summary)))
		j.bypassed = 0
		s.add(j)
		return
	}
	if len(j.failures) > 0 {
		earlier := strings.Join(j.failures, "\n")
		if res.TestStatus == StatusPass {
			res.TestStatus = StatusFlaky
			res.Summary = fmt.Sprintf("passed on attempt %d of %d; earlier attempts failed:\n%s", j.attempt, max(s.r.Deflake, 1), earlier)
		} else {
			res.Summary += fmt.Sprintf("\n\nfailed all %d attempts; earlier attempts:\n%s", j.attempt, earlier)
		}
		s.r.writeCaseReport(res)
	}
	if j.c.Test.OkToFail && okToFailStatus(res) {
		s.r.writeCaseReport(res)
	}
	s.r.record(res)
	if res.TestStatus == StatusFail && s.r.ExitFirst {
		s.halted = true
	}
}

// okToFailStatus turns the result of an ok_to_fail test into OPASS or
// OFAIL and reports whether it changed it (IGNORE stays).
func okToFailStatus(res *Result) bool {
	switch res.TestStatus {
	case StatusFail:
		res.TestStatus = StatusOFail
	case StatusPass, StatusFlaky:
		res.TestStatus = StatusOPass
	default:
		return false
	}
	return true
}

// attemptError condenses a failed attempt's summary for the final one:
// its headline (the error, not "Traceback ...") and, when the summary holds
// a Starlark backtrace, where the error happened (its innermost frame).
func attemptError(summary string) string {
	text := headline(summary)
	if at := innermostFrame(summary); at != "" {
		text += " (at " + at + ")"
	}
	return text
}

// innermostFrame returns the last frame of the first Starlark backtrace in
// s ("file:line:col: in fn"), or "" when there is none.
func innermostFrame(s string) string {
	_, trace, ok := strings.Cut(s, "Traceback (most recent call last):\n")
	if !ok {
		return ""
	}
	last := ""
	for _, line := range strings.Split(trace, "\n") {
		if !strings.HasPrefix(line, " ") {
			break
		}
		last = strings.TrimSpace(line)
	}
	return last
}
