package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// cmdEnv is the environment variable by which a command's processes can
// be found when it is cancelled: every command runs after `export
// DUCKTAPE_CMD=<token>:$$`, a token unique to the command and the pid of
// its shell, which sshd made a session and process group leader. The
// export costs nothing on the wire; a marker line printed by the shell (the
// earlier design) was a packet more per command, most of the driver's own
// cost of a short command (docs/performance.md, "A command at the floor").
const cmdEnv = "DUCKTAPE_CMD"

// cmdTokens makes the tokens of cmdEnv: this process's random prefix and a
// counter, so that no two commands of any driver on a node share one.
var cmdTokens = struct {
	prefix string
	n      atomic.Uint64
}{prefix: randomHex(6)}

func nextCmdToken() string {
	return cmdTokens.prefix + "-" + strconv.FormatUint(cmdTokens.n.Add(1), 10)
}

// Exec runs cmd in the login user's shell, in the home directory, as `ssh
// host cmd` does. When ctx is cancelled the command's process group is
// killed (from a second session, see killCommandScript) and the session
// closed, so no remote process of the command's foreground is left behind;
// processes it put in the background with their own session (setsid, or
// nohup ... & after set -m) are not touched, as on a local node.
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
	token := nextCmdToken()
	s, release, err := a.pool.session(ctx, func(s *ssh.Session) error {
		s.Stdout, s.Stderr = pooledCopy{stdout}, pooledCopy{stderr}
		return s.Start("export " + cmdEnv + "=" + token + ":$$; " + cmd)
	})
	if err != nil {
		return -1, err
	}
	defer release()
	killed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(killed)
		a.killCommand(token)
		s.Close()
	})
	err = s.Wait()
	if !stop() { // cancelled: the command was killed, or is being
		<-killed
		return -1, ctx.Err()
	}
	return a.exitStatus(err)
}

// killCommandScript SIGKILLs the process group of the command whose token
// is token: the group whose id its processes carry in cmdEnv (those the
// shell started after the export, and the shell itself if it exec'd its
// last command), or, when none has been started, the group of the shell
// that was given the command (a session leader whose command line holds
// the token). It scans up to three times, 50 ms apart, until it finds the
// group, since a command cancelled at once may not have started yet. The
// token is split in the script's text so that its own shell does not match.
func killCommandScript(token string) string {
	half := len(token) / 2
	return fmt.Sprintf(`t=%s=%s; t="${t}%s:"; for i in 1 2 3; do `+
		`g=$(grep -ashoz "$t[0-9]*" /proc/[0-9]*/environ | tr '\0' '\n' | sed -n "s/^$t//p;q"); `+
		`[ -n "$g" ] || for f in $(grep -lsaF "$t" /proc/[0-9]*/cmdline); do `+
		`p=${f#/proc/}; p=${p%%/cmdline}; s=$(cat /proc/$p/stat 2>/dev/null) || continue; set -- ${s##*) }; `+
		`[ "$4" = "$p" ] && g=$p && break; done; `+
		`[ -n "$g" ] && { kill -KILL -$g; exit; }; sleep 0.05; done`,
		cmdEnv, token[:half], token[half:])
}

// killCommand kills the process group of the command with token, best
// effort.
func (a *sshAccount) killCommand(token string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kill := killCommandScript(token)
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
