package starlib

import (
	"context"
	"sync"

	"go.starlark.net/starlark"
)

// Runtime is one test's interpreter: the lock its Starlark threads share,
// its logger, and its live threads. A Runtime is safe for concurrent use;
// the Starlark values it guards are not, which is the point of the lock.
type Runtime struct {
	gil sync.Mutex // held while a thread of this test executes Starlark

	// Log receives the test's log lines (ctx.logger, print). Never nil.
	Log Logger
	// Load, if set, is the load() implementation of the runtime's threads.
	Load func(thread *starlark.Thread, module string) (starlark.StringDict, error)

	workers sync.WaitGroup // goroutines started by Go
}

const (
	runtimeKey = "ducktape.runtime"
	contextKey = "ducktape.context"
)

// NewRuntime makes the runtime of one test (or REPL session).
func NewRuntime(log Logger) *Runtime {
	if log == nil {
		log = discardLogger{}
	}
	return &Runtime{Log: log}
}

// Lock acquires the interpreter lock; a thread must hold it while it
// executes Starlark code.
func (rt *Runtime) Lock() { rt.gil.Lock() }

// Unlock releases the interpreter lock.
func (rt *Runtime) Unlock() { rt.gil.Unlock() }

// NewThread makes a Starlark thread of this runtime whose blocking calls use
// ctx. When ctx is cancelled the thread is cancelled too: it stops at its
// next step with the context's cause as the reason.
func (rt *Runtime) NewThread(ctx context.Context, name string) *starlark.Thread {
	thread := &starlark.Thread{
		Name:  name,
		Load:  rt.Load,
		Print: func(t *starlark.Thread, msg string) { rt.Log.Log(newRecord(t, LevelInfo, msg)) },
	}
	thread.SetLocal(runtimeKey, rt)
	thread.SetLocal(contextKey, ctx)
	context.AfterFunc(ctx, func() { thread.Cancel(context.Cause(ctx).Error()) })
	return thread
}

// Go runs fn on a new goroutine with a new thread named name that shares
// parent's runtime and context. fn runs holding the interpreter lock. Wait
// waits for every such goroutine.
func (rt *Runtime) Go(parent *starlark.Thread, name string, fn func(thread *starlark.Thread)) {
	thread := rt.NewThread(ContextOf(parent), name)
	rt.workers.Add(1)
	go func() {
		defer rt.workers.Done()
		rt.Lock()
		defer rt.Unlock()
		fn(thread)
	}()
}

// Wait blocks until every goroutine started by Go has returned. The caller
// must not hold the interpreter lock.
func (rt *Runtime) Wait() { rt.workers.Wait() }

// RuntimeOf returns the runtime of thread, or nil for a thread that is not
// a test's (such as the one that loads modules).
func RuntimeOf(thread *starlark.Thread) *Runtime {
	rt, _ := thread.Local(runtimeKey).(*Runtime)
	return rt
}

// ContextOf returns the context of thread's blocking calls
// (context.Background for threads made outside a Runtime).
func ContextOf(thread *starlark.Thread) context.Context {
	if ctx, ok := thread.Local(contextKey).(context.Context); ok {
		return ctx
	}
	return context.Background()
}

// Blocking runs fn, which may wait for a long time, with the interpreter
// lock released so that the test's other threads can run meanwhile. fn must
// not touch Starlark values. It receives the thread's context.
func Blocking[T any](thread *starlark.Thread, fn func(ctx context.Context) (T, error)) (T, error) {
	if rt := RuntimeOf(thread); rt != nil {
		rt.Unlock()
		defer rt.Lock()
	}
	return fn(ContextOf(thread))
}
