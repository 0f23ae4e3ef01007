package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"go.starlark.net/syntax"
)

// ErrInputFailed is returned by Run, when not on a terminal, if an input
// (or the file run first) failed; the errors were already printed. It is
// also returned, wrapped with the signal, when a signal ended the session.
var ErrInputFailed = errors.New("an input failed")

// Options configure Run.
type Options struct {
	Config
	// File, if set, is executed first; its globals become the session's.
	File string
	// In is the input when not on a terminal.
	In io.Reader
	// Terminal selects line editing, prompts and history on the process's
	// terminal (os.Stdin and os.Stdout; In is not used).
	Terminal bool
	// HistoryFile keeps the terminal's history ("" for none).
	HistoryFile string
	// Signals delivers the process's signals: os.Interrupt cancels the
	// running input (and, when not on a terminal, ends the session); any
	// other signal cancels it and ends the session.
	Signals <-chan os.Signal
}

// interruptCause is why a Ctrl-C'd input's context was cancelled.
var interruptCause = errors.New("interrupted")

// Run runs a session until the input ends (Ctrl-D), exit() or a signal
// ends it, then tears down the session's services, cancels what is still
// running and waits for it. Errors of inputs are printed and do not end
// the session. Run returns ErrInputFailed if there were any when not on a
// terminal or a signal ended the session, an *fs.PathError when File
// cannot be read, and other errors when the input cannot be read. Run
// calls are independent; one Run is driven by the calling goroutine.
func Run(ctx context.Context, opts Options) error {
	ctx, end := context.WithCancelCause(ctx)
	defer end(nil)
	s, err := NewSession(ctx, opts.Config)
	if err != nil {
		return err
	}
	fg := &foreground{interactive: opts.Terminal, end: end}
	go fg.watch(ctx, opts.Signals)
	defer func() {
		if err := s.Teardown(ctx); err != nil {
			s.printError(err)
		}
		end(errors.New("the session ended"))
		s.Wait()
	}()

	failed := false
	if opts.File != "" {
		err := fg.run(ctx, func(ctx context.Context) error { return s.ExecFile(ctx, opts.File) })
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			return err
		}
		if err != nil {
			s.printError(err)
			failed = true
		}
	}

	var src lineSource = newPipeSource(opts.In)
	if opts.Terminal {
		term := openTerminal(opts.HistoryFile, s.Complete)
		defer func() {
			if err := term.Close(); err != nil {
				fmt.Fprintf(s.errOut, "saving the history: %v\n", err)
			}
		}()
		src = term
	}
	in := &inputReader{src: src, blankEnds: opts.Terminal}
	for ctx.Err() == nil && !s.Exited() {
		f, err := readInput(ctx, in)
		var syntaxErr syntax.Error
		switch {
		case ctx.Err() != nil:
		case errors.Is(err, io.EOF):
			if opts.Terminal {
				fmt.Fprintln(s.out)
			}
			return result(failed && !opts.Terminal)
		case errors.Is(err, errInterrupted):
			fmt.Fprintln(s.out, "^C")
		case errors.As(err, &syntaxErr):
			s.printError(err)
			failed = true
		case err != nil:
			return fmt.Errorf("reading the input: %w", err)
		default:
			if err := fg.run(ctx, func(ctx context.Context) error { return s.Exec(ctx, f) }); err != nil {
				s.printError(err)
				failed = true
			}
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %v", ErrInputFailed, context.Cause(ctx))
	}
	return result(failed && !opts.Terminal)
}

func result(failed bool) error {
	if failed {
		return ErrInputFailed
	}
	return nil
}

// readInput reads the next statement on its own goroutine so that a
// signal can end the session while the prompt waits. When ctx ends first
// the reader is abandoned (the process is about to exit).
func readInput(ctx context.Context, in *inputReader) (*syntax.File, error) {
	type read struct {
		f   *syntax.File
		err error
	}
	done := make(chan read, 1)
	go func() {
		f, err := in.next()
		done <- read{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// foreground tracks the input being evaluated so that signals can cancel
// it. Safe for concurrent use.
type foreground struct {
	interactive bool
	end         context.CancelCauseFunc // ends the session

	mu     sync.Mutex
	cancel context.CancelCauseFunc // the running input's; nil at the prompt
}

// run calls fn with a context of its own that an interrupt cancels. The
// context is not cancelled when fn returns: background work that fn
// started lives on until the session ends.
func (fg *foreground) run(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	fg.mu.Lock()
	fg.cancel = cancel
	fg.mu.Unlock()
	defer func() {
		fg.mu.Lock()
		fg.cancel = nil
		fg.mu.Unlock()
	}()
	return fn(ctx)
}

// watch handles signals until ctx ends.
func (fg *foreground) watch(ctx context.Context, signals <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case sig := <-signals:
			// A signal that ends the session ends it before the running
			// input sees its cancellation, so that the loop never reads
			// the next input in between.
			if sig != os.Interrupt || !fg.interactive {
				fg.end(fmt.Errorf("%v", sig))
			}
			fg.mu.Lock()
			if fg.cancel != nil {
				fg.cancel(interruptCause)
			}
			fg.mu.Unlock()
		}
	}
}
