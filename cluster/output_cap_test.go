package cluster

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// nopCloser is a spill that records what it gets.
type nopCloser struct {
	bytes.Buffer
	closed bool
}

func (n *nopCloser) Close() error { n.closed = true; return nil }

// TestCappedOutput writes in chunks of every size across the cap: the
// kept text is the first max bytes, the spill gets all of it, in order.
func TestCappedOutput(t *testing.T) {
	const max = 10
	whole := "abcdefghijklmnopqrstuvwxyz"
	for chunk := 1; chunk <= len(whole); chunk++ {
		spill := &nopCloser{}
		c := &cappedOutput{max: max, spill: func() (io.WriteCloser, error) { return spill, nil }}
		for i := 0; i < len(whole); i += chunk {
			c.Write([]byte(whole[i:min(i+chunk, len(whole))]))
		}
		if got := c.finish(); got != whole[:max] {
			t.Errorf("chunks of %d: kept %q; want %q", chunk, got, whole[:max])
		}
		if spill.String() != whole || !spill.closed {
			t.Errorf("chunks of %d: spilled %q (closed %v); want all of %q", chunk, spill.String(), spill.closed, whole)
		}
	}
}

func TestCappedOutputFits(t *testing.T) {
	c := &cappedOutput{max: 10, spill: func() (io.WriteCloser, error) { t.Fatal("spilled output that fits"); return nil, nil }}
	c.Write([]byte("0123456789"))
	if got := c.finish(); got != "0123456789" {
		t.Errorf("kept %q", got)
	}
}

func TestCappedOutputWithoutSpill(t *testing.T) {
	c := &cappedOutput{max: 4}
	c.Write([]byte("0123456789"))
	if got, want := c.finish(), "0123\n[ducktape: output truncated: 10 bytes printed, the first 4 kept]\n"; got != want {
		t.Errorf("kept %q; want %q", got, want)
	}
}

// TestCappedOutputBrokenSpill: a spill that cannot be opened or written
// never fails the command's writes.
func TestCappedOutputBrokenSpill(t *testing.T) {
	c := &cappedOutput{max: 4, spill: func() (io.WriteCloser, error) { return nil, errors.New("disk full") }}
	for range 3 {
		if n, err := c.Write([]byte("0123456789")); n != 10 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if got := c.finish(); !strings.HasPrefix(got, "0123") || len(got) != 4 {
		t.Errorf("kept %q", got)
	}
}
