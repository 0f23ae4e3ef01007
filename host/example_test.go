package host_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// greetTest is the test file of the examples: one test, two cases.
const greetTest = `
def test_greet(ctx, who = "world"):
    out = ctx.cluster[0].account.ssh_output("echo hello " + who)
    return {"greeting": out.strip()}

cluster(test_greet, num_nodes = 1)
matrix(test_greet, who = ["ducks", "geese"])
`

// exampleDir returns a new directory holding test_greet.star.
func exampleDir() string {
	dir, err := os.MkdirTemp("", "ducktape-example")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "test_greet.star"), []byte(greetTest), 0o644); err != nil {
		log.Fatal(err)
	}
	return dir
}

// Embedding ducktape in a Go program: load a directory of test files, run
// its cases with host.Runner on a local cluster, as the ducktape command
// does, and read the results.
func Example() {
	dir := exampleDir()
	defer os.RemoveAll(dir)

	cl, err := cluster.NewLocal(2)
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	loader := host.NewLoader(services.Std, starlib.Predeclared())
	suite, err := host.Discover(loader, []string{dir}, host.DiscoverOptions{})
	if err != nil {
		log.Fatal(err)
	}
	session, err := host.CreateSession(filepath.Join(dir, "results"), time.Now())
	if err != nil {
		log.Fatal(err)
	}
	defer session.Log.Close()
	report := host.NewReport(host.Version, session.ID, session.Dir, session.Start)
	runner := &host.Runner{Cluster: cl, Session: session, Report: report, Globals: starlark.NewDict(0)}
	if err := runner.Run(context.Background(), context.Background(), suite); err != nil {
		log.Fatal(err)
	}
	// Run has returned, so the report's results may be read.
	for _, res := range report.Results {
		fmt.Println(res.TestStatus, res.FunctionName, res.InjectedArgs["who"], string(res.Data))
	}
	fmt.Println("passed:", report.NumPassed, "failed:", report.NumFailed)
	// Output:
	// PASS test_greet ducks {"greeting":"hello ducks"}
	// PASS test_greet geese {"greeting":"hello geese"}
	// passed: 2 failed: 0
}

// Selecting cases by symbol, as on the command line: a file, a test and one
// case's parameters.
func ExampleDiscover() {
	dir := exampleDir()
	defer os.RemoveAll(dir)

	loader := host.NewLoader(services.Std, starlib.Predeclared())
	symbol := filepath.Join(dir, "test_greet.star") + `::test_greet@{"who": "geese"}`
	suite, err := host.Discover(loader, []string{symbol}, host.DiscoverOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range suite.Cases {
		fmt.Println(c.Test.Name, c.Params)
	}
	// Output:
	// test_greet map[who:geese]
}
