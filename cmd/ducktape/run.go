package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// runOptions are the flags of the root command, which runs tests.
type runOptions struct {
	resultsRoot string
	collectOnly bool
	debug       bool
	noColor     bool
	globals     string
	clusterOptions
}

// clusterOptions are the flags that choose the cluster; the repl shares them.
type clusterOptions struct {
	provider   string
	file       string
	localNodes int
}

func (o *clusterOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.provider, "cluster", "", "cluster provider: local, json or vagrant (default: json with --cluster-file, else local)")
	f.StringVar(&o.file, "cluster-file", "", "ducktape cluster file (JSON) describing SSH nodes")
	f.IntVar(&o.localNodes, "local-nodes", 16, "number of nodes of the local cluster")
}

// open builds the chosen cluster; its errors are configuration errors.
func (o *clusterOptions) open() (*cluster.Cluster, error) {
	c, err := cluster.Open(cluster.Options{Provider: o.provider, File: o.file, LocalNodes: o.localNodes})
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return c, nil
}

func (o *runOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.resultsRoot, "results-root", "./results", "directory that holds the results of every session")
	f.BoolVar(&o.collectOnly, "collect-only", false, "list the tests that would run, run nothing and write nothing")
	f.BoolVar(&o.debug, "debug", false, "also print every test's debug log on standard error")
	f.BoolVar(&o.noColor, "no-color", false, "never colour the output (it is coloured only on a terminal anyway)")
	f.StringVar(&o.globals, "globals", "", "ctx.globals of every test: a JSON object, or a file that holds one")
	o.clusterOptions.addFlags(cmd)
}

func runTests(gs *globalState, opts *runOptions, args []string) error {
	globals, err := parseGlobals(opts.globals)
	if err != nil {
		return err
	}
	loader := host.NewLoader(services.Std, starlib.Predeclared())
	suite, err := host.Discover(loader, args, host.DiscoverOptions{SkipDirs: []string{opts.resultsRoot}})
	var usage *host.UsageError
	if errors.As(err, &usage) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	con := newConsole(gs)
	if opts.collectOnly {
		return con.collected(suite)
	}

	cl, err := opts.open()
	if err != nil {
		return err
	}
	defer cl.Close()
	session, err := host.CreateSession(opts.resultsRoot, gs.now())
	if err != nil {
		return usageErrorf("--results-root %s: %v", opts.resultsRoot, err)
	}
	defer session.Log.Close()
	report := host.NewReport(host.Version, session.ID, session.Dir, session.Start)
	runner := &host.Runner{Cluster: cl, Session: session, Report: report, Globals: globals, Observer: con}
	if opts.debug {
		runner.Echo = con.debugLogger()
	}
	con.started(session, len(suite.Cases)+len(suite.LoadFailures), cl)
	if err := runner.Run(gs.ctx, suite); err != nil {
		return err
	}
	con.summary(report, session)
	if len(report.Failed()) > 0 {
		return &exitError{code: exitTestFailed, err: errors.New("tests failed"), silent: true}
	}
	if gs.ctx.Err() != nil {
		return &exitError{code: exitTestFailed, err: errors.New("interrupted")}
	}
	return nil
}

// parseGlobals reads --globals: a JSON object, or the path of a file that
// holds one. The result is frozen; without the flag it is an empty dict.
func parseGlobals(arg string) (starlark.Value, error) {
	if arg == "" {
		d := starlark.NewDict(0)
		d.Freeze()
		return d, nil
	}
	text := []byte(arg)
	if !strings.HasPrefix(strings.TrimSpace(arg), "{") {
		data, err := os.ReadFile(arg)
		if err != nil {
			return nil, usageErrorf("--globals: %q is neither a JSON object nor a readable file: %v", arg, err)
		}
		text = data
	}
	var obj map[string]any
	if err := json.Unmarshal(text, &obj); err != nil || obj == nil {
		return nil, usageErrorf("--globals: want a JSON object: %v", orNotObject(err))
	}
	v, err := starlib.FromJSON(text)
	if err != nil {
		return nil, usageErrorf("--globals: %v", err)
	}
	return v, nil
}

func orNotObject(err error) error {
	if err == nil {
		return fmt.Errorf("got null")
	}
	return err
}
