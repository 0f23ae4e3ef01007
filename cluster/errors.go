package cluster

import (
	"fmt"
	"strings"
	"sync"
)

// tailLines is how many lines of output a CommandError keeps.
const tailLines = 20

// CommandError is a remote command that exited with a non-zero status. It
// names the node, the command, the status and the last lines of its output,
// which the Python ducktape drops.
type CommandError struct {
	Node       string
	Command    string
	ExitStatus int
	// Tail is the last lines of the command's output (stdout and stderr
	// interleaved as written), without a trailing newline.
	Tail string
}

func (e *CommandError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "command failed on %s with exit status %d: %s", e.Node, e.ExitStatus, e.Command)
	if e.Tail == "" {
		b.WriteString("\n  (no output)")
	} else {
		b.WriteString("\n  last output:")
		for _, line := range strings.Split(e.Tail, "\n") {
			b.WriteString("\n  | ")
			b.WriteString(line)
		}
	}
	return b.String()
}

// NodeError is an operation on a node that failed for a reason other than a
// command's exit status: the node is unreachable, a file is missing, the
// operation was cancelled.
type NodeError struct {
	Node string
	Op   string // what was attempted, in words: "copy_to a.txt -> b.txt"
	Err  error
}

func (e *NodeError) Error() string { return fmt.Sprintf("%s on %s: %v", e.Op, e.Node, e.Err) }
func (e *NodeError) Unwrap() error { return e.Err }

// tailBuffer is an io.Writer that keeps only the last max bytes written.
// It is safe for concurrent use, since stdout and stderr may be written by
// different goroutines.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func newTailBuffer(max int) *tailBuffer { return &tailBuffer{max: max} }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// maxTailLine is how much of each line Lines keeps: an error quotes the
// start of a very long line, not all of it.
const maxTailLine = 512

// Lines returns the last n lines held, without a trailing newline, each
// cut after maxTailLine bytes.
func (t *tailBuffer) Lines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimRight(string(t.buf), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if len(l) > maxTailLine {
			lines[i] = strings.ToValidUTF8(l[:maxTailLine], "") + fmt.Sprintf("... (%d bytes in all)", len(l))
		}
	}
	return strings.Join(lines, "\n")
}
