package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// MaxLocalNodes is the most nodes a local cluster can have: one loopback
// address each, 127.0.0.2 to 127.0.0.254.
const MaxLocalNodes = 253

// nodeEnv is the environment variable that marks every process started from
// a local node, so that process lookups and kills see only that node's
// processes. Its value is "<node name>@<cluster scratch root>".
const nodeEnv = "DUCKTAPE_NODE"

// sameWriter reports whether a and b are the same writer (as os/exec
// compares them: writers of types that cannot be compared are different).
func sameWriter(a, b io.Writer) (same bool) {
	defer func() { recover() }()
	return a == b
}

// localWaitDelay bounds how long Exec waits, after the shell has exited, for
// background children that still hold its output pipes ("cmd &" without a
// redirect). Their later output is discarded.
const localWaitDelay = 500 * time.Millisecond

// NewLocal makes a cluster of n nodes on this machine, named local1..localN.
// Node k has the loopback address 127.0.0.(k+1) as its hostname and
// externally routable IP (127.0.0.1 is left to the machine's own daemons), and
// its own scratch directory under a new temporary directory as its working
// directory. Close kills every process still running from its nodes and
// removes the scratch directories.
func NewLocal(n int) (*Cluster, error) {
	if n < 1 || n > MaxLocalNodes {
		return nil, fmt.Errorf("--local-nodes must be between 1 and %d, not %d", MaxLocalNodes, n)
	}
	root, err := os.MkdirTemp("", "ducktape-local-")
	if err != nil {
		return nil, fmt.Errorf("creating the local cluster's scratch directory: %w", err)
	}
	user := os.Getenv("USER")
	if user == "" {
		user = strconv.Itoa(os.Getuid())
	}
	nodes := make([]*Node, n)
	for i := range nodes {
		name := fmt.Sprintf("local%d", i+1)
		ip := fmt.Sprintf("127.0.0.%d", i+2)
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			os.RemoveAll(root)
			return nil, fmt.Errorf("creating %s's scratch directory: %w", name, err)
		}
		acct := &localAccount{
			info:   AccountInfo{Hostname: ip, SSHHostname: ip, User: user, ExternallyRoutableIP: ip},
			dir:    dir,
			marker: name + "@" + root,
		}
		nodes[i] = &Node{Name: name, OS: "linux", Account: NewRemoteAccount(name, acct)}
	}
	closeFn := func() error {
		err := killMarked(func(v string) bool { return strings.HasSuffix(v, "@"+root) })
		return errors.Join(err, os.RemoveAll(root))
	}
	return New(nodes, closeFn), nil
}

// killPasses is how many times killMarked scans for processes.
const killPasses = 3

// killMarked SIGKILLs every process whose nodeEnv value satisfies marked.
// It scans killPasses times, 10 ms apart, because one scan can miss a
// process that is being forked by a process being killed.
func killMarked(marked func(string) bool) error {
	for pass := 0; pass < killPasses; pass++ {
		if pass > 0 {
			time.Sleep(10 * time.Millisecond)
		}
		pids, err := findProcesses(marked, nil)
		if err != nil {
			return err
		}
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	return nil
}

// localAccount runs commands on this machine as a node. Safe for concurrent use.
type localAccount struct {
	info   AccountInfo
	dir    string // the node's working directory
	marker string // value of nodeEnv for processes started from this node
}

func (a *localAccount) Info() AccountInfo { return a.info }

func (a *localAccount) Exec(ctx context.Context, cmd string, stdout, stderr io.Writer) (int, error) {
	c := exec.CommandContext(ctx, "/bin/sh", "-c", cmd)
	c.Dir = a.dir
	c.Env = append(os.Environ(), nodeEnv+"="+a.marker)
	var pipes []*outputPipe
	pipe := func(w io.Writer) (*os.File, error) {
		p, err := newOutputPipe(w)
		if err != nil {
			return nil, err
		}
		pipes = append(pipes, p)
		return p.w, nil
	}
	var err error
	if stdout != nil {
		c.Stdout, err = pipe(stdout)
	}
	switch {
	case err != nil:
	case stderr != nil && sameWriter(stderr, stdout):
		c.Stderr = c.Stdout // one pipe keeps their order
	case stderr != nil:
		c.Stderr, err = pipe(stderr)
	}
	if err != nil {
		for _, p := range pipes {
			p.started()
			p.finish()
		}
		return -1, err
	}
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// On cancellation kill the whole foreground process group, not just sh.
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	err = c.Start()
	for _, p := range pipes {
		p.started()
	}
	if err == nil {
		err = c.Wait()
	}
	for _, p := range pipes {
		p.finish()
	}
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return c.ProcessState.ExitCode(), nil
	case errors.As(err, &exitErr):
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil // as a shell reports it
		}
		return exitErr.ExitCode(), nil
	default:
		return -1, err
	}
}

func (a *localAccount) FS(context.Context) (FileSystem, error) { return LocalFS(a.dir), nil }

func (a *localAccount) Pids(_ context.Context, pattern string) ([]int, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad process pattern %q: %w", pattern, err)
	}
	return findProcesses(func(v string) bool { return v == a.marker }, re)
}

func (a *localAccount) Close() error { return nil }

// findProcesses scans /proc for processes whose nodeEnv value satisfies
// marked and, if cmdline is not nil, whose command line matches it.
// Processes that vanish or cannot be read are skipped. A process in the
// middle of execve is not skipped: see readProcess.
func findProcesses(marked func(string) bool, cmdline *regexp.Regexp) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	self := os.Getpid()
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		env, raw, ok := readProcess(pid)
		if !ok || !markedWith(env, marked) {
			continue
		}
		if cmdline != nil && !cmdline.Match(bytes.TrimRight(bytes.ReplaceAll(raw, []byte{0}, []byte{' '}), " ")) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// execWindowWait bounds how long readProcess waits for a process in the
// middle of execve, polling every execWindowPoll. The window lasts
// microseconds; the bound only matters on a machine stalled for seconds.
const (
	execWindowWait = 2 * time.Second
	execWindowPoll = time.Millisecond
)

// readProcess returns the environment and command line of pid; ok is false
// when it is gone, a zombie, a kernel thread or not readable (another
// user's). While a process runs execve, the kernel has installed its new
// memory but not yet its arguments and environment, so both read as empty
// for a moment: a lookup that skipped it then (as one skips a zombie) would
// miss a process that is about to run the command looked for, and
// kill_process would leave it running. So an empty read of a live user
// process is retried until the new image's arguments are there.
func readProcess(pid int) (environ, cmdline []byte, ok bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	deadline := time.Now().Add(execWindowWait)
	for first := true; first || time.Now().Before(deadline); first = false {
		if !first {
			time.Sleep(execWindowPoll)
		}
		env, err := os.ReadFile(dir + "/environ")
		if err != nil {
			return nil, nil, false
		}
		raw, err := os.ReadFile(dir + "/cmdline")
		if err != nil {
			return nil, nil, false
		}
		if len(env) > 0 && len(raw) > 0 {
			return env, raw, true
		}
		if !userProcessAlive(dir) {
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// pfKthread is the kernel-thread bit of the flags in /proc/<pid>/stat.
const pfKthread = 0x00200000

// userProcessAlive reports whether the process of /proc directory dir
// exists, is not a zombie and is not a kernel thread (which has neither
// arguments nor environment).
func userProcessAlive(dir string) bool {
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return false
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 7 || fields[0] == "Z" || fields[0] == "X" {
		return false
	}
	flags, err := strconv.ParseUint(fields[6], 10, 64)
	return err == nil && flags&pfKthread == 0
}

func markedWith(environ []byte, marked func(string) bool) bool {
	prefix := []byte(nodeEnv + "=")
	for _, kv := range bytes.Split(environ, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, prefix); ok {
			return marked(string(v))
		}
	}
	return false
}
