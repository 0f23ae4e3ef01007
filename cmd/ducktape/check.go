package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/check/txn"
	"github.com/ducktape-go/ducktape/host/history"
)

// checkWorkloads are --workload's values: the transactional checkers, then
// the linearizable checker's models.
var checkWorkloads = []string{"list-append", "rw-register", "register", "cas-register", "kv", "set"}

// maxPrinted bounds how many explanations of each anomaly type ducktape
// check prints.
const maxPrinted = 3

type checkOptions struct {
	workload, out                     string
	models                            []string
	timeLimit                         time.Duration
	wfr, sequentialKeys, linearizable bool
}

func newCheckCommand(gs *globalState) *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check FILE --workload WORKLOAD",
		Short: "Check a saved history.json again, offline",
		Long: `check reads a history.json that a test saved (FILE, or a test's results directory
holding one) and checks it as the test's check did: --workload list-append or
rw-register for transactions (Elle's analysis: the anomalies found, each
explained, and the consistency models they rule out), register, cas-register,
kv or set for linearizability (porcupine). It prints the verdict as report.txt's
check: line, then, for transactions, the first explanations of each anomaly.

Exit status: 0 the history passed, 1 anomalies that one of --models forbids
were found (or it is not linearizable), 2 bad usage or a history that cannot
be read (the message names the event or operation and why), 3 unknown (a
search ran out of --time-limit).`,
		Example: `  ducktape check results/latest/test_pg.star/test_rr/1/history.json --workload list-append --models snapshot-isolation
  ducktape check history.json --workload rw-register --wfr-keys --out /tmp/anomalies
  ducktape check history.json --workload cas-register`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCheck(gs, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.workload, "workload", "", "what the history holds: "+strings.Join(checkWorkloads, ", ")+" (required)")
	f.StringSliceVar(&o.models, "models", nil, "the consistency models the transactions must satisfy, comma-separated: "+strings.Join(txn.Models, ", ")+" (default "+txn.DefaultModel+")")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "how long a search may take: per strongly connected component for transactions (default 10s), in all for linearizability (default 1m)")
	f.StringVar(&o.out, "out", "", "a directory to write the visualization into (created if missing)")
	f.BoolVar(&o.wfr, "wfr-keys", false, "rw-register: assume writes follow reads within a transaction")
	f.BoolVar(&o.sequentialKeys, "sequential-keys", false, "rw-register: assume each key is sequentially consistent")
	f.BoolVar(&o.linearizable, "linearizable-keys", false, "rw-register: assume each key is linearizable")
	return cmd
}

func runCheck(gs *globalState, file string, o checkOptions) error {
	switch {
	case !slices.Contains(checkWorkloads, o.workload):
		return usageErrorf("--workload %q: want one of %s", o.workload, strings.Join(checkWorkloads, ", "))
	case o.timeLimit < 0:
		return usageErrorf("--time-limit %s: want a positive duration", o.timeLimit)
	case len(o.models) > 0 && !isTxn(o.workload):
		return usageErrorf("--models is for the transactional workloads (list-append, rw-register), not %s", o.workload)
	case (o.wfr || o.sequentialKeys || o.linearizable) && o.workload != "rw-register":
		return usageErrorf("--wfr-keys, --sequential-keys and --linearizable-keys are for --workload rw-register")
	}
	h, err := history.Load(file)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if o.out != "" {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return usageErrorf("--out: %v", err)
		}
	}
	var res check.Result
	var analysis txn.Analysis
	if isTxn(o.workload) {
		checker := txn.ListAppend
		if o.workload == "rw-register" {
			checker = txn.RWRegister
		}
		analysis, err = checker(gs.ctx, h, txn.Options{Models: o.models, TimeLimit: o.timeLimit, Dir: o.out,
			WFRKeys: o.wfr, SequentialKeys: o.sequentialKeys, LinearizableKeys: o.linearizable})
		res = analysis.Result
	} else {
		res, err = check.Linearizable(h, o.workload, check.Options{TimeLimit: o.timeLimit, Dir: o.out})
	}
	if err != nil {
		return usageErrorf("%s: %v", file, err)
	}
	printCheck(gs, res, analysis)
	switch {
	case res.OK:
		return nil
	case res.Unknown:
		return &exitError{code: exitUnknown, err: errors.New("unknown"), silent: true}
	}
	return &exitError{code: exitTestFailed, err: errors.New("anomalies"), silent: true}
}

func isTxn(workload string) bool { return workload == "list-append" || workload == "rw-register" }

// printCheck prints the verdict line (the verdict coloured on a terminal),
// the first explanations of each anomaly, and where the visualization is.
func printCheck(gs *globalState, res check.Result, a txn.Analysis) {
	line := host.CheckLine(res)
	for verdict, c := range map[string]*color.Color{"PASS": color.New(color.FgGreen), "FAIL": color.New(color.FgRed, color.Bold), "UNKNOWN": color.New(color.FgYellow)} {
		if before, after, found := strings.Cut(line, " "+verdict+": "); found {
			line = before + " " + c.Sprint(verdict) + ": " + after
			break
		}
	}
	fmt.Fprintln(gs.stdout, line)
	for _, typ := range a.AnomalyTypes {
		list := a.Anomalies[typ]
		fmt.Fprintf(gs.stdout, "\n%s (%d):\n", typ, a.Counts[typ])
		for _, an := range list[:min(len(list), maxPrinted)] {
			fmt.Fprintf(gs.stdout, "  - %s\n", an.Explanation)
		}
		if n := a.Counts[typ]; n > maxPrinted {
			fmt.Fprintf(gs.stdout, "  (and %d more)\n", n-maxPrinted)
		}
	}
	if res.Visualization != "" {
		fmt.Fprintf(gs.stdout, "\nvisualization: %s\n", res.Visualization)
	}
}
