package cluster

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

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
	sniff := NewPgidSniffer(stdout)
	s, release, err := a.pool.session(ctx, func(s *ssh.Session) error {
		s.Stdout, s.Stderr = pooledCopy{sniff}, pooledCopy{stderr}
		return s.Start(PgidScript(cmd))
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
	case pgid := <-sniff.Found():
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
	s, release, err := a.pool.session(ctx, func(s *ssh.Session) error { return s.Start(KillGroupCmd(pgid)) })
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
