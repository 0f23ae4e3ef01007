package main

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/fatih/color"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/starlib"
)

// console is what the user sees of a run: a line per finished test and a
// final summary that lists failures with their ids. It is a host.Observer
// and safe for concurrent use.
type console struct {
	mu     sync.Mutex
	out    io.Writer
	errOut io.Writer
}

func newConsole(gs *globalState) *console {
	return &console{out: gs.stdout, errOut: gs.stderr}
}

var statusColor = map[host.Status]*color.Color{
	host.StatusPass:   color.New(color.FgGreen),
	host.StatusFail:   color.New(color.FgRed, color.Bold),
	host.StatusFlaky:  color.New(color.FgYellow),
	host.StatusIgnore: color.New(color.FgCyan),
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
		c.printf("%s\n", tc.ID())
	}
	c.printf("%d tests\n", len(suite.Cases))
	for _, f := range suite.LoadFailures {
		fmt.Fprintf(c.errOut, "%s could not load %s:\n%s\n", statusColor[host.StatusFail].Sprint("FAIL"), f.File, indentLines(f.Message(), "    ", 0))
	}
	if len(suite.LoadFailures) > 0 {
		return &exitError{code: exitTestFailed, err: fmt.Errorf("%d files failed to load", len(suite.LoadFailures)), silent: true}
	}
	return nil
}

func (c *console) started(s *host.Session, n int, cl *cluster.Cluster) {
	c.printf("ducktape %s: session %s, %d tests on %d nodes\n", host.Version, s.ID, n, cl.Len())
}

func (c *console) CaseStarted(string) {}

func (c *console) CaseFinished(res *host.Result) {
	c.printf("%s %8.3fs  %s\n", statusColor[res.TestStatus].Sprintf("%-6s", res.TestStatus), res.RunTimeSeconds, res.TestID)
}

// summary prints the counts, where the results are, and each failure with
// the first lines of its error.
func (c *console) summary(r *host.Report, s *host.Session) {
	failed := r.Failed()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", strings.Repeat("=", 72))
	counts := fmt.Sprintf("%d passed, %d failed, %d flaky, %d ignored", r.NumPassed, r.NumFailed, r.NumFlaky, r.NumIgnored)
	if len(failed) > 0 {
		counts = statusColor[host.StatusFail].Sprint(counts)
	} else {
		counts = statusColor[host.StatusPass].Sprint(counts)
	}
	fmt.Fprintf(&b, "session %s: %s in %.2f s\n", r.SessionID, counts, r.RunTimeSeconds)
	fmt.Fprintf(&b, "results: %s\n", s.Dir)
	if len(failed) > 0 {
		fmt.Fprintf(&b, "\nFailed:\n")
		for _, res := range failed {
			fmt.Fprintf(&b, "  %s\n%s\n", statusColor[host.StatusFail].Sprint(res.TestID), indentLines(res.Summary, "      ", 15))
		}
	}
	c.printf("%s", b.String())
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
