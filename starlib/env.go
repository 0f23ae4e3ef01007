package starlib

import (
	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/services/clients"
	"github.com/ducktape-go/ducktape/services/faults"
)

// Env is the environment of one test (or REPL session): everything of the
// test a builtin may need besides its arguments. Every thread of the test
// carries it, and builtins reach it one way only, [EnvOf]. The runner (or
// the REPL) fills it before the test's first thread starts and never
// reassigns a field afterwards, so reading a field needs no lock; the
// values the fields point to are safe for concurrent use unless said
// otherwise. New per-test state becomes a field here.
type Env struct {
	// Runtime is the test's interpreter: its lock and threads. Set by
	// NewEnv.
	Runtime *Runtime
	// Log receives the test's log lines (ctx.logger, print). Never nil.
	Log Logger
	// Cluster is the test's nodes (ctx.cluster); its services take theirs
	// from it.
	Cluster *TestCluster
	// Services is the test's services, created by service instances and
	// torn down by the runner after the test. Nil where no services may be
	// created.
	Services *services.Registry
	// Faults is the test's faults; the runner closes it in teardown,
	// healing every fault still active. Nil where faults are unavailable.
	Faults *faults.Registry
	// History is the test's operation history (history()) and the verdicts
	// of the checks run on it (the check module); the runner saves and
	// reports it after the test. Nil where histories are unavailable. Safe
	// for concurrent use.
	History *TestHistory
	// Series is the test's time series (ctx.series); the runner saves
	// them and merges their summaries into the test's data. Nil where
	// series are unavailable.
	Series *series.Set
	// Clients is the protocol clients the test opened
	// (load("@ducktape//clients", ...)), with its HTTP transport; the
	// runner closes it when the test ends, after its services' teardown.
	// Nil where clients are unavailable. Safe for concurrent use.
	Clients *clients.Registry
	// ResultsDir is the test's results directory, where outputs too large
	// to keep in memory go (ssh_output); "" where there is none.
	ResultsDir string
}

// NewEnv returns the environment e describes with a new Runtime (and a
// logger that discards when e.Log is nil). e.Runtime is ignored.
func NewEnv(e Env) *Env {
	env := &e
	if env.Log == nil {
		env.Log = discardLogger{}
	}
	env.Runtime = &Runtime{env: env}
	return env
}

// EnvOf returns the environment of thread, or nil for a thread that is not
// a test's (such as the one that loads modules).
func EnvOf(thread *starlark.Thread) *Env {
	env, _ := thread.Local(envKey).(*Env)
	return env
}
