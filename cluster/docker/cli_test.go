package docker_test

// The CLI's docker tests run the ducktape binary from here rather than
// from cmd/ducktape, whose test binary would otherwise near go test's
// 10-minute limit under load (as the kubernetes ones do from cluster/kube).

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestDockerExamples runs the examples on docker nodes through the
// binary, as a user would: all pass, the fault examples really inject
// their faults (the nodes have network stacks of their own), and the
// session leaves no container or network behind. Left out, as they run
// on docker nodes elsewhere: examples/durability, whose power losses take
// minutes on docker nodes (it runs on local nodes in examples'
// TestDurabilitySuite, and its storage faults on docker nodes in
// services/faults' TestStorageFaultsDocker), and examples/postgres and
// examples/mariadb (examples' TestTransactionExamplesOnDocker).
func TestDockerExamples(t *testing.T) {
	dockertest.RequireEngine(t)
	bin := hosttest.BuildDucktape(t)
	results := filepath.Join(t.TempDir(), "results")
	examples := "../../examples/"
	cmd := exec.Command(bin, "--cluster", "docker", "--docker-nodes", "4", "--no-color", "--results-root", results,
		"--exclude", examples+"durability", "--exclude", examples+"postgres", "--exclude", examples+"mariadb", examples)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ducktape --cluster docker examples/: %v\n%s", err, out)
	}
	report := hosttest.LatestReport(t, results)
	partitioned := false
	for _, r := range report.Results {
		if strings.Contains(r.TestID, "/postgres/") || strings.Contains(r.TestID, "/mariadb/") || strings.Contains(r.TestID, "/durability/") {
			t.Errorf("%s ran though excluded", r.TestID)
		}
		if strings.HasSuffix(r.TestID, "::test_replication_under_partition") {
			partitioned = len(r.Faults) > 0
		}
	}
	if !partitioned {
		t.Errorf("test_replication_under_partition injected no fault on docker nodes:\n%s", out)
	}
	if left := dockertest.ClustersOf(t, cmd.Process.Pid); len(left) > 0 {
		t.Errorf("the session left %+v", left)
	}
}

// dockerCommand returns the binary's command line running, on a docker
// cluster of one node, a test that runs shellCommand there.
func dockerCommand(t *testing.T, bin, shellCommand string) *exec.Cmd {
	return hosttest.RemoteCommand(t, bin, []string{"--cluster", "docker", "--docker-nodes", "1"}, shellCommand)
}

// TestDockerCtrlC: SIGINT during a test on docker nodes stops the run,
// reports it (exit status 1: a test failed), and removes every container
// and network of the session.
func TestDockerCtrlC(t *testing.T) {
	dockertest.RequireEngine(t)
	bin := hosttest.BuildDucktape(t)
	cmd := dockerCommand(t, bin, "sleep 41.5")
	out := hosttest.StartUntil(t, cmd, "sleep 41.5", 2*time.Minute)
	if len(dockertest.ClustersOf(t, cmd.Process.Pid)) != 1 {
		t.Fatalf("no docker cluster of the session found")
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != 1 {
		t.Errorf("exit: %v\n%s", err, out)
	}
	if left := dockertest.ClustersOf(t, cmd.Process.Pid); len(left) > 0 {
		t.Errorf("after Ctrl-C the session left %+v\n%s", left, out)
	}
	if hosttest.ProcessRunning("sleep 41.5") {
		t.Errorf("the remote command still runs after Ctrl-C")
	}
}

// TestDockerPruneAfterKill: a session killed with SIGKILL leaves its
// cluster; the next session warns about it, and `ducktape docker prune`
// removes it.
func TestDockerPruneAfterKill(t *testing.T) {
	dockertest.RequireEngine(t)
	bin := hosttest.BuildDucktape(t)
	killed := dockerCommand(t, bin, "sleep 42.5")
	hosttest.StartUntil(t, killed, "sleep 42.5", 2*time.Minute)
	killed.Process.Kill()
	killed.Wait()
	if len(dockertest.ClustersOf(t, killed.Process.Pid)) != 1 {
		t.Fatal("the killed session left no cluster to prune (was it removed?)")
	}

	out, err := dockerCommand(t, bin, "true").CombinedOutput()
	if err != nil {
		t.Errorf("the next session: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "left by a killed ducktape session") || !strings.Contains(string(out), "ducktape docker prune") {
		t.Errorf("the next session did not warn about the leftover cluster:\n%s", out)
	}

	prune, err := exec.Command(bin, "docker", "prune").CombinedOutput()
	if err != nil || !strings.Contains(string(prune), "removed cluster ducktape-") {
		t.Errorf("docker prune: %v\n%s", err, prune)
	}
	if left := dockertest.ClustersOf(t, killed.Process.Pid); len(left) > 0 {
		t.Errorf("docker prune left %+v", left)
	}
	if hosttest.ProcessRunning("sleep 42.5") {
		t.Errorf("the killed session's command still runs after prune")
	}
}
