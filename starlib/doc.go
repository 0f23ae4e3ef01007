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
// One file per domain: runtime.go (lock, threads), universe.go (the
// predeclared names), context.go (ctx), logger.go, assert.go, node.go and
// account.go (nodes and their accounts), testcluster.go (ctx.cluster),
// convert.go (JSON conversions).
package starlib
