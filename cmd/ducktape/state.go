package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"
)

// globalState is all the OS access of the CLI, so that commands can be run
// in tests with their own streams, environment, files and clock.
type globalState struct {
	ctx       context.Context // the process's context (never cancelled by signals)
	args      []string        // command-line arguments, without the program name
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	stdoutTTY bool // colour and live progress only on a terminal
	stdinTTY  bool // the repl edits lines only on a terminal
	getenv    func(string) string
	readFile  func(string) ([]byte, error)
	now       func() time.Time
	// interrupts, if not nil, starts watching for Ctrl-C during a run: the
	// first cancels stop, the second abort. Without it neither is cancelled.
	interrupts func() (stop, abort context.Context)
}

func newGlobalState() *globalState {
	return &globalState{
		ctx:        context.Background(),
		args:       os.Args[1:],
		stdin:      os.Stdin,
		stdout:     os.Stdout,
		stderr:     os.Stderr,
		stdoutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		stdinTTY:   term.IsTerminal(int(os.Stdin.Fd())),
		getenv:     os.Getenv,
		readFile:   os.ReadFile,
		now:        time.Now,
		interrupts: watchInterrupts,
	}
}

// Interrupt causes, as test summaries show them.
var (
	errInterrupted = errors.New("interrupted (Ctrl-C): the run was stopped")
	errAborted     = errors.New("interrupted twice (Ctrl-C): teardown aborted")
)

// watchInterrupts cancels stop on the first SIGINT or SIGTERM and abort on
// the second; a third ends the process at once.
func watchInterrupts() (stop, abort context.Context) {
	stop, stopRun := context.WithCancelCause(context.Background())
	abort, abortTeardown := context.WithCancelCause(context.Background())
	signals := make(chan os.Signal, 3)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		stopRun(errInterrupted)
		<-signals
		abortTeardown(errAborted)
		<-signals
		os.Exit(exitKilled)
	}()
	return stop, abort
}

// runContexts returns the stop and abort contexts of a run.
func (gs *globalState) runContexts() (stop, abort context.Context) {
	if gs.interrupts == nil {
		return gs.ctx, gs.ctx
	}
	return gs.interrupts()
}
