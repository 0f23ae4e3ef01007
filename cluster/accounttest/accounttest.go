// Package accounttest is the conformance suite every cluster provider must
// pass: it exercises each [cluster.RemoteAccount] method against real nodes,
// so the local and SSH providers are held to the same contract.
//
// Providers call [Run] from their tests with a function that builds a fresh
// cluster of at least two nodes (closed by the caller's t.Cleanup), and
// [RunIsolation] when their nodes must not see each other's processes.
// Every test works in its own directory under the node's working directory
// and removes it afterwards, so a suite may run against long-lived nodes.
package accounttest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"golang.org/x/sys/unix"
)

// NewCluster builds a cluster with at least two nodes for one test and
// arranges (t.Cleanup) for it to be closed.
type NewCluster func(t *testing.T) *cluster.Cluster

// Run runs the conformance suite: every RemoteAccount method on the nodes of
// clusters made by newCluster.
func Run(t *testing.T, newCluster NewCluster) {
	tests := []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"SSHExitStatus", testSSHExitStatus},
		{"CommandError", testCommandError},
		{"WorkingDirectory", testWorkingDirectory},
		{"Output", testOutput},
		{"OutputTimeout", testOutputTimeout},
		{"CancelKillsCommand", testCancelKillsCommand},
		{"Capture", testCapture},
		{"CaptureCloseKillsCommand", testCaptureCloseKillsCommand},
		{"CaptureError", testCaptureError},
		{"CaptureLineTooLong", testCaptureLineTooLong},
		{"ConcurrentCommands", testConcurrentCommands},
		{"AliveSignal", testAliveSignal},
		{"PidsAndKillProcess", testPidsAndKillProcess},
		{"PidsExcludesItsOwnShell", testPidsExcludesItsOwnShell},
		{"ConcurrentKillProcess", testConcurrentKillProcess},
		{"ZombiesAreNotRunning", testZombiesAreNotRunning},
		{"KillLeftovers", testKillLeftovers},
		{"CreateReadFile", testCreateReadFile},
		{"Mkdir", testMkdir},
		{"Remove", testRemove},
		{"StatPredicates", testStatPredicates},
		{"CopyToFromFile", testCopyFile},
		{"CopyToFromDir", testCopyDir},
		{"CopyIntoExistingDir", testCopyIntoExistingDir},
		{"CopyMissingSource", testCopyMissingSource},
		{"CopyBetween", testCopyBetween},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newEnv(t, newCluster)) })
	}
}

// RunIsolation checks that process lookups and kills on one node leave the
// processes of another node alone.
func RunIsolation(t *testing.T, newCluster NewCluster) {
	e := newEnv(t, newCluster)
	sleep := e.sleepCmd()
	pidA := e.background(e.a, sleep)
	pidB := e.background(e.b, sleep)
	pids, err := e.b.Pids(e.ctx, sleep)
	if err != nil || !slices.Equal(pids, []int{pidB}) {
		t.Fatalf("Pids on %s = %v, %v; want only its own [%d] (the other node's is %d)", e.nb.Name, pids, err, pidB, pidA)
	}
	killed, err := e.a.KillProcess(e.ctx, sleep, false, false)
	if err != nil || !slices.Equal(killed, []int{pidA}) {
		t.Fatalf("KillProcess on %s = %v, %v; want [%d]", e.na.Name, killed, err, pidA)
	}
	e.waitGone(e.a, pidA)
	if alive, err := e.b.Alive(e.ctx, pidB); err != nil || !alive {
		t.Fatalf("KillProcess on %s also killed %s's process %d (alive=%v, err=%v)", e.na.Name, e.nb.Name, pidB, alive, err)
	}
}

// env is one test's view of a fresh cluster: two nodes and a scratch
// directory (relative to each node's working directory) that exists on both.
type env struct {
	t      *testing.T
	ctx    context.Context
	c      *cluster.Cluster
	newC   NewCluster // for a second cluster (another driver) on the same nodes
	na, nb *cluster.Node
	a, b   *cluster.RemoteAccount
	dir    string // scratch directory, relative, on both nodes
	local  string // scratch directory on this machine
	seq    atomic.Int64
}

func newEnv(t *testing.T, newCluster NewCluster) *env {
	t.Helper()
	c := newCluster(t)
	nodes, err := c.Alloc(cluster.AnyNodes(2))
	if err != nil {
		t.Fatalf("allocating two nodes: %v", err)
	}
	t.Cleanup(func() { c.Free(nodes) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx, c: c, newC: newCluster, na: nodes[0], nb: nodes[1], a: nodes[0].Account, b: nodes[1].Account, local: t.TempDir()}
	e.dir = "dt-conformance-" + e.token()
	for _, acct := range []*cluster.RemoteAccount{e.a, e.b} {
		if err := acct.Mkdirs(ctx, e.dir); err != nil {
			t.Fatalf("creating the scratch directory: %v", err)
		}
		t.Cleanup(func() { acct.Remove(context.Background(), e.dir, true) })
	}
	return e
}

// token returns a string unique to this test run, for command lines and names.
func (e *env) token() string {
	return fmt.Sprintf("tok%d%d%d", os.Getpid(), time.Now().UnixNano()%1e9, e.seq.Add(1))
}

// sleepCmd returns a unique "sleep" command line that runs for about 1000
// seconds: the fraction tells it apart from other tests' processes, and it
// is a regular expression that matches itself.
func (e *env) sleepCmd() string {
	return fmt.Sprintf("sleep 1000.%09d%d", time.Now().UnixNano()%1e9, e.seq.Add(1))
}

// p joins names under the scratch directory.
func (e *env) p(names ...string) string {
	return filepath.ToSlash(filepath.Join(append([]string{e.dir}, names...)...))
}

func (e *env) run(acct *cluster.RemoteAccount, cmd string) string {
	e.t.Helper()
	out, err := acct.Output(e.ctx, cmd, cluster.OutputOptions{CombineStderr: true})
	if err != nil {
		e.t.Fatalf("running %q: %v", cmd, err)
	}
	return out
}

// background starts cmd (a command line that matches itself as a regular
// expression) detached on acct and returns its pid once the process runs
// it; the process is killed when the test ends.
func (e *env) background(acct *cluster.RemoteAccount, cmd string) int {
	e.t.Helper()
	out := e.run(acct, "nohup "+cmd+" >/dev/null 2>&1 & echo $!")
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		e.t.Fatalf("starting %q: bad pid %q", cmd, out)
	}
	e.t.Cleanup(func() { acct.Signal(context.Background(), pid, unix.SIGKILL, true) })
	// The shell returns before the child has exec'd the command.
	e.eventually(fmt.Sprintf("process %d to run %q", pid, cmd), func() bool {
		pids, err := acct.Pids(e.ctx, "^"+cmd+"$")
		return err == nil && slices.Contains(pids, pid)
	})
	return pid
}

// waitGone waits until pid no longer exists on acct.
func (e *env) waitGone(acct *cluster.RemoteAccount, pid int) {
	e.t.Helper()
	e.eventually(fmt.Sprintf("process %d to exit", pid), func() bool {
		alive, err := acct.Alive(e.ctx, pid)
		return err == nil && !alive
	})
}

// eventually polls cond for up to 30 seconds (see eventuallyWhy).
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	e.eventuallyWhy(what, func() (bool, string) { return cond(), "" })
}

// eventuallyWhy is eventually with a cond that says what it saw, which a
// timeout reports. The 30 s are for CI's loaded 2-core machine, where one
// remote command has taken seconds.
func (e *env) eventuallyWhy(what string, cond func() (bool, string)) {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, saw := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if saw != "" {
				saw = "; last seen: " + saw
			}
			e.t.Fatalf("timed out waiting for %s%s", what, saw)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func testSSHExitStatus(t *testing.T, e *env) {
	for _, tc := range []struct {
		cmd  string
		want int
	}{{"true", 0}, {"exit 3", 3}, {"false", 1}, {"kill -9 $$", 137}} {
		got, err := e.a.SSH(e.ctx, tc.cmd, true)
		if err != nil || got != tc.want {
			t.Errorf("SSH(%q, allowFail) = %d, %v; want %d, nil", tc.cmd, got, err, tc.want)
		}
	}
	if _, err := e.a.SSH(e.ctx, "exit 3", false); !errors.As(err, new(*cluster.CommandError)) {
		t.Errorf("SSH(exit 3) error = %v; want a *CommandError", err)
	}
}

func testCommandError(t *testing.T, e *env) {
	cmd := "for i in $(seq 1 30); do echo line$i; done; echo oops >&2; exit 7"
	_, err := e.a.SSH(e.ctx, cmd, false)
	var ce *cluster.CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v; want a *CommandError", err)
	}
	if ce.Node != e.na.Name || ce.Command != cmd || ce.ExitStatus != 7 {
		t.Errorf("CommandError = {%q, %q, %d}; want {%q, %q, 7}", ce.Node, ce.Command, ce.ExitStatus, e.na.Name, cmd)
	}
	msg := err.Error()
	for _, want := range []string{e.na.Name, cmd, "exit status 7", "line30", "oops"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "line5\n") {
		t.Errorf("error message quotes more than the output's tail:\n%s", msg)
	}
	if _, err := e.a.SSH(e.ctx, "exit 2", false); err == nil || !strings.Contains(err.Error(), "(no output)") {
		t.Errorf("error for a silent command = %v; want it to say (no output)", err)
	}
}

func testWorkingDirectory(t *testing.T, e *env) {
	if err := e.a.CreateFile(e.ctx, e.p("probe"), []byte("here")); err != nil {
		t.Fatal(err)
	}
	if got := e.run(e.a, "cat "+e.p("probe")); got != "here" {
		t.Errorf("a command sees %q in the file that create_file wrote; want the same working directory", got)
	}
	if ok, err := e.b.Exists(e.ctx, e.p("probe")); err != nil || ok {
		t.Logf("note: %s sees %s's file (nodes share a working directory)", e.nb.Name, e.na.Name)
	}
}

func testOutput(t *testing.T, e *env) {
	cmd := "echo out; echo err >&2"
	got, err := e.a.Output(e.ctx, cmd, cluster.OutputOptions{CombineStderr: true})
	if err != nil || !strings.Contains(got, "out\n") || !strings.Contains(got, "err\n") {
		t.Errorf("Output(combine) = %q, %v; want both streams", got, err)
	}
	got, err = e.a.Output(e.ctx, cmd, cluster.OutputOptions{})
	if err != nil || got != "out\n" {
		t.Errorf("Output = %q, %v; want stdout only", got, err)
	}
	got, err = e.a.Output(e.ctx, "echo partial; exit 4", cluster.OutputOptions{AllowFail: true})
	if err != nil || got != "partial\n" {
		t.Errorf("Output(allowFail) = %q, %v; want output and no error", got, err)
	}
	if _, err := e.a.Output(e.ctx, "echo partial; exit 4", cluster.OutputOptions{}); !errors.As(err, new(*cluster.CommandError)) {
		t.Errorf("Output(exit 4) error = %v; want a *CommandError", err)
	}
	big := e.run(e.a, "head -c 3000000 /dev/zero | tr '\\0' x")
	if len(big) != 3000000 {
		t.Errorf("Output of 3 MB returned %d bytes", len(big))
	}
}

func testOutputTimeout(t *testing.T, e *env) {
	start := time.Now()
	_, err := e.a.Output(e.ctx, "echo started; sleep 30", cluster.OutputOptions{Timeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out after 500ms") {
		t.Errorf("error = %v; want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a 500ms timeout returned after %s", d)
	}
}

func testCancelKillsCommand(t *testing.T, e *env) {
	sleep := e.sleepCmd()
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() {
		_, err := e.a.SSH(ctx, sleep+" | cat; echo never", false)
		done <- err
	}()
	e.eventually("the command to start", func() bool {
		pids, _ := e.a.Pids(e.ctx, "^"+sleep+"$")
		return len(pids) > 0
	})
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a cancelled command returned no error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling did not stop the command")
	}
	e.eventually("every process of the cancelled command to exit", func() bool {
		pids, err := e.a.Pids(e.ctx, sleep)
		return err == nil && len(pids) == 0
	})
}

func testCapture(t *testing.T, e *env) {
	lines := e.a.Capture(e.ctx, "for i in 1 2 3; do echo l$i; done; echo e >&2", false, false)
	var got []string
	for l, ok := lines.Next(); ok; l, ok = lines.Next() {
		got = append(got, l)
	}
	if err := lines.Err(); err != nil || !slices.Equal(got, []string{"l1", "l2", "l3"}) {
		t.Errorf("Capture = %q, %v; want [l1 l2 l3]", got, err)
	}
	// Lines arrive while the command is still running.
	lines = e.a.Capture(e.ctx, "echo first; sleep 2; echo second", false, true)
	defer lines.Close()
	start := time.Now()
	if l, ok := lines.Next(); !ok || l != "first" {
		t.Fatalf("first line = %q, %v", l, ok)
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("first line arrived after %s: output is not streamed", d)
	}
	if l, ok := lines.Next(); !ok || l != "second" {
		t.Errorf("second line = %q, %v", l, ok)
	}
}

func testCaptureCloseKillsCommand(t *testing.T, e *env) {
	sleep := e.sleepCmd()
	lines := e.a.Capture(e.ctx, "echo ready; "+sleep+" | cat; echo never", false, true)
	if l, ok := lines.Next(); !ok || l != "ready" {
		t.Fatalf("first line = %q, %v; err %v", l, ok, lines.Err())
	}
	e.eventually("the command's pipeline to start", func() bool {
		pids, _ := e.a.Pids(e.ctx, "^"+sleep+"$")
		return len(pids) > 0
	})
	closed := make(chan struct{})
	go func() { lines.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	e.eventually("every process of the abandoned command to exit", func() bool {
		pids, err := e.a.Pids(e.ctx, sleep)
		return err == nil && len(pids) == 0
	})
}

func testCaptureError(t *testing.T, e *env) {
	lines := e.a.Capture(e.ctx, "echo only; exit 5", false, false)
	for _, ok := lines.Next(); ok; _, ok = lines.Next() {
	}
	var ce *cluster.CommandError
	if err := lines.Err(); !errors.As(err, &ce) || ce.ExitStatus != 5 || !strings.Contains(ce.Tail, "only") {
		t.Errorf("Err = %v; want a *CommandError with status 5 quoting the output", err)
	}
	lines = e.a.Capture(e.ctx, "exit 5", true, false)
	for _, ok := lines.Next(); ok; _, ok = lines.Next() {
	}
	if err := lines.Err(); err != nil {
		t.Errorf("Err with allowFail = %v", err)
	}
}

// testCaptureLineTooLong: a line longer than Capture can hold stops the
// command with an error saying so; an error quoting a long line quotes its
// start.
func testCaptureLineTooLong(t *testing.T, e *env) {
	cmd := fmt.Sprintf("echo short; head -c %d /dev/zero | tr '\\0' x; echo; sleep 30", cluster.MaxLineLength+1)
	lines := e.a.Capture(e.ctx, cmd, false, false)
	if l, ok := lines.Next(); !ok || l != "short" {
		t.Fatalf("first line = %q, %v; err %v", l, ok, lines.Err())
	}
	for _, ok := lines.Next(); ok; _, ok = lines.Next() {
	}
	if err := lines.Err(); err == nil || !strings.Contains(err.Error(), "a line of more than 16 MiB") || !strings.Contains(err.Error(), e.na.Name) {
		t.Errorf("Err = %v; want the line too long, on %s", err, e.na.Name)
	}
	_, err := e.a.SSH(e.ctx, "head -c 5000 /dev/zero | tr '\\0' y; echo; exit 3", false)
	if err == nil || !strings.Contains(err.Error(), "| "+strings.Repeat("y", 512)+"... (5000 bytes in all)") {
		t.Errorf("the error of a command whose last line is 5000 bytes long = %.800v; want the line's first 512 bytes quoted", err)
	}
}

func testConcurrentCommands(t *testing.T, e *env) {
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := e.a.Output(e.ctx, fmt.Sprintf("sleep 0.2; echo %d", i), cluster.OutputOptions{})
			if err == nil && out != fmt.Sprintf("%d\n", i) {
				err = fmt.Errorf("command %d printed %q", i, out)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func testAliveSignal(t *testing.T, e *env) {
	pid := e.background(e.a, e.sleepCmd())
	if alive, err := e.a.Alive(e.ctx, pid); err != nil || !alive {
		t.Fatalf("Alive(%d) = %v, %v; want true", pid, alive, err)
	}
	sig, err := cluster.ParseSignal("TERM")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.a.Signal(e.ctx, pid, sig, false); err != nil {
		t.Fatalf("Signal: %v", err)
	}
	e.waitGone(e.a, pid)
	const noSuchPid = 1<<31 - 2 // above any pid_max
	if err := e.a.Signal(e.ctx, noSuchPid, sig, false); !errors.As(err, new(*cluster.CommandError)) {
		t.Errorf("signalling a missing process without allowFail = %v; want a *CommandError", err)
	}
	if err := e.a.Signal(e.ctx, noSuchPid, sig, true); err != nil {
		t.Errorf("signalling a missing process with allowFail: %v", err)
	}
	if alive, err := e.a.Alive(e.ctx, noSuchPid); err != nil || alive {
		t.Errorf("Alive(missing) = %v, %v", alive, err)
	}
}

func testPidsAndKillProcess(t *testing.T, e *env) {
	one, two := e.sleepCmd(), e.sleepCmd()
	p1 := e.background(e.a, one)
	p2 := e.background(e.a, two)
	pids, err := e.a.Pids(e.ctx, "^("+one+"|"+two+")$")
	slices.Sort(pids)
	want := []int{min(p1, p2), max(p1, p2)}
	if err != nil || !slices.Equal(pids, want) {
		t.Fatalf("Pids = %v, %v; want %v", pids, err, want)
	}
	killed, err := e.a.KillProcess(e.ctx, one, false, false)
	if err != nil || !slices.Equal(killed, []int{p1}) {
		t.Fatalf("KillProcess(one, SIGKILL) = %v, %v; want [%d]", killed, err, p1)
	}
	e.waitGone(e.a, p1)
	if alive, _ := e.a.Alive(e.ctx, p2); !alive {
		t.Fatal("KillProcess killed a process that did not match")
	}
	if _, err := e.a.KillProcess(e.ctx, two, true, false); err != nil {
		t.Fatalf("KillProcess(two, SIGTERM): %v", err)
	}
	e.waitGone(e.a, p2)
	if killed, err := e.a.KillProcess(e.ctx, one+"|"+two, true, false); err != nil || len(killed) != 0 {
		t.Errorf("KillProcess with nothing to kill = %v, %v; want none", killed, err)
	}
	if _, err := e.a.Pids(e.ctx, "a(b"); err == nil {
		t.Error("Pids accepted a malformed pattern")
	}
}

func testPidsExcludesItsOwnShell(t *testing.T, e *env) {
	tok := e.token()
	for _, pattern := range []string{tok, "^.*" + tok + ".*$", "pgrep.*" + tok, "sh.*" + tok} {
		if pids, err := e.a.Pids(e.ctx, pattern); err != nil || len(pids) != 0 {
			t.Errorf("Pids(%q) = %v, %v; want none (the lookup must not find itself)", pattern, pids, err)
		}
	}
}

// testConcurrentKillProcess runs lookups of one pattern at once: none may
// find (and signal) another lookup, as pgrep -f would, whose own command
// line holds the pattern.
func testConcurrentKillProcess(t *testing.T, e *env) {
	cmd := e.sleepCmd()
	e.background(e.a, cmd)
	errs := make(chan error, 8)
	for i := 0; i < cap(errs); i++ {
		go func() {
			_, err := e.a.KillProcess(e.ctx, cmd, true, false)
			errs <- err
		}()
	}
	for i := 0; i < cap(errs); i++ {
		if err := <-errs; err != nil {
			t.Errorf("concurrent KillProcess: %v", err)
		}
	}
}

func testCreateReadFile(t *testing.T, e *env) {
	data := make([]byte, 1<<20+7)
	for i := range data {
		data[i] = byte(i * 7)
	}
	f := e.p("bin")
	if err := e.a.CreateFile(e.ctx, f, data); err != nil {
		t.Fatal(err)
	}
	got, err := e.a.ReadFile(e.ctx, f)
	if err != nil || !slices.Equal(got, data) {
		t.Fatalf("ReadFile returned %d bytes, %v; want the %d written", len(got), err, len(data))
	}
	if err := e.a.CreateFile(e.ctx, f, []byte("short")); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.a.ReadFile(e.ctx, f); string(got) != "short" {
		t.Errorf("CreateFile did not truncate: %q...", got[:min(len(got), 10)])
	}
	if got := e.run(e.a, "stat -c %a "+f); strings.TrimSpace(got) != "644" {
		t.Errorf("create_file mode = %s; want 644", got)
	}
	_, err = e.a.ReadFile(e.ctx, e.p("missing"))
	var ne *cluster.NodeError
	if !errors.As(err, &ne) || !errors.Is(err, fs.ErrNotExist) || ne.Node != e.na.Name || !strings.Contains(err.Error(), "missing") {
		t.Errorf("ReadFile(missing) error = %v; want a *NodeError naming the node and file, wrapping fs.ErrNotExist", err)
	}
}

func testMkdir(t *testing.T, e *env) {
	if err := e.a.Mkdir(e.ctx, e.p("x", "y")); err == nil {
		t.Error("Mkdir without its parent succeeded")
	}
	if err := e.a.Mkdir(e.ctx, e.p("x")); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Mkdirs(e.ctx, e.p("x", "y", "z")); err != nil {
		t.Fatal(err)
	}
	if err := e.a.Mkdirs(e.ctx, e.p("x", "y", "z")); err != nil {
		t.Errorf("Mkdirs on an existing directory: %v", err)
	}
	if ok, err := e.a.IsDir(e.ctx, e.p("x", "y", "z")); err != nil || !ok {
		t.Errorf("IsDir after Mkdirs = %v, %v", ok, err)
	}
}

func testRemove(t *testing.T, e *env) {
	e.run(e.a, fmt.Sprintf("mkdir -p %[1]s/t/u && touch %[1]s/t/u/f %[1]s/f", e.dir))
	for _, p := range []string{e.p("f"), e.p("t")} {
		if err := e.a.Remove(e.ctx, p, false); err != nil {
			t.Fatalf("Remove(%s): %v", p, err)
		}
		if ok, _ := e.a.Exists(e.ctx, p); ok {
			t.Errorf("%s still exists after Remove", p)
		}
	}
	if err := e.a.Remove(e.ctx, e.p("f"), false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove(missing) = %v; want fs.ErrNotExist", err)
	}
	if err := e.a.Remove(e.ctx, e.p("f"), true); err != nil {
		t.Errorf("Remove(missing, allowFail) = %v", err)
	}
}

func testStatPredicates(t *testing.T, e *env) {
	e.run(e.a, fmt.Sprintf("cd %s && touch f && mkdir d && ln -s f l && ln -s nowhere dangling", e.dir))
	type preds struct{ exists, file, dir, link bool }
	for name, want := range map[string]preds{
		"f":        {true, true, false, false},
		"d":        {true, false, true, false},
		"l":        {true, true, false, true},
		"dangling": {false, false, false, true},
		"none":     {false, false, false, false},
	} {
		var got preds
		var errs [4]error
		got.exists, errs[0] = e.a.Exists(e.ctx, e.p(name))
		got.file, errs[1] = e.a.IsFile(e.ctx, e.p(name))
		got.dir, errs[2] = e.a.IsDir(e.ctx, e.p(name))
		got.link, errs[3] = e.a.IsLink(e.ctx, e.p(name))
		if err := errors.Join(errs[:]...); err != nil || got != want {
			t.Errorf("%s: exists/isfile/isdir/islink = %+v, %v; want %+v", name, got, err, want)
		}
	}
}

// makeTree writes a small directory tree under root on this machine.
func makeTree(t *testing.T, root string) {
	t.Helper()
	for name, data := range map[string]string{"a.txt": "A", "sub/b.txt": "B", "sub/deeper/c.sh": "#!/bin/sh\n"} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "sub/deeper/c.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// checkTree checks that root on this machine holds the tree of makeTree.
func checkTree(t *testing.T, root string) {
	t.Helper()
	for name, want := range map[string]string{"a.txt": "A", "sub/b.txt": "B", "sub/deeper/c.sh": "#!/bin/sh\n"} {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || string(got) != want {
			t.Errorf("%s/%s = %q, %v; want %q", root, name, got, err, want)
		}
	}
	if info, err := os.Stat(filepath.Join(root, "sub/deeper/c.sh")); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("the executable's mode was not kept: %v, %v", info, err)
	}
}

func testCopyFile(t *testing.T, e *env) {
	data := make([]byte, 3<<20+5)
	for i := range data {
		data[i] = byte(i % 251)
	}
	src := filepath.Join(e.local, "big.bin")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := e.a.CopyTo(e.ctx, src, e.p("remote.bin")); err != nil {
		t.Fatal(err)
	}
	if got := e.run(e.a, "wc -c < "+e.p("remote.bin")+"; stat -c %a "+e.p("remote.bin")); got != fmt.Sprintf("%d\n600\n", len(data)) {
		t.Errorf("after copy_to: size and mode = %q", got)
	}
	back := filepath.Join(e.local, "back.bin")
	if err := e.a.CopyFrom(e.ctx, e.p("remote.bin"), back); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(back); err != nil || !slices.Equal(got, data) {
		t.Errorf("copy_from returned %d bytes, %v; want the %d sent", len(got), err, len(data))
	}
}

func testCopyDir(t *testing.T, e *env) {
	src := filepath.Join(e.local, "tree")
	makeTree(t, src)
	if err := e.a.CopyTo(e.ctx, src, e.p("tree2")); err != nil {
		t.Fatal(err)
	}
	if got := e.run(e.a, "cat "+e.p("tree2/sub/b.txt")); got != "B" {
		t.Errorf("after copy_to of a directory, sub/b.txt = %q", got)
	}
	back := filepath.Join(e.local, "back")
	if err := e.a.CopyFrom(e.ctx, e.p("tree2"), back); err != nil {
		t.Fatal(err)
	}
	checkTree(t, back)
}

func testCopyIntoExistingDir(t *testing.T, e *env) {
	src := filepath.Join(e.local, "tree")
	makeTree(t, src)
	if err := e.a.Mkdir(e.ctx, e.p("dest")); err != nil {
		t.Fatal(err)
	}
	if err := e.a.CopyTo(e.ctx, src, e.p("dest")); err != nil {
		t.Fatal(err)
	}
	if err := e.a.CopyTo(e.ctx, filepath.Join(src, "a.txt"), e.p("dest")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"dest/tree/a.txt", "dest/tree/sub/deeper/c.sh", "dest/a.txt"} {
		if ok, err := e.a.IsFile(e.ctx, e.p(p)); err != nil || !ok {
			t.Errorf("copy_to into an existing directory: %s missing (%v)", p, err)
		}
	}
	local := filepath.Join(e.local, "into")
	if err := os.Mkdir(local, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := e.a.CopyFrom(e.ctx, e.p("dest/tree"), local); err != nil {
		t.Fatal(err)
	}
	checkTree(t, filepath.Join(local, "tree"))
}

func testCopyMissingSource(t *testing.T, e *env) {
	err := e.a.CopyFrom(e.ctx, e.p("nope"), filepath.Join(e.local, "x"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), e.na.Name) {
		t.Errorf("CopyFrom(missing) = %v; want fs.ErrNotExist naming the node", err)
	}
	if err := e.a.CopyTo(e.ctx, filepath.Join(e.local, "nope"), e.p("x")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CopyTo(missing) = %v; want fs.ErrNotExist", err)
	}
}

func testCopyBetween(t *testing.T, e *env) {
	e.run(e.a, fmt.Sprintf("cd %s && mkdir -p d/e && echo one > d/1 && echo two > d/e/2 && head -c 2000000 /dev/urandom > blob", e.dir))
	sum := func(acct *cluster.RemoteAccount, p string) string { return e.run(acct, "cksum < "+p) }
	if err := e.a.CopyBetween(e.ctx, e.p("blob"), e.p("blob2"), e.b); err != nil {
		t.Fatal(err)
	}
	if a, b := sum(e.a, e.p("blob")), sum(e.b, e.p("blob2")); a != b {
		t.Errorf("copy_between changed the file: %s vs %s", a, b)
	}
	if err := e.b.Mkdir(e.ctx, e.p("into")); err != nil {
		t.Fatal(err)
	}
	if err := e.a.CopyBetween(e.ctx, e.p("d"), e.p("into"), e.b); err != nil {
		t.Fatal(err)
	}
	if got := e.run(e.b, "cat "+e.p("into/d/1")+" "+e.p("into/d/e/2")); got != "one\ntwo\n" {
		t.Errorf("copy_between of a directory into an existing one: %q", got)
	}
}
