package starlib

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
)

// outputSpill is where ssh_output puts a command's whole output once it
// passes cluster.MaxOutput bytes: a file ssh_output-<node>-<random>.txt
// in the test's results directory, created only then. It counts what it
// is given and keeps its first error. Safe for concurrent use.
type outputSpill struct {
	dir, node string

	mu      sync.Mutex
	path    string // set once opened
	f       *os.File
	written int64
	err     error
}

// spillFor returns the spill of a command on node for thread's test, or
// nil where the test has no results directory (the REPL without one).
func spillFor(thread *starlark.Thread, node string) *outputSpill {
	env := EnvOf(thread)
	if env == nil || env.ResultsDir == "" {
		return nil
	}
	return &outputSpill{dir: env.ResultsDir, node: strings.ReplaceAll(node, "/", "_")}
}

// open is the cluster.OutputOptions.Spill.
func (s *outputSpill) open() (io.WriteCloser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.CreateTemp(s.dir, "ssh_output-"+s.node+"-*.txt")
	if err != nil {
		s.err = err
		return nil, err
	}
	f.Chmod(0o644) // as the other results files
	s.f, s.path = f, f.Name()
	return s, nil
}

func (s *outputSpill) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.f.Write(p)
	s.written += int64(n)
	if err != nil && s.err == nil {
		s.err = err
	}
	return n, err
}

func (s *outputSpill) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.f.Close(); err != nil && s.err == nil {
		s.err = err
	}
	return s.err
}

// report logs, when the output overflowed, that the returned text is its
// first cluster.MaxOutput bytes and where the whole of it went.
func (s *outputSpill) report(thread *starlark.Thread, cmd string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	head := fmt.Sprintf("ssh_output on %s: output truncated: %s printed by %q, the first %s returned", s.node, byteSize(s.written), cmd, byteSize(cluster.MaxOutput))
	switch {
	case s.path == "" && s.err == nil:
		return // it fit
	case s.err != nil && s.path == "":
		logf(thread, LevelWarning, "%s; the rest is lost: creating a file for it in %s failed: %v", head, s.dir, s.err)
	case s.err != nil:
		logf(thread, LevelWarning, "%s; writing the whole output to %s failed after %s: %v", head, filepath.Base(s.path), byteSize(s.written), s.err)
	default:
		logf(thread, LevelWarning, "%s; the whole output is in %s", head, filepath.Base(s.path))
	}
}

// byteSize says n in MiB (or bytes when small), for messages.
func byteSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
