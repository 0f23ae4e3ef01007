package main

import (
	"errors"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/host/compare"
)

func newCompareCommand(gs *globalState) *cobra.Command {
	var tolerance, format string
	var keys []string
	cmd := &cobra.Command{
		Use:   "compare OLD NEW",
		Short: "Put the performance data of two sessions side by side",
		Long: `compare reads two sessions' results (their directories, such as results/latest,
or their report.json files), matches tests by id and prints every numeric value of
each test's data (series summaries included) with its change.

A value regressed when it moved the wrong way by more than --tolerance: keys
ending in _ms, _us or _ns or containing "latency" should go down, keys ending in
_per_sec or containing "throughput" should go up, and a threshold on a key
("latency_ms.p99 < 50") says which way it should go. Other values only show
their change. Tests in one session only are listed, not compared.

Exit status: 0 nothing regressed, 1 something regressed, 2 bad usage or a
session that cannot be read.`,
		Example: `  ducktape compare results/2026-12-01--001 results/latest
  ducktape compare --tolerance 5% --format markdown old/report.json new/report.json
  ducktape compare --keys '*.p50,*.mean' results/2026-12-01--001 results/latest`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			tol, err := compare.ParseTolerance(tolerance)
			if err != nil {
				return usageErrorf("--tolerance: %v", err)
			}
			if err := compare.CheckKeys(keys); err != nil {
				return usageErrorf("--keys: %v", err)
			}
			if !slices.Contains(compare.Formats, format) {
				return usageErrorf("--format %q: want one of %s", format, strings.Join(compare.Formats, ", "))
			}
			old, err := compare.Load(args[0])
			if err != nil {
				return usageErrorf("%v", err)
			}
			new, err := compare.Load(args[1])
			if err != nil {
				return usageErrorf("%v", err)
			}
			c := compare.Compare(old, new, compare.Options{Tolerance: tol, Keys: keys})
			if err := c.Write(gs.stdout, format); err != nil {
				return err
			}
			if c.Regressions > 0 {
				return &exitError{code: exitTestFailed, err: errors.New("values regressed"), silent: true}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&tolerance, "tolerance", "10%", "how far a value may move the wrong way before it counts as a regression")
	cmd.Flags().StringSliceVar(&keys, "keys", nil, "compare only these keys: patterns such as '*.p50' or 'latency_ms.*' (repeatable, or comma-separated)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json or markdown")
	return cmd
}
