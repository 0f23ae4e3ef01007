// Package hosttest runs Starlark test files through host.Runner, as the CLI
// does (discovery, a session under a temporary results root, teardown, log
// collection, reports), for the tests of the packages that provide
// builtins, services and faults.
//
// Expected failures are written in the test file itself, in the style of
// go.starlark.net's test data: a line `### "regexp"` right before a
// `def test_x` says that test_x must FAIL with a summary matching regexp;
// every other test must PASS (see starlib/startest).
package hosttest

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
	"github.com/ducktape-go/ducktape/starlib/startest"
)

// Options tune Run.
type Options struct {
	// Parameters, if not nil, replace the marks' cases (as --parameters).
	Parameters map[string]any
	// Configure, if not nil, sets Runner fields (MaxParallel, TestTimeout...)
	// before the run.
	Configure func(*host.Runner)
}

// Run discovers symbols and runs them on cl in a new session. It returns
// the report and the session directory; discovery errors fail t.
func Run(t testing.TB, cl *cluster.Cluster, symbols []string, opts Options) (*host.Report, string) {
	t.Helper()
	loader := host.NewLoader(services.Std, starlib.Predeclared())
	suite, err := host.Discover(loader, symbols, host.DiscoverOptions{Parameters: opts.Parameters})
	if err != nil {
		t.Fatal(err)
	}
	session, err := host.CreateSession(t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { session.Log.Close() })
	report := host.NewReport(host.Version, session.ID, session.Dir, session.Start)
	r := &host.Runner{Cluster: cl, Session: session, Report: report, Globals: starlark.NewDict(0)}
	if opts.Configure != nil {
		opts.Configure(r)
	}
	if err := r.Run(context.Background(), context.Background(), suite); err != nil {
		t.Fatal(err)
	}
	return report, session.Dir
}

// RunFile runs the tests that symbol ("file.star" or "file.star::test_x")
// selects and checks each outcome against the file's expectations (see
// the package doc). It returns the report and the session directory.
func RunFile(t testing.TB, cl *cluster.Cluster, symbol string, opts Options) (*host.Report, string) {
	t.Helper()
	file, _, _ := strings.Cut(symbol, "::")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	report, dir := Run(t, cl, []string{symbol}, opts)
	if len(report.Results) == 0 {
		t.Fatalf("%s: no tests ran", symbol)
	}
	want := startest.Expectations(string(src))
	for _, res := range report.Results {
		name := res.FunctionName
		switch re, fails := want[name]; {
		case name == "":
			t.Errorf("%s did not load: %s", res.TestID, res.Summary)
		case !fails && res.TestStatus != host.StatusPass:
			t.Errorf("%s: %s, want PASS:\n%s", res.TestID, res.TestStatus, res.Summary)
		case fails && res.TestStatus != host.StatusFail:
			t.Errorf("%s: %s, want FAIL matching %q", res.TestID, res.TestStatus, re)
		case fails && !re.MatchString(res.Summary):
			t.Errorf("%s: summary does not match %q:\n%s", res.TestID, re, res.Summary)
		}
	}
	return report, dir
}

// TestNames returns the names of the test functions that discovery finds
// in file, in file order, so that a Go test can run each on its own
// without a list of names that a new test would be missing from.
func TestNames(t testing.TB, file string) []string {
	t.Helper()
	suite, err := host.Discover(host.NewLoader(services.Std, starlib.Predeclared()), []string{file}, host.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(suite.LoadFailures) > 0 {
		t.Fatalf("%s: %s", file, suite.LoadFailures[0].Message())
	}
	var names []string
	for _, c := range suite.Cases {
		if !slices.Contains(names, c.Test.Name) {
			names = append(names, c.Test.Name)
		}
	}
	return names
}

// Result returns the result of the test function named name.
func Result(t testing.TB, rep *host.Report, name string) *host.Result {
	t.Helper()
	for _, res := range rep.Results {
		if res.FunctionName == name {
			return res
		}
	}
	t.Fatalf("no result for %s", name)
	return nil
}

// LocalCluster returns a local cluster of n nodes, closed when t ends.
func LocalCluster(t testing.TB, n int) *cluster.Cluster {
	t.Helper()
	cl, err := cluster.NewLocal(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}
