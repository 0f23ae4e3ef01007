package main

import (
	"errors"
	"fmt"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/host"
)

func newMergeCommand(gs *globalState) *cobra.Command {
	var resultsRoot, output string
	cmd := &cobra.Command{
		Use:   "merge [flags] PART...",
		Short: "Combine the sessions of a suite's --subsets parts into one session",
		Long: `merge combines the session directories of a suite run as --subsets K parts,
each with its own --subset i (on several driver machines), into one new session
directory: the tests' results directories (hard-linked, or copied across file
systems), report.json, report.txt, report.xml, report.html (its timeline with one
lane group per part) and rerun-failed.yml, as if one driver had run the suite.

It refuses parts of different suites (each part's report.json records the suite:
the ids of every case its selection had, and K), parts that ran the same subset,
and parts that share a case; it warns when a subset is missing.

Exit status: 0 merged and every test passed, 1 merged and a test failed,
2 bad usage or parts that cannot be merged.`,
		Example: `  ducktape merge driver-0/results/latest driver-1/results/latest driver-2/results/latest
  ducktape merge -o merged/ parts/*/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return mergeSessions(gs, resultsRoot, output, args)
		},
	}
	cmd.Flags().StringVar(&resultsRoot, "results-root", "./results", "make the merged session there, as a run does (next session id, latest points to it)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "make the merged session this new directory instead")
	return cmd
}

func mergeSessions(gs *globalState, resultsRoot, output string, dirs []string) error {
	var parts []*host.Part
	for _, dir := range dirs {
		p, err := host.ReadPart(dir)
		if err != nil {
			return usageErrorf("%v", err)
		}
		parts = append(parts, p)
	}
	suite, warnings, err := host.CheckParts(parts)
	if err != nil {
		return usageErrorf("%v", err)
	}
	var session *host.Session
	if output != "" {
		session, err = host.NewSessionAt(output, gs.now())
		if err != nil {
			return usageErrorf("--output %s: %v", output, err)
		}
	} else if session, err = host.CreateSession(resultsRoot, gs.now()); err != nil {
		return usageErrorf("--results-root %s: %v", resultsRoot, err)
	}
	defer session.Log.Close()
	report, more, err := host.Merge(parts, suite, session)
	if err != nil {
		return fmt.Errorf("merging into %s: %w", session.Dir, err)
	}
	for _, w := range append(warnings, more...) {
		fmt.Fprintf(gs.stderr, "%s %s\n", color.New(color.FgYellow, color.Bold).Sprint("ducktape: warning:"), w)
	}
	newConsole(gs).summary(report, session, len(report.Results))
	if len(report.Failed()) > 0 {
		return &exitError{code: exitTestFailed, err: errors.New("tests failed"), silent: true}
	}
	return nil
}
