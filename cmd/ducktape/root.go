package main

import (
	"fmt"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/host"
)

// execute runs the CLI and returns the process exit status.
func execute(gs *globalState) int {
	root := newRootCommand(gs)
	args, err := withConfigArgs(gs, gs.args)
	if err != nil {
		fmt.Fprintf(gs.stderr, "%s %v\n", color.New(color.FgRed, color.Bold).Sprint("ducktape:"), err)
		return exitCode(err)
	}
	root.SetArgs(args)
	root.SetIn(gs.stdin)
	root.SetOut(gs.stdout)
	root.SetErr(gs.stderr)
	err = root.ExecuteContext(gs.ctx)
	if e, ok := err.(*exitError); !ok || !e.silent {
		if err != nil {
			fmt.Fprintf(gs.stderr, "%s %v\n", color.New(color.FgRed, color.Bold).Sprint("ducktape:"), err)
		}
	}
	return exitCode(err)
}

func newRootCommand(gs *globalState) *cobra.Command {
	opts := &runOptions{}
	root := &cobra.Command{
		Use:   "ducktape [flags] [SYMBOL...]",
		Short: "Run system integration and performance tests written in Starlark",
		Long: `ducktape runs tests written in Starlark against a cluster of nodes: this machine
(the default, --cluster local), SSH hosts from a cluster file, Vagrant boxes, or
containers of a Docker Engine (--cluster docker: a multi-host cluster on one machine).

A SYMBOL selects tests: a directory (searched for test_*.star and *_test.star),
a file, or a glob, optionally followed by ::test_name and @{"param": value}.
Every test id in a report is such a symbol. Default: the current directory.

Exit status: 0 all tests passed, 1 a test failed or a file failed to load,
2 bad usage or configuration.`,
		Example: `  ducktape examples/
  ducktape examples/hello/test_hello.star::test_round_trip
  ducktape --cluster-file cluster.json tests/
  ducktape --cluster docker --docker-nodes 8 examples/`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTests(gs, opts, args)
		},
	}
	opts.addFlags(root)
	// --version, as the Python ducktape has it; cobra prints the template.
	root.Version = host.Version
	root.SetVersionTemplate(versionLine())
	root.Flags().Bool("version", false, "print ducktape's version and exit")
	root.PersistentPreRun = func(cmd *cobra.Command, args []string) {
		color.NoColor = opts.noColor || !gs.stdoutTTY
	}
	root.AddCommand(newVersionCommand(gs))
	root.AddCommand(newReplCommand(gs))
	root.AddCommand(newDockerCommand(gs))
	root.AddCommand(newKubeCommand(gs))
	root.AddCommand(newCompareCommand(gs))
	root.AddCommand(newMergeCommand(gs))
	root.AddCommand(newCheckCommand(gs))
	root.AddCommand(newTrendsCommand(gs))
	root.AddCommand(newServeCommand(gs))
	root.AddCommand(newLazyfsCommand(gs))
	return root
}
