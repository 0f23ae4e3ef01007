package repl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/peterh/liner"
)

// terminal is the line editor on the process's terminal.
//
// It is github.com/peterh/liner: a small, long-lived pure-Go editor with
// Emacs keys, history (with reverse search, saved to a file), word
// completion and Ctrl-C reported as an error, that needs no C library.
// Between prompts it leaves the terminal generating SIGINT on Ctrl-C, which
// is how a running command is cancelled. It always uses os.Stdin and
// os.Stdout. Not safe for concurrent use.
type terminal struct {
	state   *liner.State
	history string // file the history is loaded from and saved to; "" for none
}

// openTerminal puts the terminal in line-editing mode; Close restores it.
// The history is loaded from the file, if it exists (liner keeps the
// last liner.HistoryLimit lines).
func openTerminal(history string, complete liner.WordCompleter) *terminal {
	state := liner.NewLiner()
	state.SetCtrlCAborts(true)
	state.SetTabCompletionStyle(liner.TabPrints)
	state.SetWordCompleter(complete)
	state.SetMultiLineMode(true)
	if history != "" {
		if f, err := os.Open(history); err == nil {
			state.ReadHistory(f)
			f.Close()
		}
	}
	return &terminal{state: state, history: history}
}

// ReadLine shows the prompt and returns the line the user edited.
func (t *terminal) ReadLine(prompt string) (string, error) {
	line, err := t.state.Prompt(prompt)
	if errors.Is(err, liner.ErrPromptAborted) {
		return "", errInterrupted
	}
	if err == nil && strings.TrimSpace(line) != "" {
		t.state.AppendHistory(line)
	}
	return line, err
}

// Close saves the history (creating its directory; the file is readable by
// its owner only) and restores the terminal.
func (t *terminal) Close() error {
	err := t.saveHistory()
	return errors.Join(err, t.state.Close())
}

func (t *terminal) saveHistory() error {
	if t.history == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(t.history), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(t.history, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // commands may hold secrets
	if err != nil {
		return err
	}
	_, err = t.state.WriteHistory(f)
	return errors.Join(err, f.Close())
}
