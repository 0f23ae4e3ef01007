// Package starlib is everything a ducktape Starlark script sees: the
// predeclared builtins, the test context ctx, and the node, account,
// logger and assert values. It holds no SSH or file-system code of its own:
// remote work is delegated to package cluster (and services to package
// services). docs/design.md explains where it sits.
//
// # The test's environment
//
// Everything per test (its [Runtime] with the interpreter lock, logger,
// cluster, services and faults) is one [Env], made by the runner (or the
// REPL) with [NewEnv]. Every thread of the test carries it, and builtins
// reach it one way: [EnvOf](thread). New per-test state is a new field of
// Env. The only other thread-local is the [Marks] registry of the threads
// that load files (MarksKey), which are no test's.
//
// # Concurrency
//
// Starlark values are not safe for concurrent use, so each test has one
// interpreter lock, held by whichever of the test's Starlark threads is
// executing (see [Runtime]). Every builtin that waits (remote commands,
// transfers, sleeps, joins) runs its wait through [Blocking], which
// releases the lock meanwhile. Background workers and parallel calls thus
// overlap their remote work while Starlark code runs one thread at a time,
// like Python's GIL. Module globals are frozen after loading, so tests
// share nothing mutable and run truly in parallel.
//
// Each Starlark thread carries its own context.Context (see [ContextOf]);
// when it is cancelled (test timeout, Ctrl-C) the thread stops at its next
// step and its remote commands are killed.
//
// # Domains
//
// The builtins come in domains. A domain is a function, in its own file,
// returning a [Domain]: its [Builtin] declarations, each with the name,
// signature and doc next to its implementation. universe.go lists every
// domain in one slice (domains) and assembles them (Predeclared, and the
// method tables of node.account, ctx and service instances). The
// declarations are the one source of the REPL's help() and of the
// generated builtin lists of docs/repl.md and docs/writing-tests.md (see
// docs_test.go). A new domain is a new file and one line in universe.go.
//
// # Files
//
//   - env.go: Env and EnvOf; runtime.go: the interpreter lock, threads,
//     Blocking; builtin.go: Domain, Builtin and their constructors;
//     universe.go: the domain list, Predeclared and the dialect
//     (FileOptions);
//   - stdlib.go (json, time, math, struct), assert.go, wait.go
//     (wait_until and the polling loop of other waits);
//   - context.go (ctx), logger.go (ctx.logger, print);
//   - node.go (node), account.go (node.account), capture.go
//     (account.ssh_capture), monitor.go (account.monitor_log),
//     monitor_http.go (account.wait_for_http_service);
//   - testcluster.go: ctx.cluster and node_spec;
//   - marks.go: cluster, matrix, parametrize, defaults, ignore, env,
//     timeout and the Marks registry;
//   - service.go (service, background_service), service_value.go (service
//     instances), service_methods.go (their methods), service_hooks.go
//     (hooks as Go services.Hooks), service_call.go (calling Starlark from
//     goroutines);
//   - parallel.go (parallel, run_parallel);
//   - faults.go (the faults module), faults_value.go (fault handles),
//     faults_cycle.go (faults.cycle);
//   - convert.go: JSON conversions;
//   - doctest/: the check of the generated doc sections (tests only).
package starlib
