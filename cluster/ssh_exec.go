package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// pgidMarker starts the line the remote shell prints first: its pid, which
// is also its process group (sshd makes every session's shell a session
// leader). A cancelled command's whole group is killed through it.
const pgidMarker = "\x1educktape-pgid "

// Exec runs cmd in the login user's shell, in the home directory, as `ssh
// host cmd` does. When ctx is cancelled the command's process group is
// killed (from a second session) and the session closed, so no remote
// process of the command's foreground is left behind; processes it put in
// the background with their own session (setsid, or nohup ... & after
// set -m) are not touched, as on a local node.
//
// As with OpenSSH, a command returns only once every process holding its
// output has exited: redirect the output of background processes.
func (a *sshAccount) Exec(ctx context.Context, cmd string, stdout, stderr io.Writer) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	sniff := &pgidSniffer{w: stdout, found: make(chan int, 1)}
	s, release, err := a.pool.session(ctx, func(s *ssh.Session) error {
		s.Stdout, s.Stderr = pooledCopy{sniff}, pooledCopy{stderr}
		return s.Start(`printf '` + pgidMarker + `%d\n' $$; ` + cmd)
	})
	if err != nil {
		return -1, err
	}
	defer release()
	done := make(chan error, 1)
	go func() { done <- s.Wait() }()
	select {
	case err := <-done:
		return a.exitStatus(err)
	case <-ctx.Done():
	}
	select {
	case pgid := <-sniff.found:
		a.killGroup(pgid)
	case <-time.After(time.Second): // the shell never started: nothing to kill
	}
	s.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	return -1, ctx.Err()
}

// killGroup kills a remote process group, best effort.
func (a *sshAccount) killGroup(pgid int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kill := fmt.Sprintf("kill -KILL -%d", pgid) // dash's kill takes no "--"
	s, release, err := a.pool.session(ctx, func(s *ssh.Session) error { return s.Start(kill) })
	if err != nil {
		return
	}
	defer release()
	s.Wait()
}

// copyBuffers are the buffers of the copies from a session's output to
// the command's writers. x/crypto/ssh copies each output stream with
// io.Copy, which allocates 32 KB per stream unless the writer is an
// io.ReaderFrom: 64 KB of garbage per command, a quarter of a command's
// CPU in a fan-out (collected by the GC). Reads of the channel return at
// most a packet, so 8 KB loses nothing.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// pooledCopy is a writer whose ReadFrom copies through copyBuffers.
type pooledCopy struct{ w io.Writer }

func (p pooledCopy) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p pooledCopy) ReadFrom(r io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	// Hide w's own ReadFrom, which may allocate as io.Copy does (os.File's).
	return io.CopyBuffer(struct{ io.Writer }{p.w}, r, *buf)
}

// exitStatus turns a session's end into an exit status (128+n for a signal,
// as a shell reports it) or an error when the connection was lost.
func (a *sshAccount) exitStatus(err error) (int, error) {
	var exitErr *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exitErr):
		return exitErr.ExitStatus(), nil
	case errors.As(err, &missing), errors.Is(err, io.EOF):
		return -1, a.connLost(err)
	}
	return -1, err
}

// pgidSniffer passes stdout through, less the marker line that carries the
// shell's pid, which it sends on found. Lines a login script prints before
// the marker pass through; after maxSniff bytes without it, sniffing stops.
type pgidSniffer struct {
	w     io.Writer
	found chan int

	mu   sync.Mutex
	buf  []byte
	done bool
}

const maxSniff = 4096

func (p *pgidSniffer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return p.w.Write(b)
	}
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			if len(p.buf) > maxSniff {
				return len(b), p.flush()
			}
			return len(b), nil
		}
		line := p.buf[:i]
		if rest, ok := bytes.CutPrefix(line, []byte(pgidMarker)); ok {
			if pid, err := strconv.Atoi(string(rest)); err == nil {
				p.found <- pid
			}
			p.buf = p.buf[i+1:]
			return len(b), p.flush()
		}
		if _, err := p.w.Write(p.buf[:i+1]); err != nil {
			return 0, err
		}
		p.buf = p.buf[i+1:]
	}
}

// flush stops sniffing and writes what is held.
func (p *pgidSniffer) flush() error {
	p.done = true
	if len(p.buf) == 0 {
		return nil
	}
	_, err := p.w.Write(p.buf)
	p.buf = nil
	return err
}
