package repl

import (
	"errors"
	"io"
	"testing"
)

// scripted is a lineSource that returns its lines, then its error, then
// io.EOF, recording the prompts it was shown.
type scripted struct {
	lines   []string
	err     error
	prompts []string
}

func (s *scripted) ReadLine(prompt string) (string, error) {
	s.prompts = append(s.prompts, prompt)
	if len(s.lines) > 0 {
		line := s.lines[0]
		s.lines = s.lines[1:]
		return line, nil
	}
	if err := s.err; err != nil {
		s.err = nil
		return "", err
	}
	return "", io.EOF
}

func TestTerminalInputBlankLineEndsABlock(t *testing.T) {
	src := &scripted{lines: []string{"def f():", "    return 1", "", "f()"}}
	in := &inputReader{src: src, blankEnds: true}
	for _, want := range []int{1, 1} {
		f, err := in.next()
		if err != nil || len(f.Stmts) != want {
			t.Fatalf("next() = %v, %v", f, err)
		}
	}
	if _, err := in.next(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	want := []string{promptFirst, promptMore, promptMore, promptFirst, promptFirst}
	if len(src.prompts) != len(want) {
		t.Fatalf("prompts = %q, want %q", src.prompts, want)
	}
	for i := range want {
		if src.prompts[i] != want[i] {
			t.Errorf("prompts = %q, want %q", src.prompts, want)
		}
	}
}

func TestInterruptDropsThePartialStatement(t *testing.T) {
	src := &scripted{lines: []string{"for x in [1]:", "    print(x)"}, err: errInterrupted}
	in := &inputReader{src: src, blankEnds: true}
	if _, err := in.next(); !errors.Is(err, errInterrupted) {
		t.Fatalf("next() error = %v, want errInterrupted", err)
	}
	src.lines = []string{"1"}
	f, err := in.next()
	if err != nil || len(f.Stmts) != 1 {
		t.Errorf("after the interrupt: %v, %v", f, err)
	}
}
