package services_test

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// run runs the tests of a file (or those the symbol selects, e.g.
// "testdata/file.star::test_x") through host.Runner on cl, as the CLI does, so
// that teardown and log collection happen for real. Each test must pass,
// unless its def is preceded by a line `### "regexp"`: then it must fail
// with a summary matching regexp. It returns the report and the session
// directory.
func run(t testing.TB, cl *cluster.Cluster, symbol string) (*host.Report, string) {
	t.Helper()
	return runWith(t, cl, symbol, nil)
}

// runWith is run with the tests' parameters replaced by params (as
// --parameters does) unless params is nil.
func runWith(t testing.TB, cl *cluster.Cluster, symbol string, params map[string]any) (*host.Report, string) {
	t.Helper()
	file, _, _ := strings.Cut(symbol, "::")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	loader := host.NewLoader(services.Std, starlib.Predeclared())
	suite, err := host.Discover(loader, []string{symbol}, host.DiscoverOptions{Parameters: params})
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
	if err := r.Run(context.Background(), context.Background(), suite); err != nil {
		t.Fatal(err)
	}
	want := expectations(string(src))
	if len(report.Results) == 0 {
		t.Fatalf("%s: no tests ran", symbol)
	}
	for _, res := range report.Results {
		name := res.FunctionName
		switch re, fails := want[name]; {
		case res.FunctionName == "":
			t.Errorf("%s did not load: %s", res.TestID, res.Summary)
		case !fails && res.TestStatus != host.StatusPass:
			t.Errorf("%s: %s, want PASS:\n%s", name, res.TestStatus, res.Summary)
		case fails && res.TestStatus != host.StatusFail:
			t.Errorf("%s: %s, want FAIL matching %q", name, res.TestStatus, re)
		case fails && !re.MatchString(res.Summary):
			t.Errorf("%s: summary does not match %q:\n%s", name, re, res.Summary)
		}
	}
	return report, session.Dir
}

var expectRE = regexp.MustCompile(`(?m)^### "(.*)"\ndef (test_\w+)`)

// expectations maps each test expected to fail to its summary's pattern.
func expectations(src string) map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, m := range expectRE.FindAllStringSubmatch(src, -1) {
		out[m[2]] = regexp.MustCompile("(?s)" + m[1])
	}
	return out
}

// localCluster returns a local cluster of n nodes closed at the end of t.
func localCluster(t testing.TB, n int) *cluster.Cluster {
	cl, err := cluster.NewLocal(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// result returns the result of the test named name.
func result(t *testing.T, rep *host.Report, name string) *host.Result {
	for _, res := range rep.Results {
		if res.FunctionName == name {
			return res
		}
	}
	t.Fatalf("no result for %s", name)
	return nil
}

// assertNoProcesses fails when a process matching pattern runs on a node.
func assertNoProcesses(t *testing.T, cl *cluster.Cluster, pattern string) {
	t.Helper()
	for _, n := range cl.Nodes() {
		pids, err := n.Account.Pids(context.Background(), pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, pid := range pids {
			if alive, _ := n.Account.Alive(context.Background(), pid); alive {
				t.Errorf("%s: process %d (%s) still runs after teardown", n.Name, pid, pattern)
			}
		}
	}
}
