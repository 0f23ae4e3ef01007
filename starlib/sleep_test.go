package starlib_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/starlib"
)

// TestSleepReleasesTheLockAndEndsWithTheTest checks that time.sleep lets
// the test's other threads take the interpreter lock while it waits, and
// that cancelling the test's context ends it at once with the cause.
func TestSleepReleasesTheLockAndEndsWithTheTest(t *testing.T) {
	env := starlib.NewEnv(starlib.Env{})
	rt := env.Runtime
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	thread := rt.NewThread(ctx, "sleeper")
	// started() runs holding the lock, right before the sleep.
	started := make(chan struct{})
	predeclared := starlark.StringDict{"started": starlark.NewBuiltin("started", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		close(started)
		return starlark.None, nil
	})}
	for k, v := range starlib.Predeclared() {
		predeclared[k] = v
	}
	done := make(chan error, 1)
	go func() {
		rt.Lock()
		defer rt.Unlock()
		_, err := starlark.ExecFileOptions(starlib.FileOptions, thread, "sleep.star", "started()\ntime.sleep(3600)\n", predeclared)
		done <- err
	}()
	<-started
	// Another thread gets the lock only when the sleep has released it.
	locked := make(chan struct{})
	go func() { rt.Lock(); close(locked); rt.Unlock() }()
	select {
	case <-locked:
	case err := <-done:
		t.Fatalf("time.sleep(3600) returned before it was cancelled: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("time.sleep(3600) kept the interpreter lock")
	}
	cancel(errors.New("the test timed out after 1s"))
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "time.sleep(3600) ended early: the test timed out after 1s") {
			t.Errorf("a cancelled sleep: %v, want the test's cancellation", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("time.sleep(3600) went on after its test was cancelled")
	}
}
