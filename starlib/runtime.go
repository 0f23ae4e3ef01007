package starlib

import (
	"context"
	"sync"

	"go.starlark.net/starlark"
)

// Runtime is one test's interpreter: the lock its Starlark threads share
// and its live threads. Each [Env] has one (made by NewEnv). A Runtime is
// safe for concurrent use; the Starlark values it guards are not, which is
// the point of the lock.
//
// The lock's invariants: a thread of the test executes Starlark code (and
// touches Starlark values) only while holding it; a builtin that waits
// releases it for the wait only (see [Blocking]) and touches no Starlark
// value meanwhile; a goroutine that runs Starlark takes it first (see Go
// and callLocked).
type Runtime struct {
	gil sync.Mutex // held while a thread of this test executes Starlark
	env *Env       // the environment this runtime belongs to; its threads carry it

	// Load, if set, is the load() implementation of the runtime's threads.
	// Set before the first thread is made.
	Load func(thread *starlark.Thread, module string) (starlark.StringDict, error)

	workers sync.WaitGroup // goroutines started by Go
}

const (
	envKey     = "ducktape.env"
	contextKey = "ducktape.context"
)

// Lock acquires the interpreter lock; a thread must hold it while it
// executes Starlark code.
func (rt *Runtime) Lock() { rt.gil.Lock() }

// Unlock releases the interpreter lock.
func (rt *Runtime) Unlock() { rt.gil.Unlock() }

// NewThread makes a Starlark thread of this runtime, carrying its Env,
// whose blocking calls use ctx. When ctx is cancelled the thread is cancelled too: it stops at its
// next step with the context's cause as the reason.
func (rt *Runtime) NewThread(ctx context.Context, name string) *starlark.Thread {
	thread := &starlark.Thread{
		Name:  name,
		Load:  rt.Load,
		Print: func(t *starlark.Thread, msg string) { rt.env.Log.Log(newRecord(t, LevelInfo, msg)) },
	}
	thread.SetLocal(envKey, rt.env)
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
	if env := EnvOf(thread); env != nil {
		env.Runtime.Unlock()
		defer env.Runtime.Lock()
	}
	return fn(ContextOf(thread))
}
