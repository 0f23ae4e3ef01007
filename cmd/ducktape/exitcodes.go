package main

import (
	"errors"
	"fmt"
)

// Exit statuses (see docs/cli.md, "Exit status"). Each comment is the
// meaning docs/cli.md gives (TestDocsExitStatuses generates its table from
// them).
const (
	exitOK         = 0   // every test passed (FLAKY and IGNORE count as passed)
	exitTestFailed = 1   // a test failed, a file failed to load, the run was interrupted, its reports could not be written (a full disk) or its session recorded in the results store (--store); for ducktape compare and ducktape trends regressions, a value regressed
	exitUsage      = 2   // bad usage or configuration: the message names the flag or file and why
	exitUnknown    = 3   // ducktape check could not decide: a search ran out of its time limit
	exitKilled     = 130 // a third Ctrl-C (or SIGTERM) ended the process at once, without teardown (128 + SIGINT, as shells report it)
)

// exitError carries an exit status and, unless silent, a message for stderr.
type exitError struct {
	code   int
	err    error
	silent bool // already reported (test failures are in the summary)
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf is bad usage or configuration: exit status 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// exitCode maps a command's error to the process exit status.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitUsage // cobra's own errors: unknown flags, bad arguments
}
