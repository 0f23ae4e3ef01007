package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"
)

// globalState is all the OS access of the CLI, so that commands can be run
// in tests with their own streams, environment and clock.
type globalState struct {
	ctx       context.Context // cancelled on the first SIGINT/SIGTERM
	args      []string        // command-line arguments, without the program name
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	stdoutTTY bool // colour and live progress only on a terminal
	stdinTTY  bool // the repl edits lines only on a terminal
	getenv    func(string) string
	now       func() time.Time
}

func newGlobalState() *globalState {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return &globalState{
		ctx:       ctx,
		args:      os.Args[1:],
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		stdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		getenv:    os.Getenv,
		now:       time.Now,
	}
}
