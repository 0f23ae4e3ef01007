// Package starlib is everything a ducktape Starlark script sees: the
// predeclared builtins, the test context ctx, and the node, account,
// logger and assert values. It holds no SSH or file-system code of its own:
// remote work is delegated to package cluster (and services to package
// services).
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
// One file (or file prefix) per domain, each registering its names in
// universe.go's domains:
//
//   - runtime.go: the interpreter lock and threads; universe.go: the
//     predeclared names and the dialect (FileOptions);
//   - context.go (ctx), logger.go (ctx.logger, print), assert.go;
//   - node.go, account.go, capture.go (ssh_capture), monitor*.go
//     (monitor_log, wait_for_http_service): nodes and their accounts;
//   - testcluster.go: ctx.cluster and node_spec;
//   - marks.go: cluster, matrix, parametrize, defaults, ignore, env, timeout;
//   - service*.go: service, background_service and service instances;
//   - parallel.go (parallel, run_parallel), wait.go (wait_until);
//   - faults*.go: the faults module;
//   - convert.go: JSON conversions.
package starlib
