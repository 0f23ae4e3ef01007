package repl

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"go.starlark.net/syntax"
)

// errInterrupted is returned by a lineSource when the user pressed Ctrl-C
// at the prompt.
var errInterrupted = errors.New("interrupted")

// Prompts, shown only on a terminal.
const (
	promptFirst = ">>> "
	promptMore  = "... "
)

// lineSource yields the lines of the user's input.
type lineSource interface {
	// ReadLine returns the next line without its line ending, io.EOF at
	// the end of the input, or errInterrupted.
	ReadLine(prompt string) (string, error)
}

// pipeSource reads lines from a reader that is not a terminal: no
// prompts, no editing.
type pipeSource struct{ r *bufio.Reader }

func newPipeSource(r io.Reader) *pipeSource { return &pipeSource{bufio.NewReader(r)} }

func (p *pipeSource) ReadLine(string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil
	}
	return strings.TrimRight(line, "\r\n"), err
}

// inputReader splits the user's lines into statements, as Python's prompt
// does: a simple statement ends with its line (or its closing bracket); a
// def, if, for or while block ends with a line that starts at the left
// margin and does not continue the block (else, elif, a closing bracket,
// the inside of a triple-quoted string), which is kept as the start of the
// next statement. On a terminal a blank line ends a block too, as in
// Python's prompt; in piped input blank lines and comment lines inside a
// block are skipped, so that scripts can be piped in. Not safe for
// concurrent use.
type inputReader struct {
	src       lineSource
	blankEnds bool    // a blank line ends a block (on a terminal)
	pending   *string // a line read ahead: the start of the next statement
	eof       bool
}

// next reads and parses the next statement. It returns io.EOF at the end
// of the input, errInterrupted when the user pressed Ctrl-C (the partial
// statement is dropped), a syntax.Error for bad syntax, an error of the
// lineSource, or a file of zero or one statement.
func (r *inputReader) next() (*syntax.File, error) {
	var lines []string
	var compound bool
	var readErr error
	readline := func() ([]byte, error) {
		for {
			line, err := r.take(len(lines) == 0)
			if err == io.EOF {
				r.eof = true
				return nil, nil // the scanner takes an empty read as the end
			}
			if err != nil {
				readErr = err
				return nil, err
			}
			if len(lines) == 0 {
				compound = startsBlock(line)
			} else if compound && !inTripleQuotes(lines) {
				trimmed := strings.TrimSpace(line)
				switch {
				case trimmed == "" && r.blankEnds:
					return []byte("\n"), nil
				case trimmed == "" || trimmed[0] == '#':
					continue // the scanner would take it as the end of the block
				case endsBlock(line):
					r.pending = &line
					return []byte("\n"), nil
				}
			}
			lines = append(lines, line)
			return []byte(line + "\n"), nil
		}
	}
	f, err := fileOptions.ParseCompoundStmt("<stdin>", readline)
	switch {
	case readErr != nil:
		return nil, readErr
	case r.eof && strings.TrimSpace(strings.Join(lines, "")) == "":
		return nil, io.EOF
	}
	return f, err
}

// take returns the pending line, or reads one.
func (r *inputReader) take(first bool) (string, error) {
	if r.pending != nil {
		line := *r.pending
		r.pending = nil
		return line, nil
	}
	if r.eof {
		return "", io.EOF
	}
	prompt := promptMore
	if first {
		prompt = promptFirst
	}
	return r.src.ReadLine(prompt)
}

// startsBlock reports whether line starts a compound statement.
func startsBlock(line string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	word = strings.TrimRight(word, ":")
	switch word {
	case "def", "if", "for", "while":
		return true
	}
	return false
}

// endsBlock reports whether a non-blank line, read inside a compound
// statement, starts a new statement instead of continuing the block.
func endsBlock(line string) bool {
	switch line[0] {
	case ' ', '\t', ')', ']', '}':
		return false
	}
	for _, kw := range []string{"else", "elif"} {
		if rest, ok := strings.CutPrefix(line, kw); ok && (rest == "" || !isIdentChar(rest[0])) {
			return false
		}
	}
	return true
}

// inTripleQuotes reports whether the lines end inside a triple-quoted
// string (counting quotes naively, which suffices for scripts).
func inTripleQuotes(lines []string) bool {
	text := strings.Join(lines, "\n")
	return (strings.Count(text, `"""`)+strings.Count(text, `'''`))%2 == 1
}

func isIdentChar(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
