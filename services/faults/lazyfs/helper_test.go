package lazyfs

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/services/faults/lazyfs/lazyfstest"
)

// startHelper runs this test binary as the helper serving dir, as the
// driver does, and returns it, its Ready line and the read end of its
// output.
func startHelper(t *testing.T, dir string) (*exec.Cmd, Ready, io.ReadCloser) {
	t.Helper()
	lazyfstest.Require(t, Probe)
	cmd := exec.Command(os.Args[0], "lazyfs", "serve", "--mount", dir)
	cmd.Env = append(os.Environ(), HelperEnv+"=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		Reap()
		assertNotMounted(t, dir)
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var ready Ready
	if err := json.Unmarshal([]byte(line), &ready); err != nil || ready.Error != "" || ready.Socket == "" {
		t.Fatalf("the helper said %q (%v)", line, err)
	}
	return cmd, ready, out
}

// waitExit waits for cmd to end, at most 10 s.
func waitExit(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Process.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the helper did not exit")
	}
}

// reapedOnly fails unless Reap's records name exactly dir, with an action
// that contains want.
func reapedOnly(t *testing.T, got []Reaped, dir, want string) {
	t.Helper()
	var mine []Reaped
	for _, r := range got {
		if r.Mount == dir {
			mine = append(mine, r)
		}
	}
	if len(mine) != 1 || !strings.Contains(mine[0].Action, want) {
		t.Errorf("reaped %+v, want %s %q", got, dir, want)
	}
}

// TestHelperOrphanedThenReaped: the helper answers on its socket; once
// its driver stops reading its output it says it is orphaned, and Reap
// unmounts it, writing what it held, while live helpers stay.
func TestHelperOrphanedThenReaped(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cmd, ready, out := startHelper(t, dir)
	if ready.Mount != dir || ready.Pid != cmd.Process.Pid {
		t.Errorf("ready %+v, want mount %s and pid %d", ready, dir, cmd.Process.Pid)
	}
	writeFile(t, filepath.Join(dir, "f"), "unsynced")
	resp, err := Call(ready.Socket, Request{Op: "status"}, 5*time.Second)
	if err != nil || resp.Status.Orphaned || resp.Status.UnsyncedFiles != 1 {
		t.Fatalf("status %+v (%v): want one unsynced file, not orphaned", resp.Status, err)
	}
	for _, r := range Reap() {
		if r.Mount == dir {
			t.Fatalf("Reap took a live helper's mount: %+v", r)
		}
	}
	out.Close() // the driver is gone
	deadline := time.Now().Add(5 * time.Second)
	for !resp.Status.Orphaned {
		if time.Now().After(deadline) {
			t.Fatal("the helper did not notice its driver was gone")
		}
		time.Sleep(100 * time.Millisecond)
		if resp, err = Call(ready.Socket, Request{Op: "status"}, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	reapedOnly(t, Reap(), dir, "unmounted: its driver was gone")
	waitExit(t, cmd)
	assertNotMounted(t, dir)
	assertFiles(t, dir, map[string]string{"f": "unsynced"})
}

// TestReapDeadHelper: the mount of a helper killed with SIGKILL is
// unmounted by Reap, and its users killed.
func TestReapDeadHelper(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cmd, _, _ := startHelper(t, dir)
	user := exec.Command("sleep", "60")
	user.Dir = dir
	if err := user.Start(); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	waitExit(t, cmd)
	reapedOnly(t, Reap(), dir, "its helper was gone")
	assertNotMounted(t, dir)
	if err := user.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("the process that used the dead mount: %v, want killed", err)
	}
}
