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
// process: one that is being forked by a process being killed, or that is
// in the middle of exec, whose environment cannot be read for a moment.
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
	c.Stdout, c.Stderr = stdout, stderr
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// On cancellation kill the whole foreground process group, not just sh.
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = localWaitDelay
	err := c.Run()
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil, errors.Is(err, exec.ErrWaitDelay):
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
// Processes that vanish or cannot be read are skipped.
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
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil || !markedWith(env, marked) {
			continue
		}
		if cmdline != nil {
			raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if err != nil || len(raw) == 0 { // zombies have no command line
				continue
			}
			if !cmdline.Match(bytes.TrimRight(bytes.ReplaceAll(raw, []byte{0}, []byte{' '}), " ")) {
				continue
			}
		}
		pids = append(pids, pid)
	}
	return pids, nil
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
