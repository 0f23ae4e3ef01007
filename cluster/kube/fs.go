package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// execFS is a pod's file system through exec: every operation is one
// command of the node image's coreutils and findutils, run by /bin/sh with
// the paths as its arguments ("$1", "$2": nothing is quoted into the
// script). Relative paths resolve against the container's working
// directory, as the commands' do. A script reports a missing path, a
// non-directory and an existing path by its exit status (see fsErrors);
// the message of any other failure is its stderr. Safe for concurrent use.
type execFS struct {
	ctx context.Context // of the RemoteAccount operation that opened it
	a   *account
}

// Exit statuses of the scripts that stand for an errno.
var fsErrors = map[int]error{
	2: fs.ErrNotExist,   // ENOENT
	3: syscall.ENOTDIR,  // ENOTDIR
	4: fs.ErrExist,      // EEXIST
	5: syscall.EISDIR,   // EISDIR
	6: fs.ErrInvalid,    // EINVAL: not a symbolic link
	7: fs.ErrPermission, // EACCES
}

// parentCheck fails with the status of ENOENT or ENOTDIR when the parent
// directory of "$1" is missing or not a directory.
const parentCheck = `d=$(dirname -- "$1"); [ -e "$d" ] || exit 2; [ -d "$d" ] || exit 3; `

// run runs script with args as "$1"... and returns its stdout; a failure is
// a *fs.PathError for op on args[0].
func (f *execFS) run(op, script string, stdin io.Reader, args ...string) ([]byte, error) {
	var out, errOut bytes.Buffer
	status, err := f.a.exec(f.ctx, append([]string{"/bin/sh", "-c", script, "sh"}, args...), stdin, &out, &errOut)
	if err == nil && status != 0 {
		err = statusError(status, errOut.String())
	}
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: args[0], Err: err}
	}
	return out.Bytes(), nil
}

// statusError is the error a script's non-zero exit status stands for.
func statusError(status int, stderr string) error {
	if err, ok := fsErrors[status]; ok {
		return err
	}
	if msg := strings.TrimSpace(stderr); msg != "" {
		return errors.New(msg)
	}
	return fmt.Errorf("exit status %d", status)
}

// statFormat is stat(1)'s format of one file: raw mode (hex), size,
// modification time, name.
const statFormat = "%f %s %Y %n"

func (f *execFS) Stat(p string) (fs.FileInfo, error) {
	return f.stat("stat", `[ -e "$1" ] || exit 2; exec stat -L -c '`+statFormat+`' -- "$1"`, p)
}

func (f *execFS) Lstat(p string) (fs.FileInfo, error) {
	return f.stat("lstat", `[ -e "$1" ] || [ -h "$1" ] || exit 2; exec stat -c '`+statFormat+`' -- "$1"`, p)
}

func (f *execFS) stat(op, script, p string) (fs.FileInfo, error) {
	out, err := f.run(op, script, nil, p)
	if err != nil {
		return nil, err
	}
	info, err := parseStat(strings.TrimSuffix(string(out), "\n"))
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: p, Err: err}
	}
	info.name = path.Base(p)
	return info, nil
}

// ReadDir lists a directory with find's -printf: per entry its mode bits
// (octal), type letter, size, modification time and name, NUL-terminated.
func (f *execFS) ReadDir(p string) ([]fs.FileInfo, error) {
	out, err := f.run("readdir", `[ -e "$1" ] || exit 2; [ -d "$1" ] || exit 3; `+
		`exec find "$1" -mindepth 1 -maxdepth 1 -printf '%m %y %s %T@ %f\0'`, nil, p)
	if err != nil {
		return nil, err
	}
	var infos []fs.FileInfo
	for _, entry := range bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0}) {
		if len(entry) == 0 {
			continue
		}
		info, err := parseFind(string(entry))
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: p, Err: err}
		}
		infos = append(infos, info)
	}
	return infos, nil
}

func (f *execFS) Mkdir(p string) error {
	_, err := f.run("mkdir", parentCheck+`[ -e "$1" ] && exit 4; exec mkdir -- "$1"`, nil, p)
	return err
}

func (f *execFS) MkdirAll(p string) error {
	_, err := f.run("mkdir", `exec mkdir -p -- "$1"`, nil, p)
	return err
}

func (f *execFS) RemoveAll(p string) error {
	_, err := f.run("remove", `exec rm -rf -- "$1"`, nil, p)
	return err
}

func (f *execFS) Symlink(oldname, newname string) error {
	_, err := f.run("symlink", `[ -e "$1" ] || [ -h "$1" ] && exit 4; exec ln -s -- "$2" "$1"`, nil, newname, oldname)
	return err
}

func (f *execFS) ReadLink(p string) (string, error) {
	out, err := f.run("readlink", `[ -h "$1" ] || { [ -e "$1" ] && exit 6; exit 2; }; exec readlink -- "$1"`, nil, p)
	return strings.TrimSuffix(string(out), "\n"), err
}

// ready is the byte a streaming script prints once its checks passed and
// the transfer begins, so that Open and Create fail at once, with the
// right error, when they cannot. The scripts run cat as the shell's child,
// never with exec: a cat exec'd in the shell's place was seen here (Debian's
// containerd 1.6) to end the stream before it had written all its input.
const ready = "\x06"

// Open streams the file with cat.
func (f *execFS) Open(p string) (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	s := f.stream("open", `[ -e "$1" ] || exit 2; [ -d "$1" ] && exit 5; [ -r "$1" ] || exit 7; `+
		`printf '`+ready+`'; cat -- "$1"`, p, nil, pw)
	if err := s.waitReady(); err != nil {
		pr.Close()
		return nil, err
	}
	return &streamReader{pr: pr, s: s}, nil
}

// Create truncates (or creates) the file, sets its mode and streams what
// is written into it with cat.
func (f *execFS) Create(p string, perm fs.FileMode) (io.WriteCloser, error) {
	pr, pw := io.Pipe()
	s := f.stream("create", parentCheck+`[ -d "$1" ] && exit 5; : > "$1" || exit 7; chmod "$2" -- "$1" || exit; `+
		`printf '`+ready+`'; cat > "$1"`, p, pr, nil, fmt.Sprintf("%o", perm.Perm()))
	if err := s.waitReady(); err != nil {
		pw.Close()
		return nil, err
	}
	return &streamWriter{pw: pw, s: s}, nil
}

// stream is a running transfer command.
type stream struct {
	op, path string
	cancel   context.CancelFunc // ends the command's stream
	readyCh  chan struct{}      // closed once the ready byte arrived
	done     chan struct{}      // closed when the command has ended
	err      error              // how it ended (set before done is closed)
}

// stream starts script with args "$1"=p, "$2"... Its stdout past the ready
// byte goes to out (closed, with the command's error, when it ends), and
// stdin (may be nil) feeds it.
func (f *execFS) stream(op, script, p string, stdin io.Reader, out *io.PipeWriter, more ...string) *stream {
	ctx, cancel := context.WithCancel(f.ctx)
	s := &stream{op: op, path: p, cancel: cancel, readyCh: make(chan struct{}), done: make(chan struct{})}
	gate := &readyGate{ready: s.readyCh, w: out}
	go func() {
		defer cancel()
		var errOut bytes.Buffer
		status, err := f.a.exec(ctx, append([]string{"/bin/sh", "-c", script, "sh", p}, more...), stdin, gate, &errOut)
		if err == nil && status != 0 {
			err = statusError(status, errOut.String())
		}
		if err != nil {
			s.err = &fs.PathError{Op: op, Path: p, Err: err}
		}
		if out != nil {
			out.CloseWithError(s.err)
		}
		if c, ok := stdin.(io.Closer); ok {
			c.Close() // a writer still writing gets an error, not a hang
		}
		close(s.done)
	}()
	return s
}

// waitReady waits until the transfer began or the command failed.
func (s *stream) waitReady() error {
	select {
	case <-s.readyCh:
		return nil
	case <-s.done:
		if s.err != nil {
			return s.err
		}
		return &fs.PathError{Op: s.op, Path: s.path, Err: errors.New("the command ended before the transfer began")}
	}
}

// readyGate passes its writes to w (if any) past the first byte, which it
// takes as the ready signal. Writes come from one goroutine.
type readyGate struct {
	once  sync.Once
	ready chan struct{}
	w     io.Writer
}

func (g *readyGate) Write(p []byte) (int, error) {
	n := len(p)
	g.once.Do(func() {
		if len(p) > 0 && p[0] == ready[0] {
			p = p[1:]
		}
		close(g.ready)
	})
	if g.w != nil && len(p) > 0 {
		if _, err := g.w.Write(p); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// streamReader is an open file: a read past its end returns io.EOF once
// cat succeeded, or its error.
type streamReader struct {
	pr *io.PipeReader
	s  *stream
}

func (r *streamReader) Read(p []byte) (int, error) { return r.pr.Read(p) }

// Close abandons the rest of the file, if any: the stream is closed.
func (r *streamReader) Close() error {
	r.pr.Close()
	r.s.cancel()
	<-r.s.done
	return nil
}

// streamWriter is a file being created: Close ends its input and returns
// how cat ended.
type streamWriter struct {
	pw *io.PipeWriter
	s  *stream
}

func (w *streamWriter) Write(p []byte) (int, error) { return w.pw.Write(p) }

func (w *streamWriter) Close() error {
	w.pw.Close()
	<-w.s.done
	return w.s.err
}

// fileInfo is a file's stat as the scripts print it.
type fileInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
}

func (i *fileInfo) Name() string       { return i.name }
func (i *fileInfo) Size() int64        { return i.size }
func (i *fileInfo) Mode() fs.FileMode  { return i.mode }
func (i *fileInfo) ModTime() time.Time { return i.mtime }
func (i *fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *fileInfo) Sys() any           { return nil }

// parseStat parses a line of statFormat.
func parseStat(line string) (*fileInfo, error) {
	fields := strings.SplitN(line, " ", 4)
	if len(fields) != 4 {
		return nil, fmt.Errorf("stat printed %q", line)
	}
	raw, err1 := strconv.ParseUint(fields[0], 16, 32)
	size, err2 := strconv.ParseInt(fields[1], 10, 64)
	mtime, err3 := strconv.ParseInt(fields[2], 10, 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("stat printed %q: %w", line, err)
	}
	return &fileInfo{name: fields[3], size: size, mode: unixMode(uint32(raw)), mtime: time.Unix(mtime, 0)}, nil
}

// parseFind parses one entry of ReadDir's find -printf format.
func parseFind(entry string) (*fileInfo, error) {
	fields := strings.SplitN(entry, " ", 5)
	if len(fields) != 5 || len(fields[1]) != 1 {
		return nil, fmt.Errorf("find printed %q", entry)
	}
	perm, err1 := strconv.ParseUint(fields[0], 8, 32)
	size, err2 := strconv.ParseInt(fields[2], 10, 64)
	secs, err3 := strconv.ParseFloat(fields[3], 64)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("find printed %q: %w", entry, err)
	}
	mode := unixMode(uint32(perm)) // the permission bits, with setuid, setgid and sticky
	mode |= map[byte]fs.FileMode{'d': fs.ModeDir, 'l': fs.ModeSymlink, 'p': fs.ModeNamedPipe, 's': fs.ModeSocket,
		'c': fs.ModeDevice | fs.ModeCharDevice, 'b': fs.ModeDevice}[fields[1][0]]
	return &fileInfo{name: fields[4], size: size, mode: mode, mtime: time.Unix(0, int64(secs*1e9))}, nil
}

// unixMode converts a st_mode to an fs.FileMode.
func unixMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

var _ cluster.FileSystem = (*execFS)(nil)
