package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/fatih/color"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/compare"
	"github.com/ducktape-go/ducktape/host/resultstore"
	"github.com/ducktape-go/ducktape/host/trends"
)

// storeOptions are the flags that say where the results store is; run,
// trends and serve share them.
type storeOptions struct {
	store       string
	resultsRoot string
}

// defaultStore is the store's file in the results root when --store is
// not given.
const defaultStore = "trends.db"

// addFlags adds --store and --results-root to f, and --config-file (read
// by withConfigArgs, which takes their values from the configuration
// files).
func (o *storeOptions) addFlags(f *pflag.FlagSet) {
	f.String("config-file", "", "file of default arguments (its --store and --results-root), instead of ~/.ducktape/config (.ducktape/config is read first)")
	f.StringVar(&o.store, "store", "", "results store: a SQLite file, or postgres://user:password@host/db (default <results-root>/"+defaultStore+")")
	f.StringVar(&o.resultsRoot, "results-root", "./results", "directory that holds the results of every session (and the default store)")
}

// location is the store to use: --store, else the default file.
func (o *storeOptions) location() string {
	if o.store != "" {
		return o.store
	}
	return filepath.Join(o.resultsRoot, defaultStore)
}

// open opens the store; its errors are configuration errors (exit 2).
func (o *storeOptions) open(gs *globalState, create bool) (*resultstore.Store, error) {
	s, err := resultstore.Open(gs.ctx, o.location(), create)
	if err != nil {
		return nil, usageErrorf("--store: %v", err)
	}
	return s, nil
}

// trendsOptions are the flags of the trends commands.
type trendsOptions struct {
	storeOptions
	format string
}

// trendsFormats are the output formats of the trends commands.
var trendsFormats = []string{"text", "json"}

func newTrendsCommand(gs *globalState) *cobra.Command {
	opts := &trendsOptions{}
	cmd := &cobra.Command{
		Use:   "trends",
		Short: "Record sessions in a results store and ask it about many sessions at once",
		Long: `trends keeps sessions in a results store (a SQLite file, results/trends.db by
default, or a team's PostgreSQL database with --store postgres://...) and answers
questions about many sessions at once: which tests are flaky, when a test first
failed, how its run time and data values moved, and which values moved beyond
their own noise. A run records its session itself when --store is given (or
--store is in a configuration file). See docs/trends.md.`,
		Example: `  ducktape trends import results/
  ducktape trends flaky --last 30
  ducktape trends test suite/test_kv.star::test_put
  ducktape trends regressions --store postgres://ci@db.example/trends`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	f := cmd.PersistentFlags()
	opts.addFlags(f)
	f.StringVar(&opts.format, "format", "text", "output format: text or json")
	cmd.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		color.NoColor = !gs.stdoutTTY
		if !slices.Contains(trendsFormats, opts.format) {
			return usageErrorf("--format %q: want one of %s", opts.format, strings.Join(trendsFormats, ", "))
		}
		return nil
	}
	cmd.AddCommand(newTrendsImportCommand(gs, opts), newTrendsFlakyCommand(gs, opts), newTrendsTestCommand(gs, opts), newTrendsRegressionsCommand(gs, opts))
	return cmd
}

// addLast adds --last to an analysis command.
func addLast(cmd *cobra.Command, last *int) {
	cmd.Flags().IntVar(last, "last", 30, "look at the newest N sessions (0: every one)")
}

func newTrendsImportCommand(gs *globalState, opts *trendsOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "import DIR...",
		Short: "Record sessions in the results store",
		Long: `import records sessions in the results store: each DIR is a session directory
(such as results/2026-12-01--001), its report.json, or a directory of session
directories (such as results/: every session in it). Each session is stored in one
transaction, whole or not at all. Importing a session again changes nothing (or
replaces it, when its report.json changed since: it was still running); a session
made by ducktape merge replaces the parts it was merged from.

Exit status: 0 every session imported, 1 a session could not be stored,
2 bad usage, a store that cannot be opened, or a session that cannot be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return importSessions(gs, opts, args) },
	}
}

// sessionDirs expands an import argument: a session directory or its
// report.json is itself; another directory stands for the session
// directories in it (not following links such as latest).
func sessionDirs(arg string) ([]string, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{arg}, nil
	}
	if _, err := os.Stat(filepath.Join(arg, "report.json")); err == nil {
		return []string{arg}, nil
	}
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(arg, e.Name(), "report.json")); err == nil {
				dirs = append(dirs, filepath.Join(arg, e.Name()))
			}
		}
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s: no report.json in it nor in its subdirectories: give session directories, such as results/2026-12-01--001, or the results root", arg)
	}
	return dirs, nil
}

func importSessions(gs *globalState, opts *trendsOptions, args []string) error {
	var sessions []*resultstore.Session
	for _, arg := range args {
		dirs, err := sessionDirs(arg)
		if err != nil {
			return usageErrorf("%v", err)
		}
		for _, dir := range dirs {
			s, err := resultstore.ReadSession(dir)
			if err != nil {
				return usageErrorf("%v", err)
			}
			sessions = append(sessions, s)
		}
	}
	store, err := opts.open(gs, true)
	if err != nil {
		return err
	}
	defer store.Close()
	type line struct {
		SessionID string `json:"session_id"`
		Dir       string `json:"dir"`
		Results   int    `json:"results"`
		Imported  string `json:"imported"`
	}
	lines := []line{}
	counts := map[resultstore.Imported]int{}
	for _, s := range sessions {
		for _, w := range s.Warnings {
			fmt.Fprintf(gs.stderr, "%s %s: %s\n", color.New(color.FgYellow, color.Bold).Sprint("ducktape: warning:"), s.Dir, w)
		}
		got, err := store.Import(gs.ctx, s)
		if err != nil {
			return &exitError{code: exitTestFailed, err: err}
		}
		counts[got]++
		lines = append(lines, line{s.ID, s.Dir, len(s.Results), string(got)})
		if opts.format == "text" {
			fmt.Fprintf(gs.stdout, "%-9s %s  %s (%d results)\n", got, s.ID, s.Dir, len(s.Results))
		}
	}
	if opts.format == "json" {
		return writeJSON(gs.stdout, map[string]any{"store": store.Location, "sessions": lines})
	}
	fmt.Fprintf(gs.stdout, "%d sessions into %s: %d added, %d updated, %d unchanged, %d in a merged session\n", len(sessions), store.Location,
		counts[resultstore.Added], counts[resultstore.Updated], counts[resultstore.Unchanged], counts[resultstore.InMerged])
	return nil
}

// recordSession records a finished run's session in the store of --store
// (the run's own flag, or a configuration file's). Its error is the run's
// exit status 1: the session ran, but is not where the team looks.
func recordSession(gs *globalState, opts storeOptions, dir string) error {
	fail := func(err error) error {
		var e *exitError
		if errors.As(err, &e) {
			err = e.err
		}
		return &exitError{code: exitTestFailed, err: fmt.Errorf("the session ran, but was not recorded: %w", err)}
	}
	s, err := resultstore.ReadSession(dir)
	if err != nil {
		return fail(err)
	}
	store, err := opts.open(gs, true)
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	got, err := store.Import(gs.ctx, s)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(gs.stdout, "recorded in the results store %s (%s)\n", store.Location, got)
	return nil
}

// answer runs an analysis command: it opens the store for reading and
// asks it; ask returns the answer (printed whole with --format json) and
// how to write it as text.
func answer(gs *globalState, opts *trendsOptions, last int, ask func(*resultstore.Store) (any, func(io.Writer) error, error)) error {
	if last < 0 {
		return usageErrorf("--last must not be negative")
	}
	store, err := opts.open(gs, false)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, text, err := ask(store)
	if err != nil {
		return err
	}
	if opts.format == "json" {
		return writeJSON(gs.stdout, rep)
	}
	return text(gs.stdout)
}

func newTrendsFlakyCommand(gs *globalState, opts *trendsOptions) *cobra.Command {
	var last int
	cmd := &cobra.Command{
		Use:   "flaky",
		Short: "List the tests whose outcome kept changing",
		Long: `flaky lists, over the newest --last sessions, the tests that were flaky: FLAKY
(passed on a retry) in a session, or whose outcome changed at least twice from one
session they ran in to the next; with their pass, fail and flaky counts and their
rate (the share of their runs that did not simply pass), worst first. Tests whose
outcome changed once and stayed (a test that broke, or was fixed) are listed apart:
that is a step, not flakiness.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return answer(gs, opts, last, func(store *resultstore.Store) (any, func(io.Writer) error, error) {
				sessions, err := store.Sessions(gs.ctx, last)
				if err != nil {
					return nil, nil, err
				}
				runs, err := store.Runs(gs.ctx, sessions, "")
				if err != nil {
					return nil, nil, err
				}
				rep := trends.Flaky(sessions, runs)
				return rep, func(w io.Writer) error { return writeFlaky(w, rep) }, nil
			})
		},
	}
	addLast(cmd, &last)
	return cmd
}

func newTrendsTestCommand(gs *globalState, opts *trendsOptions) *cobra.Command {
	var last int
	cmd := &cobra.Command{
		Use:   "test ID",
		Short: "Show a test's outcomes, run time and data values session by session",
		Long: `test shows one test (its id as reports print it) over the newest --last sessions:
its outcome in each, the first session it failed in after a pass, its run time,
and each of its data values (series summaries included) with the verdict on its
newest value (see ducktape trends regressions).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id := args[0]
			return answer(gs, opts, last, func(store *resultstore.Store) (any, func(io.Writer) error, error) {
				sessions, err := store.Sessions(gs.ctx, last)
				if err != nil {
					return nil, nil, err
				}
				runs, err := store.Runs(gs.ctx, sessions, id)
				if err != nil {
					return nil, nil, err
				}
				points, err := store.Points(gs.ctx, sessions, id)
				if err != nil {
					return nil, nil, err
				}
				rep, found := trends.Test(id, sessions, runs, points, trends.Options{})
				if !found {
					like, err := store.TestIDs(gs.ctx, sessions, id, 10)
					if err != nil {
						return nil, nil, err
					}
					msg := fmt.Sprintf("no test %q in the newest %d sessions of %s", id, len(sessions), store.Location)
					if len(like) > 0 {
						msg += "; tests whose id contains it:\n  " + strings.Join(like, "\n  ")
					}
					return nil, nil, usageErrorf("%s", msg)
				}
				return rep, func(w io.Writer) error { return writeTestReport(w, rep) }, nil
			})
		},
	}
	addLast(cmd, &last)
	return cmd
}

func newTrendsRegressionsCommand(gs *globalState, opts *trendsOptions) *cobra.Command {
	var last int
	var minChange string
	cmd := &cobra.Command{
		Use:   "regressions",
		Short: "List the values that moved the wrong way beyond their own noise",
		Long: `regressions judges the newest value of every test's data values (series
summaries included) over the newest --last sessions against a baseline of its
earlier values there: their median and median absolute deviation (MAD). A value
regressed when it moved the wrong way by more than 3 × 1.4826 × MAD from the median
(three standard deviations, were the noise normal) and by more than --min-change of
the median. Which way is wrong is what ducktape compare takes: keys ending in _ms,
_us or _ns or containing "latency" should go down, keys ending in _per_sec or
containing "throughput" should go up, a threshold on the key says which way; other
values are never judged. A value needs 3 earlier values to be judged.

Exit status: 0 nothing regressed, 1 a value regressed, 2 bad usage or a store that
cannot be read.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			floor, err := compare.ParseTolerance(minChange)
			if err != nil {
				return usageErrorf("--min-change: %v", err)
			}
			var regressed int
			err = answer(gs, opts, last, func(store *resultstore.Store) (any, func(io.Writer) error, error) {
				sessions, err := store.Sessions(gs.ctx, last)
				if err != nil {
					return nil, nil, err
				}
				points, err := store.Points(gs.ctx, sessions, "")
				if err != nil {
					return nil, nil, err
				}
				regs := trends.Regressions(sessions, points, trends.Options{MinChange: floor})
				regressed = len(regs)
				return map[string]any{"sessions": len(sessions), "regressions": regs},
					func(w io.Writer) error { return writeRegressions(w, regs, len(sessions)) }, nil
			})
			if err == nil && regressed > 0 {
				err = &exitError{code: exitTestFailed, err: errors.New("values regressed"), silent: true}
			}
			return err
		},
	}
	addLast(cmd, &last)
	cmd.Flags().StringVar(&minChange, "min-change", strconv.Itoa(trends.DefaultMinChange*100)+"%", "the least change (of the baseline's median) judged a regression, however quiet the baseline")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// outcomeMarks are the letters of an outcome strip, coloured on a
// terminal.
var outcomeMarks = map[trends.Outcome]string{
	trends.OutcomePass:  statusColor[host.StatusPass].Sprint("P"),
	trends.OutcomeFail:  statusColor[host.StatusFail].Sprint("F"),
	trends.OutcomeFlaky: statusColor[host.StatusFlaky].Sprint("~"),
	trends.OutcomeNone:  ".",
}

// strip is the outcomes of a test, oldest first, one letter each.
func strip(outs []trends.Outcome) string {
	var b strings.Builder
	for _, o := range outs {
		b.WriteString(outcomeMarks[o])
	}
	return b.String()
}

// span names a window of sessions (oldest first).
func span(sessions []trends.Session) string {
	switch len(sessions) {
	case 0:
		return "no session"
	case 1:
		return "1 session (" + sessions[0].ID + ")"
	}
	return fmt.Sprintf("the last %d sessions (%s to %s)", len(sessions), sessions[0].ID, sessions[len(sessions)-1].ID)
}

func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

func writeFlaky(w io.Writer, rep trends.FlakyReport) error {
	fmt.Fprintf(w, "over %s\n", span(rep.Sessions))
	if len(rep.Flaky) == 0 {
		fmt.Fprintf(w, "\nno flaky test\n")
	} else {
		fmt.Fprintf(w, "\n%s, worst first (outcomes oldest first: P pass, F fail, ~ flaky, . did not run):\n\n", plural(len(rep.Flaky), "flaky test"))
		t := newTable(w)
		fmt.Fprintf(t, "  test\trate\tpass\tfail\tflaky\toutcomes\n")
		for _, f := range rep.Flaky {
			fmt.Fprintf(t, "  %s\t%.0f%%\t%d\t%d\t%d\t%s\n", f.TestID, f.Rate*100, f.Pass, f.Fail, f.Flaky, strip(f.Outcomes))
		}
		t.Flush()
	}
	if len(rep.Steps) > 0 {
		fmt.Fprintf(w, "\nchanged once and stayed (a step, not flakiness; see ducktape trends test ID):\n\n")
		t := newTable(w)
		for _, s := range rep.Steps {
			what := statusColor[host.StatusPass].Sprint("fixed")
			if s.Broke {
				what = statusColor[host.StatusFail].Sprint("broke")
			}
			fmt.Fprintf(t, "  %s\t%s in session %s\n", s.TestID, what, s.Session)
		}
		t.Flush()
	}
	return nil
}

// sparkline draws values (oldest first) as block characters, lowest to
// highest.
func sparkline(values []float64) string {
	const blocks = "▁▂▃▄▅▆▇█"
	lo, hi := slices.Min(values), slices.Max(values)
	var b strings.Builder
	for _, v := range values {
		i := 0
		if hi > lo {
			i = int((v - lo) / (hi - lo) * 7.999)
		}
		b.WriteString(string([]rune(blocks)[i]))
	}
	return b.String()
}

func number(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

var verdictColor = map[string]*color.Color{trends.Regressed: statusColor[host.StatusFail], trends.Improved: statusColor[host.StatusPass]}

func better(d compare.Direction) string {
	return map[compare.Direction]string{compare.LowerIsBetter: "lower is better", compare.HigherIsBetter: "higher is better"}[d]
}

func writeTestReport(w io.Writer, rep trends.TestReport) error {
	var sessions []trends.Session
	for _, s := range rep.Sessions {
		sessions = append(sessions, s.Session)
	}
	fmt.Fprintf(w, "%s over %s\n", rep.TestID, span(sessions))
	if rep.FirstFailure != "" {
		fmt.Fprintf(w, "first failed after a pass in session %s\n", statusColor[host.StatusFail].Sprint(rep.FirstFailure))
	}
	fmt.Fprintln(w)
	t := newTable(w)
	fmt.Fprintf(t, "  session\trun time\tstatus\tsummary\n")
	for _, s := range rep.Sessions {
		if len(s.Runs) == 0 {
			fmt.Fprintf(t, "  %s\t\t-\tdid not run\n", s.Session.ID)
			continue
		}
		for _, r := range s.Runs {
			summary := r.Gist()
			fmt.Fprintf(t, "  %s\t%.2f s\t%s\t%s\n", s.Session.ID, r.RunTime, statusColor[host.Status(r.Status)].Sprint(r.Status), summary)
		}
	}
	t.Flush()
	series := append([]trends.ValueTrend{{Series: rep.RunTime}}, rep.Values...)
	fmt.Fprintf(w, "\nvalues (oldest first; the newest judged against the earlier ones):\n\n")
	t = newTable(w)
	fmt.Fprintf(t, "  key\ttrend\tmedian\tnewest\tverdict\n")
	for i, v := range series {
		if len(v.Points) == 0 {
			continue
		}
		vs := v.Values()
		median, verdict := "", better(v.Better)
		if i > 0 {
			if v.Judgement.Baseline >= trends.MinBaseline {
				median = number(v.Judgement.Median)
			}
			if c := verdictColor[v.Judgement.Verdict]; c != nil {
				verdict = c.Sprint(strings.ToUpper(v.Judgement.Verdict)) + " (" + verdict + ")"
			}
		}
		fmt.Fprintf(t, "  %s\t%s\t%s\t%s\t%s\n", v.Key, sparkline(vs), median, number(vs[len(vs)-1]), verdict)
	}
	t.Flush()
	return nil
}

func writeRegressions(w io.Writer, regs []trends.Regression, sessions int) error {
	if len(regs) == 0 {
		fmt.Fprintf(w, "no value regressed beyond its noise over the last %d sessions\n", sessions)
		return nil
	}
	t := newTable(w)
	fmt.Fprintf(t, "  test\tkey\tmedian\tband\tnewest\tchange\tsince\n")
	for _, r := range regs {
		change := "from 0"
		if r.Change != nil {
			change = fmt.Sprintf("%+.1f%%", *r.Change*100)
		}
		fmt.Fprintf(t, "  %s\t%s\t%s\t±%s\t%s\t%s\t%s\n", r.TestID, r.Key, number(r.Median), number(r.Band), number(r.Value),
			statusColor[host.StatusFail].Sprint(change), r.Since)
	}
	t.Flush()
	fmt.Fprintf(w, "\n%s regressed beyond their noise over the last %d sessions (judged against the median and band of the sessions before the newest)\n", plural(len(regs), "value"), sessions)
	return nil
}

// plural is "1 value", "2 values".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
