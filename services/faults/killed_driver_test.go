package faults_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs/lazyfstest"
)

// TestKilledDriversMountIsRemovedNextSession: a driver (the ducktape
// binary) SIGKILLed while its test has a lazy file system mounted leaves
// the mount (and a process using it); the next session's first storage
// fault on that node removes both, and says so in its test's log. (Here
// rather than in cmd/ducktape, whose test binary nears go test's 10-minute
// limit.)
func TestKilledDriversMountIsRemovedNextSession(t *testing.T) {
	lazyfstest.Require(t, lazyfs.Probe)
	bin := hosttest.BuildDucktape(t)
	dir := t.TempDir()
	marker, pidFile := filepath.Join(dir, "mounted"), filepath.Join(dir, "holder.pid")
	hosttest.WriteFile(t, dir, "tests/test_killed.star", `
def test_killed(ctx):
    node = ctx.cluster[0]
    fs = faults.lazyfs(node, "data")
    node.account.ssh("nohup sh -c 'echo $$ > `+pidFile+`; exec 3>data/held; exec sleep 600' >/dev/null 2>&1 &")
    wait_until(lambda: node.account.ssh("test -s `+pidFile+`", allow_fail = True) == 0, timeout_sec = 10)
    node.account.ssh("echo %s > `+marker+`" % fs.path)
    wait_until(lambda: False, timeout_sec = 600)
`)
	hosttest.WriteFile(t, dir, "tests/test_next.star", `
def test_next(ctx):
    faults.lazyfs(ctx.cluster[0], "data")
`)
	results := filepath.Join(dir, "results")
	killed := exec.Command(bin, "--results-root", results, "--local-nodes", "1", filepath.Join(dir, "tests/test_killed.star"))
	var out bytes.Buffer
	killed.Stdout, killed.Stderr = &out, &out
	if err := killed.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var mount string
	for mount == "" {
		if time.Now().After(deadline) {
			killed.Process.Kill()
			t.Fatalf("the test never mounted:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
		data, _ := os.ReadFile(marker)
		mount = strings.TrimSpace(string(data))
	}
	t.Cleanup(func() {
		lazyfs.Reap()                                   // when the next session did not
		os.RemoveAll(filepath.Dir(filepath.Dir(mount))) // the killed session's local cluster
	})
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	holder, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	killed.Process.Signal(syscall.SIGKILL)
	killed.Wait()
	if !mounted(t, mount) || processGone(holder) {
		t.Fatalf("before the next session: %s mounted %v, process %d gone %v", mount, mounted(t, mount), holder, processGone(holder))
	}

	next := exec.Command(bin, "--results-root", results, "--local-nodes", "1", filepath.Join(dir, "tests/test_next.star"))
	if text, err := next.CombinedOutput(); err != nil {
		t.Fatalf("the next session: %v\n%s", err, text)
	}
	if mounted(t, mount) {
		t.Errorf("%s is still mounted after the next session", mount)
	}
	if !processGone(holder) {
		t.Errorf("process %d, which used the mount, still runs", holder)
		syscall.Kill(holder, syscall.SIGKILL)
	}
	logs, _ := filepath.Glob(filepath.Join(results, "latest", "*", "test_next", "*", "test_log.info"))
	if len(logs) != 1 {
		t.Fatalf("test_next's logs: %v", logs)
	}
	log, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := "removed the lazy file system at " + mount + ", left by an earlier session: unmounted: its driver was gone"; !strings.Contains(string(log), want) {
		t.Errorf("the next session's log does not say %q:\n%s", want, log)
	}
}

// mounted reports whether dir is a mount point.
func mounted(t *testing.T, dir string) bool {
	mounts, err := lazyfs.ReadMounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mounts {
		if m.Point == dir {
			return true
		}
	}
	return false
}

// processGone reports whether process pid has exited (or is a zombie).
func processGone(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err != nil || strings.Contains(string(stat), ") Z ")
}
