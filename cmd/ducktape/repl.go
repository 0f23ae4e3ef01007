package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/repl"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// replOptions are the flags of `ducktape repl`.
type replOptions struct {
	clusterOptions
	nodes int
}

func newReplCommand(gs *globalState) *cobra.Command {
	opts := &replOptions{}
	cmd := &cobra.Command{
		Use:   "repl [flags] [FILE.star]",
		Short: "Open an interactive Starlark prompt over the cluster's nodes",
		Long: `repl allocates nodes of the cluster (all of them, or --nodes N) and opens a
Starlark prompt where nodes, cluster, ctx, sh(cmd), help(x), exit() and every builtin
of tests are defined, and load() resolves against the current directory.
FILE.star, if given, runs first and its globals become the session's.

On a terminal: line editing, history in ~/.ducktape/repl_history, Tab
completion, Ctrl-C cancels the running command, Ctrl-D or exit() leaves.
Otherwise statements are read from standard input and the exit status is 1
if any of them failed. Leaving stops the services created with ctx (their
logs are collected into a temporary directory it names) and frees the nodes.
See docs/repl.md.`,
		Example: `  ducktape repl
  ducktape repl --nodes 3 services.star
  echo 'sh("uname -a")' | ducktape repl --cluster-file cluster.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRepl(gs, opts, args)
		},
	}
	opts.clusterOptions.addFlags(cmd)
	cmd.Flags().IntVar(&opts.nodes, "nodes", 0, "number of nodes to allocate (default: all of the cluster's)")
	return cmd
}

func runRepl(gs *globalState, opts *replOptions, args []string) error {
	if opts.nodes < 0 {
		return usageErrorf("--nodes must not be negative, not %d", opts.nodes)
	}
	cl, err := opts.open(gs)
	if err != nil {
		return err
	}
	defer cl.Close()
	n := opts.nodes
	if n == 0 {
		n = cl.Len()
	}
	nodes, err := cl.Alloc(cluster.AnyNodes(n))
	if err != nil {
		return usageErrorf("--nodes %d: %v", n, err)
	}
	defer cl.Free(nodes)

	// The repl handles signals itself: Ctrl-C cancels one command, not the
	// session, so gs.ctx (cancelled by the first one) is not its parent.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)
	// ctx.results_dir: where the logs of the session's services are
	// collected when it ends; removed if nothing was collected.
	resultsDir, err := os.MkdirTemp("", "ducktape-repl-")
	if err != nil {
		return err
	}
	defer os.Remove(resultsDir)
	var file, history string
	if len(args) == 1 {
		file = args[0]
	}
	if home := gs.getenv("HOME"); home != "" {
		history = filepath.Join(home, ".ducktape", "repl_history")
	}
	err = repl.Run(context.WithoutCancel(gs.ctx), repl.Options{
		Config: repl.Config{
			Nodes:      nodes,
			Loader:     host.NewLoader(services.Std, starlib.Predeclared()),
			ResultsDir: resultsDir,
			Out:        gs.stdout,
			Err:        gs.stderr,
		},
		File:        file,
		In:          gs.stdin,
		Terminal:    gs.stdinTTY && gs.stdoutTTY,
		HistoryFile: history,
		Signals:     signals,
	})
	var pathErr *fs.PathError
	switch {
	case errors.As(err, &pathErr):
		return usageErrorf("%v", err)
	case errors.Is(err, repl.ErrInputFailed):
		return &exitError{code: exitTestFailed, err: err, silent: true}
	case err != nil:
		return &exitError{code: exitTestFailed, err: err}
	}
	return nil
}
