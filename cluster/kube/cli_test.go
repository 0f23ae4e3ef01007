package kube_test

// The CLI's kubernetes tests run the ducktape binary from here rather than
// from cmd/ducktape, whose test binary nears go test's 10-minute limit
// under load.

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/kube"
	"github.com/ducktape-go/ducktape/cluster/kube/kubetest"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestKubeExamples runs the fault and Redis examples on kubernetes nodes
// through the binary, as a user would: all pass, the partition really
// acts between pods, and the session leaves no pod or namespace behind.
func TestKubeExamples(t *testing.T) {
	kubetest.Require(t)
	bin := hosttest.BuildDucktape(t)
	results := filepath.Join(t.TempDir(), "results")
	cmd := exec.Command(bin, "--cluster", "kubernetes", "--kube-nodes", "3", "--no-color", "--results-root", results,
		"../../examples/faults", "../../examples/redis")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ducktape --cluster kubernetes examples/faults examples/redis: %v\n%s", err, out)
	}
	report := hosttest.LatestReport(t, results)
	partitioned := false
	for _, r := range report.Results {
		// Only a kernel without netem (this machine's) may skip a test.
		if r.TestStatus == host.StatusIgnore && !strings.Contains(r.Summary, "netem") {
			t.Errorf("%s skipped itself on kubernetes nodes: %s", r.TestID, r.Summary)
		}
		if strings.HasSuffix(r.TestID, "::test_replication_under_partition") {
			partitioned = r.TestStatus == host.StatusPass && len(r.Faults) > 0
		}
	}
	if !partitioned {
		t.Errorf("test_replication_under_partition did not pass with its partition on kubernetes nodes:\n%s", out)
	}
	if left := kubeLeft(t, cmd.Process.Pid); len(left) > 0 {
		t.Errorf("the session left %+v", left)
	}
}

// kubeCommand returns the binary's command line running, on a kubernetes
// cluster of one node, a test that runs shellCommand there.
func kubeCommand(t *testing.T, bin, shellCommand string) *exec.Cmd {
	return hosttest.RemoteCommand(t, bin, []string{"--cluster", "kubernetes", "--kube-nodes", "1"}, shellCommand)
}

// kubeSession starts the binary on a kubernetes cluster of one node
// running a test that sleeps there (marker is a sleep command of its own),
// and returns once the sleep runs (the pods' processes are this machine's,
// with the cluster .ci/kube starts).
func kubeSession(t *testing.T, bin, marker string) (*exec.Cmd, *bytes.Buffer) {
	cmd := kubeCommand(t, bin, marker)
	return cmd, hosttest.StartUntil(t, cmd, marker, 2*time.Minute)
}

// kubeLeft lists the sessions on the cluster that the driver process pid
// of this machine made.
func kubeLeft(t *testing.T, pid int) []kube.SessionInfo {
	t.Helper()
	all, err := kube.ListSessions(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	var mine []kube.SessionInfo
	for _, s := range all {
		if s.Driver == cluster.DriverOf(pid) {
			mine = append(mine, s)
		}
	}
	return mine
}

// TestKubeCtrlC: SIGINT during a test on kubernetes nodes stops the run,
// reports it, and deletes the session's pods and namespace.
func TestKubeCtrlC(t *testing.T) {
	kubetest.Require(t)
	bin := hosttest.BuildDucktape(t)
	cmd, out := kubeSession(t, bin, "sleep 51.5")
	if len(kubeLeft(t, cmd.Process.Pid)) != 1 {
		t.Fatalf("no kubernetes session found")
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != 1 {
		t.Errorf("exit: %v\n%s", err, out)
	}
	if left := kubeLeft(t, cmd.Process.Pid); len(left) > 0 {
		t.Errorf("after Ctrl-C the session left %+v\n%s", left, out)
	}
	if hosttest.ProcessRunning("sleep 51.5") {
		t.Errorf("the remote command still runs after Ctrl-C")
	}
}

// TestKubePruneAfterKill: a session killed with SIGKILL leaves its pods;
// the next session warns about them, and `ducktape kube prune` deletes
// them.
func TestKubePruneAfterKill(t *testing.T) {
	kubetest.Require(t)
	bin := hosttest.BuildDucktape(t)
	killed, _ := kubeSession(t, bin, "sleep 52.5")
	killed.Process.Kill()
	killed.Wait()
	if len(kubeLeft(t, killed.Process.Pid)) != 1 {
		t.Fatal("the killed session left nothing to prune (was it deleted?)")
	}

	out, err := kubeCommand(t, bin, "true").CombinedOutput()
	if err != nil {
		t.Errorf("the next session: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "left by a killed ducktape session") || !strings.Contains(string(out), "ducktape kube prune") {
		t.Errorf("the next session did not warn about the leftover pods:\n%s", out)
	}

	prune, err := exec.Command(bin, "kube", "prune").CombinedOutput()
	if err != nil || !strings.Contains(string(prune), "removed session ducktape-") {
		t.Errorf("kube prune: %v\n%s", err, prune)
	}
	deadline := time.Now().Add(time.Minute)
	for len(kubeLeft(t, killed.Process.Pid)) > 0 || hosttest.ProcessRunning("sleep 52.5") {
		if time.Now().After(deadline) {
			t.Fatalf("a minute after kube prune the killed session's pods or command remain: %+v", kubeLeft(t, killed.Process.Pid))
		}
		time.Sleep(200 * time.Millisecond)
	}
}
