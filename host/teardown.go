package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// teardownServices ends the test's faults and services (env.Faults and
// env.Services) after its teardown(ctx), whatever happened to the test: it
// heals every fault still active (see faults.Registry.Close), then stops
// the services, collects logs into resultsDir (all when the test failed),
// cleans and frees (see services.Registry.Teardown). It runs under a context that is not
// cancelled with the test's, with the interpreter lock (held by the
// caller) released so that the services' hooks can take it. It returns
// testErr with the teardown's errors appended after it.
func teardownServices(abort context.Context, env *starlib.Env, resultsDir string, noTeardown bool, testErr error) error {
	rt := env.Runtime
	rt.Unlock()
	// Faults are healed first: a paused or cut-off service could not stop
	// cleanly, and logs are collected from healed nodes.
	healErr := env.Faults.Close(abort)
	err := env.Services.Teardown(abort, services.TeardownOptions{
		ResultsDir: resultsDir,
		Failed:     testErr != nil,
		NoTeardown: noTeardown,
	})
	rt.Lock()
	if healErr != nil {
		testErr = errors.Join(testErr, fmt.Errorf("healing faults failed: %w", healErr))
	}
	if err == nil {
		return testErr
	}
	// ErrorText renders both, each with its backtrace.
	return errors.Join(testErr, fmt.Errorf("services teardown failed: %w", err))
}
