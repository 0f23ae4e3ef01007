package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// teardownServices ends the test's services after its teardown(ctx),
// whatever happened to the test (see services.Registry.Teardown): stop,
// collect logs (all when the test failed), clean, free. It runs under a
// context that is not cancelled with the test's, with the interpreter lock
// (held by the caller) released so that the services' hooks can take it.
// It returns testErr with the teardown's errors appended after it.
func teardownServices(abort context.Context, rt *starlib.Runtime, tctx *starlib.TestContext, noTeardown bool, testErr error) error {
	rt.Unlock()
	err := tctx.Services.Teardown(abort, services.TeardownOptions{
		ResultsDir: tctx.ResultsDir,
		Failed:     testErr != nil,
		NoTeardown: noTeardown,
	})
	rt.Lock()
	if err == nil {
		return testErr
	}
	// ErrorText renders both, each with its backtrace.
	return errors.Join(testErr, fmt.Errorf("services teardown failed: %w", err))
}
