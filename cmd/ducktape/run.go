package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

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
	store       string // record the session in this results store ("": none)
	collectOnly bool
	debug       bool
	noColor     bool
	globals     string
	configFile  string // read by withConfigArgs before parsing
	exclude     []string
	parameters  string
	sample      int
	subsets     int
	subset      int
	historical  string

	collectNumNodes  bool
	nestedResultDirs bool
	ignoreNodeType   bool
	compress         bool

	maxParallel               int
	repeat                    int
	deflake                   int
	exitFirst                 bool
	noTeardown                bool
	failGreedyTests           bool
	failBadClusterUtilization bool
	testTimeout               time.Duration
	runnerTimeout             string
	clusterOptions
}

// clusterOptions are the flags that choose the cluster; the repl shares them.
type clusterOptions struct {
	provider   string
	file       string
	localNodes int
	docker     dockerFlags
	kube       kubeFlags
}

func (o *clusterOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.provider, "cluster", "", "cluster provider: local, json, vagrant, docker or kubernetes (default: json with --cluster-file, else local)")
	f.StringVar(&o.file, "cluster-file", "", "ducktape cluster file (JSON) describing SSH nodes")
	f.IntVar(&o.localNodes, "local-nodes", 16, "number of nodes of the local cluster")
	o.docker.addFlags(cmd)
	o.kube.addFlags(cmd)
}

// open builds the chosen cluster; its errors are configuration errors.
func (o *clusterOptions) open(gs *globalState) (*cluster.Cluster, error) {
	var c *cluster.Cluster
	var err error
	switch o.provider {
	case "docker":
		c, err = o.docker.open(gs)
	case "kubernetes":
		c, err = o.kube.open(gs)
	default:
		c, err = cluster.Open(cluster.Options{Provider: o.provider, File: o.file, LocalNodes: o.localNodes})
	}
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return c, nil
}

func (o *runOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.resultsRoot, "results-root", "./results", "directory that holds the results of every session")
	f.StringVar(&o.store, "store", "", "record the session in this results store when it ends: a SQLite file, or postgres://user:password@host/db (see ducktape trends)")
	f.BoolVar(&o.collectOnly, "collect-only", false, "list the tests that would run, run nothing and write nothing")
	f.BoolVar(&o.debug, "debug", false, "also print every test's debug log on standard error")
	f.BoolVar(&o.noColor, "no-color", false, "never colour the output (it is coloured only on a terminal anyway)")
	f.StringVar(&o.globals, "globals", "", "ctx.globals of every test: a JSON object, or a file that holds one")
	f.StringVar(&o.configFile, "config-file", "", "file of default arguments, instead of ~/.ducktape/config (.ducktape/config is read first)")
	f.Var(symbolList{&o.exclude}, "exclude", "test symbols to leave out (repeatable, or comma-separated)")
	f.StringVar(&o.parameters, "parameters", "", "JSON object of parameters: every selected test runs once with exactly these, instead of its marks' cases")
	f.IntVar(&o.sample, "sample", 0, "run only this many cases, chosen at random")
	f.IntVar(&o.subsets, "subsets", 1, "split the cases into this many contiguous parts...")
	f.IntVar(&o.subset, "subset", 0, "...and run only this part (0-based)")
	f.StringVar(&o.historical, "historical-report", "", "report.json (or session directory) of an earlier run: --subsets balances the parts by its run times")
	f.BoolVar(&o.collectNumNodes, "collect-num-nodes", false, "print how many nodes the selected tests ask for in all, run nothing and write nothing")
	f.BoolVar(&o.nestedResultDirs, "nested-result-dirs", false, "one results directory level per parameter (k=v/k2=v2/) instead of one for all (k=v.k2=v2/)")
	f.BoolVar(&o.compress, "compress", false, "pack each collected log as a .tgz on its node before copying it")
	f.BoolVar(&o.ignoreNodeType, "ignore-node-type", false, "allocate any node where a cluster(...) mark asks for a node_type")
	f.IntVar(&o.maxParallel, "max-parallel", 1, "run up to this many tests at once, on disjoint nodes")
	f.IntVar(&o.repeat, "repeat", 1, "run every case this many times")
	f.IntVar(&o.deflake, "deflake", 1, "give a failing case up to this many attempts; a later pass is FLAKY")
	f.BoolVar(&o.exitFirst, "exit-first", false, "start no more tests after the first failure")
	f.BoolVar(&o.noTeardown, "no-teardown", false, "leave services running (logs are still collected, nodes freed)")
	f.BoolVar(&o.failGreedyTests, "fail-greedy-tests", false, "fail tests without a cluster(...) mark instead of giving them the whole cluster")
	f.BoolVar(&o.failBadClusterUtilization, "fail-bad-cluster-utilization", false, "fail tests whose services used fewer nodes than the test was given")
	f.DurationVar(&o.testTimeout, "test-timeout", 0, "timeout of tests without a timeout(...) mark, e.g. 10m (default none)")
	f.StringVar(&o.runnerTimeout, "test-runner-timeout", "", "stop the run when no test has finished for this long, e.g. 30m, or milliseconds as in the Python ducktape (default none)")
	o.clusterOptions.addFlags(cmd)
}

// check validates the flags that cobra cannot.
func (o *runOptions) check() (runnerTimeout time.Duration, err error) {
	for name, v := range map[string]int{"--max-parallel": o.maxParallel, "--repeat": o.repeat, "--deflake": o.deflake, "--subsets": o.subsets} {
		if v < 1 {
			return 0, usageErrorf("%s must be at least 1, not %d", name, v)
		}
	}
	if o.sample < 0 {
		return 0, usageErrorf("--sample must not be negative")
	}
	if o.testTimeout < 0 {
		return 0, usageErrorf("--test-timeout must not be negative")
	}
	if o.runnerTimeout != "" {
		if ms, err := strconv.Atoi(o.runnerTimeout); err == nil {
			return time.Duration(ms) * time.Millisecond, nil
		}
		if runnerTimeout, err = time.ParseDuration(o.runnerTimeout); err != nil || runnerTimeout < 0 {
			return 0, usageErrorf("--test-runner-timeout: want a duration such as 30m or a number of milliseconds, not %q", o.runnerTimeout)
		}
	}
	return runnerTimeout, nil
}

// selectCases applies --subsets/--subset (balanced by --historical-report
// when given) and --sample. It returns the identity of the whole selection
// and the part run, for report.json (ducktape merge).
func (o *runOptions) selectCases(suite *host.Suite) (*host.SuiteInfo, error) {
	info := host.NewSuiteInfo(suite.Cases, o.subsets, o.subset)
	var cases []*host.Case
	var err error
	if o.historical != "" {
		times, terr := host.ReadRunTimes(o.historical)
		if terr != nil {
			return nil, usageErrorf("--historical-report: %v", terr)
		}
		cases, err = host.BalancedSubset(suite.Cases, o.subsets, o.subset, times)
	} else {
		cases, err = host.Subset(suite.Cases, o.subsets, o.subset)
	}
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if len(cases) == 0 && len(suite.LoadFailures) == 0 {
		return nil, usageErrorf("no tests selected: --subset %d of --subsets %d is empty, the selection has only %d cases", o.subset, o.subsets, len(suite.Cases))
	}
	if o.sample > 0 {
		cases = host.Sample(cases, o.sample, rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())))
	}
	suite.Cases = cases
	return info, nil
}

// parseParameters reads --parameters: nil without it.
func parseParameters(arg string) (map[string]any, error) {
	if arg == "" {
		return nil, nil
	}
	return decodeObject([]byte(arg), "--parameters", `{"acks": 1}`)
}

func runTests(gs *globalState, opts *runOptions, args []string) error {
	runnerTimeout, err := opts.check()
	if err != nil {
		return err
	}
	globals, err := parseGlobals(opts.globals)
	if err != nil {
		return err
	}
	parameters, err := parseParameters(opts.parameters)
	if err != nil {
		return err
	}
	loader := host.NewLoader(services.Std, starlib.Predeclared())
	suite, err := host.Discover(loader, args, host.DiscoverOptions{
		SkipDirs:   []string{opts.resultsRoot},
		Exclude:    opts.exclude,
		Parameters: parameters,
		Getenv:     gs.getenv,
	})
	var usage *host.UsageError
	if errors.As(err, &usage) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	suiteInfo, err := opts.selectCases(suite)
	if err != nil {
		return err
	}
	con := newConsole(gs)
	if opts.collectOnly {
		return con.collected(suite)
	}
	if opts.collectNumNodes {
		return con.numNodes(suite)
	}

	cl, err := opts.open(gs)
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
	report.SetPartition(host.Partition{Suite: suiteInfo})
	runner := &host.Runner{
		Cluster: cl, Session: session, Report: report, Globals: globals, Observer: con,
		MaxParallel: opts.maxParallel, Repeat: opts.repeat, Deflake: opts.deflake,
		ExitFirst: opts.exitFirst, NoTeardown: opts.noTeardown,
		FailGreedyTests: opts.failGreedyTests, FailBadClusterUtilization: opts.failBadClusterUtilization,
		TestTimeout: opts.testTimeout, RunnerTimeout: runnerTimeout,
		NestedResultDirs: opts.nestedResultDirs, IgnoreNodeType: opts.ignoreNodeType, Compress: opts.compress,
	}
	if opts.debug {
		runner.Echo = con.debugLogger()
	}
	total := len(suite.Cases)*opts.repeat + len(suite.LoadFailures)
	con.started(session, total, cl)
	stop, abort := gs.runContexts()
	reportErr := runner.Run(stop, abort, suite)
	con.finished()
	con.summary(report, session, total)
	if reportErr != nil {
		// The session ran, but its reports are incomplete (a full disk).
		return &exitError{code: exitTestFailed, err: fmt.Errorf("the session's reports are incomplete: %w", reportErr)}
	}
	if opts.store != "" {
		if err := recordSession(gs, storeOptions{store: opts.store, resultsRoot: opts.resultsRoot}, session.Dir); err != nil {
			return err
		}
	}
	if len(report.Failed()) > 0 {
		return &exitError{code: exitTestFailed, err: errors.New("tests failed"), silent: true}
	}
	if stop.Err() != nil {
		return &exitError{code: exitTestFailed, err: context.Cause(stop)}
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
	text, source := []byte(arg), "--globals"
	if !strings.HasPrefix(strings.TrimSpace(arg), "{") {
		data, err := os.ReadFile(arg)
		if err != nil {
			return nil, usageErrorf("--globals: %q is neither a JSON object nor a readable file: %v", arg, err)
		}
		text, source = data, "--globals file "+arg
	}
	if _, err := decodeObject(text, source, `{"broker": "3.7"}`); err != nil {
		return nil, err
	}
	globals, err := starlib.FromJSON(text)
	if err != nil {
		return nil, usageErrorf("%s: %v", source, err)
	}
	return globals, nil
}

// jsonKind names the kind of a decoded JSON value, as a user would.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// decodeObject decodes text as a JSON object (numbers as json.Number);
// anything else is a usage error that names source and says what it got.
func decodeObject(text []byte, source, example string) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, usageErrorf("%s: not valid JSON: %v", source, err)
	}
	if d.More() {
		return nil, usageErrorf("%s: not valid JSON: more text after the first value", source)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, usageErrorf("%s: want a JSON object such as %s, not %s", source, example, jsonKind(v))
	}
	return obj, nil
}
