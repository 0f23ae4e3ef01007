package lazyfs

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// HelperEnv is set (to "1") in the environment of a helper the driver
// starts, so that a test binary knows to act as one (see MainIfHelper).
const HelperEnv = "DUCKTAPE_LAZYFS_HELPER"

// FsNamePrefix begins the source of every mount ("ducktape-lazyfs:" and
// the helper's socket), by which a later session finds its helper.
const FsNamePrefix = TypeName + ":"

var enabled atomic.Bool

// Enable declares that this binary serves the helper's command line
// (`<binary> lazyfs ...`, see Main): ducktape's does, from its lazyfs
// command.
func Enable() { enabled.Store(true) }

// Enabled reports whether this binary can be the helper on a node.
func Enabled() bool { return enabled.Load() }

// MainIfHelper makes a test binary serve as the helper: called first in
// its TestMain, it runs Main and exits when the binary was started as a
// helper, and otherwise returns with Enabled true.
func MainIfHelper() {
	Enable()
	if os.Getenv(HelperEnv) == "1" && len(os.Args) > 1 && os.Args[1] == "lazyfs" {
		os.Exit(Main(os.Args[2:], os.Stdout, os.Stderr))
	}
}

// Main runs the helper's command line, args following "lazyfs", and
// returns its exit status. Every command prints JSON on stdout:
//
//	serve --mount DIR     mount DIR (created if missing); print a Ready line;
//	                      serve Requests on its socket until one unmounts it, or
//	                      SIGTERM; once nothing reads its output, its driver is
//	                      gone: it says so (Status.Orphaned) and Reap removes it
//	ctl SOCKET REQUEST    send a Request (JSON) to a helper; print its Response
//	reap                  remove the mounts of helpers that died or whose driver
//	                      is gone; print a Reaped line for each
//	probe                 mount and unmount a test file system; print a ProbeResult
//	corrupt SPEC          corrupt a file (SPEC: a CorruptSpec as JSON); print a
//	                      CorruptResult, or {"error": ...}
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: lazyfs serve|ctl|reap|probe|corrupt ...")
		return 2
	}
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "serve" && len(rest) == 2 && rest[0] == "--mount":
		return serveMain(rest[1], stdout)
	case cmd == "ctl" && len(rest) == 2:
		var req Request
		if err := json.Unmarshal([]byte(rest[1]), &req); err != nil {
			return printJSON(stdout, Response{Error: "bad request: " + err.Error()})
		}
		resp, err := Call(rest[0], req, ctlTimeout)
		if err != nil {
			resp.Error = err.Error()
		}
		return printJSON(stdout, resp)
	case cmd == "reap" && len(rest) == 0:
		for _, r := range Reap() {
			printJSON(stdout, r)
		}
		return 0
	case cmd == "probe" && len(rest) == 0:
		var res ProbeResult
		if err := Probe(); err != nil {
			res.Error = err.Error()
		}
		return printJSON(stdout, res)
	case cmd == "corrupt" && len(rest) == 1:
		var spec CorruptSpec
		if err := json.Unmarshal([]byte(rest[0]), &spec); err != nil {
			return printJSON(stdout, Response{Error: "bad corruption: " + err.Error()})
		}
		res, err := Corrupt(spec)
		if err != nil {
			return printJSON(stdout, Response{Error: err.Error()})
		}
		return printJSON(stdout, res)
	}
	fmt.Fprintf(stderr, "lazyfs: bad arguments %q\n", args)
	return 2
}

// ctlTimeout bounds a request: a power loss waits for killed processes.
const ctlTimeout = 2 * time.Minute

// printJSON prints v as one line and returns the exit status: 1 when v is
// a Response or ProbeResult with an error.
func printJSON(w io.Writer, v any) int {
	out, _ := json.Marshal(v)
	fmt.Fprintf(w, "%s\n", out)
	switch v := v.(type) {
	case Response:
		if v.Error != "" {
			return 1
		}
	case ProbeResult:
		if v.Error != "" {
			return 1
		}
	case Ready:
		if v.Error != "" {
			return 1
		}
	}
	return 0
}

// Ready is the first line a helper prints: where it listens, once its
// file system is mounted; or why it could not mount it.
type Ready struct {
	Error  string `json:"error,omitempty"`
	Socket string `json:"socket,omitempty"`
	Mount  string `json:"mount,omitempty"`   // the mount point, absolute, symbolic links resolved
	Pid    int    `json:"pid,omitempty"`     // the helper
	RootFd int    `json:"root_fd,omitempty"` // its descriptor of the backing directory: /proc/<pid>/fd/<root_fd>
}

// stateDirs are where helpers put their sockets, the first that works.
var stateDirs = []string{"/run/ducktape-lazyfs", "/tmp/ducktape-lazyfs"}

func serveMain(dir string, stdout io.Writer) int {
	fail := func(err error) int { return printJSON(stdout, Ready{Error: err.Error()}) }
	signal.Ignore(syscall.SIGPIPE, syscall.SIGHUP) // a lost driver makes writes fail instead
	unix.Umask(0)                                  // modes arrive with the caller's umask applied
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fail(err)
	}
	var stateDir string
	for _, d := range stateDirs {
		if err = os.MkdirAll(d, 0o700); err == nil {
			stateDir = d
			break
		}
	}
	if stateDir == "" {
		return fail(fmt.Errorf("no directory for the helper's socket: %w", err))
	}
	socket := filepath.Join(stateDir, strconv.Itoa(os.Getpid())+".sock")
	os.Remove(socket)
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return fail(err)
	}
	defer os.Remove(socket)
	defer ln.Close()
	fsys, err := New(abs, FsNamePrefix+socket)
	if err != nil {
		return fail(err)
	}
	if err := fsys.Mount(); err != nil {
		return fail(err)
	}
	printJSON(stdout, Ready{Socket: socket, Mount: fsys.MountPoint(), Pid: os.Getpid(), RootFd: fsys.root})

	done := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(done) }) }
	var orphaned atomic.Bool
	if out, ok := stdout.(*os.File); ok {
		go watchReader(out, &orphaned)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case <-sigs:
			stop()
		case <-done:
		}
	}()
	srv := &server{fs: fsys, orphaned: &orphaned, stop: stop}
	go srv.serve(ln)
	<-done
	fsys.Unmount() // when stopped by a signal; does nothing after an unmount request
	return 0
}

// watchReader sets orphaned once nothing reads out any more: the driver
// that started the helper (reading its output through a pipe, or through
// sshd) is gone. poll(2) reports that at once, as an error or hang-up on
// the writing end; out is never written.
func watchReader(out *os.File, orphaned *atomic.Bool) {
	fds := []unix.PollFd{{Fd: int32(out.Fd())}}
	for {
		_, err := unix.Poll(fds, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || fds[0].Revents&(unix.POLLERR|unix.POLLHUP|unix.POLLNVAL) != 0 {
			orphaned.Store(true)
			return
		}
	}
}

// Reaped is what Reap did with one leftover mount.
type Reaped struct {
	Mount  string `json:"mount"`
	Action string `json:"action"`
}

// Reap removes the lazy file systems left on this node by sessions that
// ended without unmounting them: a helper whose driver is gone (killed)
// unmounts as at the end of a test; the mount of a helper that is gone
// too is unmounted, its users killed. Mounts of live sessions stay.
func Reap() []Reaped {
	mounts, err := ReadMounts()
	if err != nil {
		return []Reaped{{Action: "could not read the mounts: " + err.Error()}}
	}
	var out []Reaped
	for _, m := range mounts {
		socket, ok := strings.CutPrefix(m.Source, FsNamePrefix)
		if m.Type != "fuse."+TypeName || !ok || !filepath.IsAbs(socket) {
			continue // not a helper's (Probe's, a test's in its own process)
		}
		resp, err := Call(socket, Request{Op: "status"}, 5*time.Second)
		switch {
		case err != nil || resp.Status == nil:
			out = append(out, Reaped{Mount: m.Point, Action: removeDead(m.Point, err)})
		case !resp.Status.Orphaned:
			continue // a live session's
		default:
			r, err := Call(socket, Request{Op: "unmount"}, ctlTimeout)
			action := fmt.Sprintf("unmounted: its driver was gone (helper pid %d); %s", resp.Status.Pid, describeKilled(r.Killed))
			if err != nil {
				action = fmt.Sprintf("its driver was gone (helper pid %d), but unmounting failed: %v", resp.Status.Pid, err)
			}
			out = append(out, Reaped{Mount: m.Point, Action: action})
		}
	}
	return out
}

// removeDead unmounts the mount point of a helper that is gone, after
// killing the processes that use it.
func removeDead(point string, why error) string {
	killed, _ := KillHolders(point)
	err := unix.Unmount(point, 0)
	how := "unmounted"
	if err != nil {
		how = "detached"
		err = unix.Unmount(point, unix.MNT_DETACH)
	}
	if err != nil {
		return fmt.Sprintf("its helper was gone (%v), and unmounting failed: %v", why, err)
	}
	os.RemoveAll(filepath.Join(point, TrashDir))
	return fmt.Sprintf("%s: its helper was gone (%v); %s", how, why, describeKilled(killed))
}

func describeKilled(pids []int) string {
	if len(pids) == 0 {
		return "no process used it"
	}
	return fmt.Sprintf("killed the processes that used it: %v", pids)
}

// ProbeResult says whether this node can mount a lazy file system.
type ProbeResult struct {
	Error string `json:"error,omitempty"`
}

// Probe mounts and unmounts a lazy file system on a temporary directory,
// and says why that failed.
func Probe() error {
	if uid := os.Geteuid(); uid != 0 {
		return fmt.Errorf("the helper runs as uid %d: mounting needs root", uid)
	}
	dev, err := os.OpenFile("/dev/fuse", os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("cannot open /dev/fuse: %w", errors.Unwrap(err))
	}
	dev.Close()
	dir, err := os.MkdirTemp("", "ducktape-lazyfs-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fsys, err := New(dir, FsNamePrefix+"probe")
	if err != nil {
		return err
	}
	if err := fsys.Mount(); err != nil {
		return err
	}
	_, _, err = fsys.Unmount()
	return err
}
