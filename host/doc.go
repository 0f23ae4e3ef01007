// Package host loads ducktape's Starlark test files and runs them: module
// loading with its cache, discovery and selection of test cases, the
// runner and its scheduler, the results directory and the reports.
// docs/design.md explains how a test flows through it.
//
// # Files
//
//   - types.go: the core types: Test, Case, LoadFailure, Suite (what
//     discovery finds), Status and Result (what running a case gives);
//   - loader.go: Loader, load() and the module cache;
//   - discover.go: Discover (paths and symbols to a Suite), ErrorText;
//     symbol.go: test symbols; cases.go: the cases of a test's marks;
//     suite.go: YAML suite files; select.go: --subsets and --sample;
//   - runner.go: Runner and Run; scheduler.go: which case starts when;
//     execute.go: one case (runCase, execute, recordEnv); teardown.go:
//     a case's faults and services after it; report_history.go: a case's
//     history and checks into its Result and history.json;
//   - results.go: Session (the results directory) and case directories;
//     logfiles.go: the .info/.debug log pairs;
//   - report.go: Report, its writer and snapshots (report.json,
//     report.txt); report_html.go (and
//     report_html/, its template and script), report_junit.go,
//     report_junit_tail.go (report.xml), rerun.go (rerun-failed.yml);
//   - version.go: Version.
//
// Subpackages: repl (ducktape repl); the leaf packages history and check
// (operation histories and their checkers, bound by starlib); for tests,
// hosttest (running Starlark test files from Go tests) and chromiumtest
// (rendering reports in headless Chromium).
//
// # Who calls what
//
// The CLI (cmd/ducktape) and tests call the exported API in this order:
// NewLoader, Discover (then narrow the Suite with Subset or Sample),
// CreateSession, NewReport, and Runner.Run with the Suite; the Report's
// files are then complete (see the package's Example). The REPL uses only
// the Loader. Loader, Report and LogFiles are safe
// for concurrent use; Session, Suite, Test and Case are not modified after
// they are made. Only the runner (runner.go, scheduler.go, execute.go)
// makes a test's starlib.Env and Starlark threads.
//
// # Runner once Run starts
//
// A Runner's fields are configuration: set them before Run and do not
// change them while it runs (Run reads them from several goroutines).
// Cluster is where every case allocates its nodes (Run never closes it);
// Session and Report receive every result; Observer and Echo are called
// from the goroutines of the running cases at once.
//
// # What Report guards
//
// Report's mutex guards everything in it: the Summary counts and times,
// Results, the live rerun-failed.yml and the state of its writer. Add,
// Plan, Finish and Failed take it; the report writer takes it only to
// take a snapshot, and the report_*.go writers render a snapshot outside
// it. The exported fields Summary and Results may be read without it only
// once no Add can come: after Runner.Run (which calls Finish) returned.
package host
