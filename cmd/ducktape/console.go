package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fatih/color"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/starlib"
)

// console is what the user sees of a run: a line per finished test, on a
// terminal a live progress line below them, and a final summary that lists
// failures with their ids. It is a host.Observer and safe for concurrent use.
type console struct {
	mu     sync.Mutex
	out    io.Writer
	errOut io.Writer
	live   bool // redraw a progress line (stdout is a terminal)
	now    func() time.Time

	start    time.Time
	total    int
	done     int
	failed   int
	running  []string // ids of running tests, in start order
	drawn    bool     // a progress line is on screen
	stopTick chan struct{}
}

func newConsole(gs *globalState) *console {
	return &console{out: gs.stdout, errOut: gs.stderr, live: gs.stdoutTTY, now: gs.now}
}

var statusColor = map[host.Status]*color.Color{
	host.StatusPass:   color.New(color.FgGreen),
	host.StatusFail:   color.New(color.FgRed, color.Bold),
	host.StatusFlaky:  color.New(color.FgYellow),
	host.StatusIgnore: color.New(color.FgCyan),
	host.StatusOPass:  color.New(color.FgGreen),
	host.StatusOFail:  color.New(color.FgYellow),
}

func (c *console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, args...)
}

// collected prints what --collect-only found. Files that failed to load
// are listed on stderr and make the exit status 1.
func (c *console) collected(suite *host.Suite) error {
	for _, tc := range suite.Cases {
		needs := "whole cluster"
		if specs := tc.Test.Nodes; specs != nil {
			needs = describeNeeds(specs)
		}
		if tc.Ignored != "" {
			needs = tc.Ignored
		}
		c.printf("%s  (%s)\n", tc.ID(), needs)
	}
	c.printf("%d tests\n", len(suite.Cases))
	return c.loadFailures(suite)
}

// loadFailures lists on stderr the files that failed to load, for the
// modes that run nothing; they make the exit status 1.
func (c *console) loadFailures(suite *host.Suite) error {
	for _, f := range suite.LoadFailures {
		fmt.Fprintf(c.errOut, "%s could not load %s:\n%s\n", statusColor[host.StatusFail].Sprint("FAIL"), f.File, indentLines(f.Message(), "    ", 0))
	}
	if len(suite.LoadFailures) > 0 {
		return &exitError{code: exitTestFailed, err: fmt.Errorf("%d files failed to load", len(suite.LoadFailures)), silent: true}
	}
	return nil
}

// numNodes prints what --collect-num-nodes asks: the sum of the nodes the
// selected cases ask for, as the Python ducktape does. Ignored cases ask
// for none; cases without a cluster(...) mark, which take the whole
// cluster, are counted as none too and named on stderr.
func (c *console) numNodes(suite *host.Suite) error {
	total, greedy := 0, 0
	for _, tc := range suite.Cases {
		switch {
		case tc.Ignored != "":
		case tc.Test.Nodes == nil:
			greedy++
		default:
			total += len(tc.Test.Nodes)
		}
	}
	c.printf("%d\n", total)
	if greedy > 0 {
		fmt.Fprintf(c.errOut, "%d cases have no cluster(...) mark: each takes the whole cluster (not counted)\n", greedy)
	}
	return c.loadFailures(suite)
}

func (c *console) started(s *host.Session, total int, cl *cluster.Cluster) {
	c.printf("ducktape %s: session %s, %d tests on %d nodes\n", host.Version, s.ID, total, cl.Len())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.start, c.total = c.now(), total
	if c.live {
		c.stopTick = make(chan struct{})
		go c.tick(c.stopTick)
	}
}

// tick redraws the progress line every half second, for the elapsed time.
func (c *console) tick(stop chan struct{}) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			c.mu.Lock()
			c.drawLocked()
			c.mu.Unlock()
		case <-stop:
			return
		}
	}
}

// finished stops the progress line.
func (c *console) finished() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopTick != nil {
		close(c.stopTick)
		c.stopTick = nil
	}
	c.clearLocked()
}

func (c *console) CaseStarted(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.running = append(c.running, id)
	c.drawLocked()
}

func (c *console) CaseFinished(res *host.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
	fmt.Fprintf(c.out, "%s %8.3fs  %s\n", statusColor[res.TestStatus].Sprintf("%-6s", res.TestStatus), res.RunTimeSeconds, res.TestID)
	if i := slices.Index(c.running, res.TestID); i >= 0 {
		c.running = slices.Delete(c.running, i, i+1)
	}
	c.done++
	if res.TestStatus == host.StatusFail {
		c.failed++
	}
	c.drawLocked()
}

// drawLocked rewrites the progress line:
// "[12/200 done, 2 running, 1 failed, 0:07] path::test_a, path::test_b".
func (c *console) drawLocked() {
	if !c.live || c.stopTick == nil {
		return
	}
	elapsed := c.now().Sub(c.start).Round(time.Second)
	line := fmt.Sprintf("[%d/%d done, %d running, %d failed, %d:%02d] %s", c.done, c.total, len(c.running),
		c.failed, int(elapsed.Minutes()), int(elapsed.Seconds())%60, strings.Join(c.running, ", "))
	if len(line) > 160 {
		line = line[:157] + "..."
	}
	fmt.Fprintf(c.out, "\r\x1b[K%s", line)
	c.drawn = true
}

func (c *console) clearLocked() {
	if c.drawn {
		fmt.Fprint(c.out, "\r\x1b[K")
		c.drawn = false
	}
}

// summary prints the counts, where the results are, how many tests did not
// run (after an interruption or --exit-first), and each failure with the
// first lines of its error.
func (c *console) summary(r *host.Report, s *host.Session, total int) {
	failed := r.Failed()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", strings.Repeat("=", 72))
	counts := fmt.Sprintf("%d passed, %d failed, %d flaky, %d ignored", r.NumPassed, r.NumFailed, r.NumFlaky, r.NumIgnored)
	if r.NumOPassed+r.NumOFailed > 0 {
		counts += fmt.Sprintf(", %d opassed, %d ofailed (ok_to_fail)", r.NumOPassed, r.NumOFailed)
	}
	if len(failed) > 0 {
		counts = statusColor[host.StatusFail].Sprint(counts)
	} else {
		counts = statusColor[host.StatusPass].Sprint(counts)
	}
	fmt.Fprintf(&b, "session %s: %s in %.2f s\n", r.SessionID, counts, r.RunTimeSeconds)
	fmt.Fprintf(&b, "results: %s\n", s.Dir)
	notRun := total - len(r.Results) // left out after --exit-first
	for _, res := range r.Results {
		if strings.HasPrefix(res.Summary, host.NotRunSummary) {
			notRun++ // reported as FAIL "Test not run"
		}
	}
	if notRun > 0 {
		fmt.Fprintf(&b, "%d tests did not run (interrupted, --exit-first or --test-runner-timeout)\n", notRun)
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, "\nFailed:\n")
		for _, res := range failed {
			fmt.Fprintf(&b, "  %s\n%s\n", statusColor[host.StatusFail].Sprint(res.TestID), indentLines(res.Summary, "      ", 15))
		}
	}
	c.printf("%s", b.String())
}

// describeNeeds says what a test asks of the cluster: "3 nodes", or
// "2 nodes: node_type=large, any".
func describeNeeds(specs []cluster.NodeSpec) string {
	typed := false
	parts := make([]string, len(specs))
	for i, s := range specs {
		parts[i] = s.String()
		typed = typed || s != (cluster.NodeSpec{})
	}
	n := fmt.Sprintf("%d node", len(specs))
	if len(specs) != 1 {
		n += "s"
	}
	if !typed {
		return n
	}
	return n + ": " + strings.Join(parts, ", ")
}

// debugLogger echoes test log records on stderr (--debug).
func (c *console) debugLogger() starlib.Logger { return debugEcho{c} }

type debugEcho struct{ c *console }

func (d debugEcho) Log(r starlib.Record) {
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	fmt.Fprintf(d.c.errOut, "[%-7s %s %s] %s\n", r.Level, r.Time.Format("15:04:05.000"), r.Pos, r.Msg)
}

// indentLines indents text; with max > 0 it keeps the first max lines and
// says how many more there are.
func indentLines(text, prefix string, max int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	more := 0
	if max > 0 && len(lines) > max {
		lines, more = lines[:max], len(lines)-max
	}
	for i, l := range lines {
		lines[i] = prefix + l
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("%s... %d more lines in the test log", prefix, more))
	}
	return strings.Join(lines, "\n")
}
