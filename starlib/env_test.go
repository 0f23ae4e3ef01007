package starlib_test

import (
	"context"
	"testing"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/starlib"
)

// TestEveryThreadOfATestCarriesItsEnv checks that EnvOf finds the test's
// environment on its threads, those started by Runtime.Go included, and
// nothing on other threads.
func TestEveryThreadOfATestCarriesItsEnv(t *testing.T) {
	env := starlib.NewEnv(starlib.Env{})
	if env.Log == nil || env.Runtime == nil {
		t.Fatalf("NewEnv left Log %v, Runtime %v", env.Log, env.Runtime)
	}
	thread := env.Runtime.NewThread(context.Background(), "main")
	if got := starlib.EnvOf(thread); got != env {
		t.Errorf("EnvOf(thread) = %p, want %p", got, env)
	}
	got := make(chan *starlib.Env, 1)
	env.Runtime.Go(thread, "worker", func(worker *starlark.Thread) { got <- starlib.EnvOf(worker) })
	env.Runtime.Wait()
	if g := <-got; g != env {
		t.Errorf("EnvOf(worker) = %p, want %p", g, env)
	}
	if g := starlib.EnvOf(&starlark.Thread{}); g != nil {
		t.Errorf("EnvOf(a thread of no test) = %p, want nil", g)
	}
}
