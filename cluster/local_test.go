package cluster_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
)

func newLocal(t *testing.T) *cluster.Cluster {
	c, err := cluster.NewLocal(2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestLocalConformance(t *testing.T) { accounttest.Run(t, newLocal) }

func TestLocalIsolation(t *testing.T) { accounttest.RunIsolation(t, newLocal) }

func TestLocalCloseKillsLeftovers(t *testing.T) {
	c, err := cluster.NewLocal(1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acct := c.Nodes()[0].Account
	out, err := acct.Output(ctx, "nohup sleep 1004 >/dev/null 2>&1 & echo $!", cluster.OutputOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for processExists(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d survived the cluster's Close", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLocalLookupsSeeProcessesInMidExec looks up a process that does
// nothing but execve itself, so that it is often caught between installing
// its new image and its arguments, when /proc shows an empty command line
// and environment. Every lookup must find it (before the fix about one in
// four missed it, and kill_process on a service starting under load missed
// its target about one run in 40), and kill_process must stop it.
func TestLocalLookupsSeeProcessesInMidExec(t *testing.T) {
	acct := newLocal(t).Nodes()[0].Account
	ctx := context.Background()
	tok := "reexec" + strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := acct.CreateFile(ctx, "reexec.sh", []byte("exec /bin/sh reexec.sh "+tok+"\n")); err != nil {
		t.Fatal(err)
	}
	out, err := acct.Output(ctx, "nohup /bin/sh reexec.sh "+tok+" >/dev/null 2>&1 & echo $!", cluster.OutputOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	pattern := "^/bin/sh reexec.sh " + tok + "$"
	// Until nohup has exec'd the script, its command line is nohup's.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if pids, _ := acct.Pids(ctx, pattern); len(pids) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d never ran the script", pid)
		}
	}
	missed := 0
	for i := 0; i < 100; i++ {
		if pids, err := acct.Pids(ctx, pattern); err != nil || len(pids) != 1 || pids[0] != pid {
			missed++
		}
	}
	if missed > 0 {
		t.Errorf("%d of 100 lookups missed the re-executing process %d", missed, pid)
	}
	if killed, err := acct.KillProcess(ctx, pattern, true, false); err != nil || len(killed) != 1 {
		t.Fatalf("KillProcess = %v, %v", killed, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for processExists(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d survived kill_process", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// slowWriter stands for a driver starved of CPU: its first Write takes a
// second, longer than the wait for background children after the shell
// exits.
type slowWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	calls int
}

func (w *slowWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.calls++
	first := w.calls == 1
	w.mu.Unlock()
	if first {
		time.Sleep(time.Second)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// TestLocalOutputReadInFullWhenTheReaderLags checks that what a command
// printed before it exited is all returned even when the driver reads it
// late: os/exec's wait delay used to close the pipe with "second" unread
// (TestLocalConformance/ConcurrentCommands got "" under load).
func TestLocalOutputReadInFullWhenTheReaderLags(t *testing.T) {
	c := newLocal(t)
	var w slowWriter
	status, err := c.Nodes()[0].Account.Account().Exec(context.Background(), "echo first; sleep 0.1; echo second", &w, &w)
	if err != nil || status != 0 {
		t.Fatalf("Exec: status %d, %v", status, err)
	}
	if got := w.buf.String(); got != "first\nsecond\n" {
		t.Errorf("output %q, want %q", got, "first\nsecond\n")
	}
}
