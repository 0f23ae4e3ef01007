package cluster

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// MaxOutput is how much of a command's output [RemoteAccount.Output] keeps
// in memory and returns: 16 MiB. The rest goes to OutputOptions.Spill, so
// a command that prints gigabytes costs the driver no more memory than
// one that prints MaxOutput.
const MaxOutput = 16 << 20

// cappedOutput is the writer of Output: it keeps the first max bytes and
// counts the rest, which, once the output passes max, it sends to the
// writer that spill opens (the kept part first, then everything after).
// The spill writer's errors stop the spill, never the command: the caller
// that made the writer learns of them from it. Safe for concurrent use
// (stdout and stderr may be written by different goroutines).
type cappedOutput struct {
	max   int
	spill func() (io.WriteCloser, error) // nil: the rest is only counted

	mu      sync.Mutex
	kept    bytes.Buffer
	printed int64
	w       io.WriteCloser // the spill, once opened
	broken  bool           // the spill could not be opened or written
}

func (c *cappedOutput) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.printed += int64(len(p))
	room := min(c.max-c.kept.Len(), len(p))
	c.kept.Write(p[:room])
	if c.printed <= int64(c.max) || c.spill == nil || c.broken {
		return len(p), nil
	}
	rest := p[room:]
	if c.w == nil {
		w, err := c.spill()
		if err != nil {
			c.broken = true
			return len(p), nil
		}
		c.w = w
		rest = p
		if _, err := c.w.Write(c.kept.Bytes()[:c.kept.Len()-room]); err != nil {
			c.broken = true
			return len(p), nil
		}
	}
	if _, err := c.w.Write(rest); err != nil {
		c.broken = true
	}
	return len(p), nil
}

// finish closes the spill and returns the text to hand back: the kept
// output, with, when some was dropped and there is no spill to tell the
// caller, a last line saying so.
func (c *cappedOutput) finish() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w != nil {
		c.w.Close()
	}
	text := c.kept.String()
	if c.printed > int64(c.max) && c.spill == nil {
		text += fmt.Sprintf("\n[ducktape: output truncated: %d bytes printed, the first %d kept]\n", c.printed, c.max)
	}
	return text
}
