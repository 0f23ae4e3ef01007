package host

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// teardownServices ends the test's services after its teardown(ctx),
// whatever happened to the test (see services.Registry.Teardown): stop,
// collect logs (all when the test failed), clean, free. It runs under a
// context that is not cancelled with the test's, with the interpreter lock
// (held by the caller) released so that the services' hooks can take it.
// It returns testErr with the teardown's errors appended after it.
func teardownServices(abort context.Context, rt *starlib.Runtime, tctx *starlib.TestContext, testErr error) error {
	rt.Unlock()
	err := tctx.Services.Teardown(abort, services.TeardownOptions{
		ResultsDir: tctx.ResultsDir,
		Failed:     testErr != nil,
	})
	rt.Lock()
	if err == nil {
		return testErr
	}
	err = fmt.Errorf("services teardown failed: %w", err)
	if testErr == nil {
		return err
	}
	return summaryError{testErr, err}
}

// summaryError is errors reported one after the other, each rendered by
// ErrorText (with its backtrace). It has no Unwrap, because ErrorText
// would then render only the first Starlark error inside; errors.Is still
// sees every part.
type summaryError []error

func (e summaryError) Error() string {
	texts := make([]string, len(e))
	for i, err := range e {
		texts[i] = ErrorText(err)
	}
	return strings.Join(texts, "\n")
}

func (e summaryError) Is(target error) bool {
	for _, err := range e {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
