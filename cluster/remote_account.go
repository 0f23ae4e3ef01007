package cluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// RemoteAccount is the ducktape account API over any [Account]: the methods
// of the Python ducktape's RemoteAccount, with errors that name the node,
// the command, its exit status and its output. It is safe for concurrent
// use if its Account is.
type RemoteAccount struct {
	node string
	acct Account
}

// NewRemoteAccount wraps acct for the node called node (used in errors).
func NewRemoteAccount(node string, acct Account) *RemoteAccount {
	return &RemoteAccount{node: node, acct: acct}
}

// Account returns the provider account underneath.
func (a *RemoteAccount) Account() Account { return a.acct }

// Info returns the account's names.
func (a *RemoteAccount) Info() AccountInfo { return a.acct.Info() }

// outputTailBytes bounds the output a failed command's error can quote.
const outputTailBytes = 16 << 10

// SSH runs cmd and returns its exit status. Unless allowFail, a non-zero
// status is a *CommandError quoting the output's last lines.
func (a *RemoteAccount) SSH(ctx context.Context, cmd string, allowFail bool) (int, error) {
	tail := newTailBuffer(outputTailBytes)
	status, err := a.exec(ctx, cmd, tail, tail)
	return status, a.check(cmd, status, err, allowFail, tail)
}

// exec runs cmd on the account, as the Owner's that ctx carries, if any.
func (a *RemoteAccount) exec(ctx context.Context, cmd string, stdout, stderr io.Writer) (int, error) {
	if o := ownerOf(ctx); o != nil {
		cmd = o.mark(a, cmd)
	}
	return a.acct.Exec(ctx, cmd, stdout, stderr)
}

// OutputOptions tune [RemoteAccount.Output].
type OutputOptions struct {
	AllowFail     bool
	CombineStderr bool          // include stderr in the returned output
	Timeout       time.Duration // zero: none
	// Spill, if not nil, is called once the output passes MaxOutput bytes;
	// the writer it returns receives the whole output (the part kept in
	// memory first, then the rest as it arrives) and is closed before
	// Output returns. Its write errors only stop the spill. Without Spill
	// the rest is counted and dropped, and the returned text ends with a
	// line saying so.
	Spill func() (io.WriteCloser, error)
}

// Output runs cmd and returns its standard output (and standard error, if
// opts.CombineStderr): at most its first MaxOutput bytes (see
// OutputOptions.Spill). Unless opts.AllowFail, a non-zero status is an
// error.
func (a *RemoteAccount) Output(ctx context.Context, cmd string, opts OutputOptions) (string, error) {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	out := &cappedOutput{max: MaxOutput, spill: opts.Spill}
	tail := newTailBuffer(outputTailBytes)
	stdout := io.MultiWriter(out, tail)
	stderr := io.Writer(tail)
	if opts.CombineStderr {
		stderr = stdout
	}
	status, err := a.exec(ctx, cmd, stdout, stderr)
	if err != nil && opts.Timeout > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s", opts.Timeout)
	}
	return out.finish(), a.check(cmd, status, err, opts.AllowFail, tail)
}

func (a *RemoteAccount) check(cmd string, status int, err error, allowFail bool, tail *tailBuffer) error {
	if err != nil {
		return &NodeError{Node: a.node, Op: "running " + strconv.Quote(cmd), Err: err}
	}
	if status != 0 && !allowFail {
		return &CommandError{Node: a.node, Command: cmd, ExitStatus: status, Tail: tail.Lines(tailLines)}
	}
	return nil
}

// Lines is the output of a command started by [RemoteAccount.Capture], one
// line at a time as the command writes them. Next and Err are for one
// goroutine; Close may be called from any.
type Lines struct {
	lines  chan string
	done   chan struct{} // closed when the command has finished
	cancel context.CancelFunc
	err    error // set before done is closed
}

// Next blocks until the next line (without its newline) or the end of the
// output; ok is false at the end, after which Err tells how the command ended.
func (l *Lines) Next() (line string, ok bool) {
	line, ok = <-l.lines
	return line, ok
}

// Err returns the command's error once Next has returned false.
func (l *Lines) Err() error {
	<-l.done
	return l.err
}

// Close abandons the output: the command is stopped if still running.
func (l *Lines) Close() {
	l.cancel()
	for range l.lines { // drain so the reader goroutine ends
	}
}

// MaxLineLength is the longest output line [RemoteAccount.Capture] passes
// on: a longer one stops the command with an error saying so, since the
// line would have to be held in memory whole.
const MaxLineLength = 16 << 20 // "16 MiB" in its error

// Capture starts cmd and streams its output lines. The command is stopped
// when ctx is cancelled or the Lines are closed.
func (a *RemoteAccount) Capture(ctx context.Context, cmd string, allowFail, combineStderr bool) *Lines {
	ctx, cancel := context.WithCancel(ctx)
	l := &Lines{lines: make(chan string, 64), done: make(chan struct{}), cancel: cancel}
	pr, pw := io.Pipe()
	tail := newTailBuffer(outputTailBytes)
	stdout := io.MultiWriter(pw, tail)
	stderr := io.Writer(tail)
	if combineStderr {
		stderr = stdout
	}
	var tooLong atomic.Bool // a line passed MaxLineLength: the reader gave up
	go func() {
		status, err := a.exec(ctx, cmd, stdout, stderr)
		pw.Close()
		l.err = a.check(cmd, status, err, allowFail, tail)
		if tooLong.Load() {
			l.err = &NodeError{Node: a.node, Op: "capturing the output of " + strconv.Quote(cmd),
				Err: errors.New("a line of more than 16 MiB, the longest a line may be, so the command was stopped (use ssh_output, or write the output to a file)")}
		}
		close(l.done)
	}()
	go func() {
		defer close(l.lines)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), MaxLineLength)
		for sc.Scan() {
			select {
			case l.lines <- sc.Text():
			case <-ctx.Done():
				pr.CloseWithError(ctx.Err())
				return
			}
		}
		// Stored before the command is stopped, so its end sees it.
		if errors.Is(sc.Err(), bufio.ErrTooLong) {
			tooLong.Store(true)
			cancel()
		}
		pr.CloseWithError(sc.Err())
		<-l.done
	}()
	return l
}

// aliveCmd exits 0 when process %[1]d exists and is not a zombie (a killed
// process whose parent has not reaped it yet is dead to a test). Without
// /proc it falls back to kill -0.
const aliveCmd = `if [ -d /proc/%[1]d ]; then s=$(cat /proc/%[1]d/stat 2>/dev/null) && s=${s##*) } && [ "${s%%%% *}" != Z ]; else kill -0 %[1]d 2>/dev/null; fi`

// Alive reports whether process pid exists on the node and is not a zombie.
func (a *RemoteAccount) Alive(ctx context.Context, pid int) (bool, error) {
	status, err := a.SSH(ctx, fmt.Sprintf(aliveCmd, pid), true)
	return err == nil && status == 0, err
}

// ParseSignal accepts a signal number or name ("TERM", "SIGTERM", "term").
func ParseSignal(sig string) (unix.Signal, error) {
	if n, err := strconv.Atoi(sig); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("signal number %d out of range", n)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(sig)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if s := unix.SignalNum(name); s != 0 {
		return s, nil
	}
	return 0, fmt.Errorf("unknown signal %q", sig)
}

// Signal sends sig to process pid.
func (a *RemoteAccount) Signal(ctx context.Context, pid int, sig unix.Signal, allowFail bool) error {
	_, err := a.SSH(ctx, fmt.Sprintf("kill -%d %d", int(sig), pid), allowFail)
	return err
}

// Pids returns the processes whose command line matches pattern (see
// [Account.Pids]).
func (a *RemoteAccount) Pids(ctx context.Context, pattern string) ([]int, error) {
	pids, err := a.acct.Pids(ctx, pattern)
	if err != nil {
		return nil, &NodeError{Node: a.node, Op: "looking up processes matching " + strconv.Quote(pattern), Err: err}
	}
	return pids, nil
}

// KillProcess signals every process matching pattern: SIGTERM when
// cleanShutdown, SIGKILL otherwise. Like the Python ducktape it does not wait
// for them to exit. It returns the pids signalled.
func (a *RemoteAccount) KillProcess(ctx context.Context, pattern string, cleanShutdown, allowFail bool) ([]int, error) {
	pids, err := a.Pids(ctx, pattern)
	if err != nil {
		return nil, err
	}
	sig := unix.SIGKILL
	if cleanShutdown {
		sig = unix.SIGTERM
	}
	var errs []error
	for _, pid := range pids {
		// A process may exit between lookup and signal: not an error.
		if _, err := a.SSH(ctx, fmt.Sprintf("kill -%d %d 2>/dev/null || ! kill -0 %d 2>/dev/null", int(sig), pid, pid), allowFail); err != nil {
			errs = append(errs, err)
		}
	}
	return pids, errors.Join(errs...)
}

func (a *RemoteAccount) fs(ctx context.Context) (FileSystem, error) {
	fsys, err := a.acct.FS(ctx)
	if err != nil {
		return nil, &NodeError{Node: a.node, Op: "opening the file system", Err: err}
	}
	return fsys, nil
}

// fileOp runs f on the node's file system, wrapping its error with op.
func (a *RemoteAccount) fileOp(ctx context.Context, op string, f func(FileSystem) error) error {
	fsys, err := a.fs(ctx)
	if err != nil {
		return err
	}
	if err := f(fsys); err != nil {
		return &NodeError{Node: a.node, Op: op, Err: err}
	}
	return nil
}

// CreateFile writes contents to path, creating or truncating it.
func (a *RemoteAccount) CreateFile(ctx context.Context, path string, contents []byte) error {
	return a.fileOp(ctx, "create_file "+path, func(fsys FileSystem) error {
		return writeFile(fsys, path, bytes.NewReader(contents), 0o644)
	})
}

// ReadFile returns the contents of path.
func (a *RemoteAccount) ReadFile(ctx context.Context, path string) ([]byte, error) {
	var data []byte
	err := a.fileOp(ctx, "read_file "+path, func(fsys FileSystem) error {
		f, err := fsys.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		data, err = io.ReadAll(f)
		return err
	})
	return data, err
}

// Mkdir creates directory path; its parent must exist.
func (a *RemoteAccount) Mkdir(ctx context.Context, path string) error {
	return a.fileOp(ctx, "mkdir "+path, func(fsys FileSystem) error { return fsys.Mkdir(path) })
}

// Mkdirs creates directory path and any missing parents.
func (a *RemoteAccount) Mkdirs(ctx context.Context, path string) error {
	return a.fileOp(ctx, "mkdirs "+path, func(fsys FileSystem) error { return fsys.MkdirAll(path) })
}

// Remove removes path recursively. Unless allowFail, a missing path is an error.
func (a *RemoteAccount) Remove(ctx context.Context, path string, allowFail bool) error {
	err := a.fileOp(ctx, "remove "+path, func(fsys FileSystem) error {
		if !allowFail {
			if _, err := fsys.Lstat(path); err != nil {
				return err
			}
		}
		return fsys.RemoveAll(path)
	})
	if allowFail {
		return nil
	}
	return err
}

// stat reports path's info via stat (or lstat), with (nil, nil) when it does
// not exist.
func (a *RemoteAccount) stat(ctx context.Context, path string, link bool) (fs.FileInfo, error) {
	var info fs.FileInfo
	err := a.fileOp(ctx, "stat "+path, func(fsys FileSystem) error {
		var err error
		if link {
			info, err = fsys.Lstat(path)
		} else {
			info, err = fsys.Stat(path)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	})
	return info, err
}

// Exists reports whether path exists (following symbolic links).
func (a *RemoteAccount) Exists(ctx context.Context, path string) (bool, error) {
	info, err := a.stat(ctx, path, false)
	return info != nil, err
}

// IsFile reports whether path is a regular file.
func (a *RemoteAccount) IsFile(ctx context.Context, path string) (bool, error) {
	info, err := a.stat(ctx, path, false)
	return info != nil && info.Mode().IsRegular(), err
}

// IsDir reports whether path is a directory.
func (a *RemoteAccount) IsDir(ctx context.Context, path string) (bool, error) {
	info, err := a.stat(ctx, path, false)
	return info != nil && info.IsDir(), err
}

// IsLink reports whether path is a symbolic link.
func (a *RemoteAccount) IsLink(ctx context.Context, path string) (bool, error) {
	info, err := a.stat(ctx, path, true)
	return info != nil && info.Mode()&fs.ModeSymlink != 0, err
}

// CopyTo copies the local file or directory src (relative to the current
// directory) to dest on the node. As with scp, if dest is an existing
// directory src is copied into it.
func (a *RemoteAccount) CopyTo(ctx context.Context, src, dest string) error {
	return a.fileOp(ctx, fmt.Sprintf("copy_to %s -> %s", src, dest), func(fsys FileSystem) error {
		return copyTree(ctx, LocalFS(""), src, fsys, dest)
	})
}

// CopyFrom copies the file or directory src on the node to the local path
// dest. As with scp, if dest is an existing directory src is copied into it.
func (a *RemoteAccount) CopyFrom(ctx context.Context, src, dest string) error {
	return a.fileOp(ctx, fmt.Sprintf("copy_from %s -> %s", src, dest), func(fsys FileSystem) error {
		return copyTree(ctx, fsys, src, LocalFS(""), dest)
	})
}

// CopyBetween copies src on this node to dest on another node's account.
func (a *RemoteAccount) CopyBetween(ctx context.Context, src, dest string, to *RemoteAccount) error {
	return a.fileOp(ctx, fmt.Sprintf("copy_between %s -> %s:%s", src, to.node, dest), func(srcFS FileSystem) error {
		destFS, err := to.fs(ctx)
		if err != nil {
			return err
		}
		return copyTree(ctx, srcFS, src, destFS, dest)
	})
}

// lockedBuffer is a bytes.Buffer safe for concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
