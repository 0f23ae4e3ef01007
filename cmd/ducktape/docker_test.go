package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestDockerExamples runs every example on docker nodes through the
// binary, as a user would: all pass, the fault examples really inject
// their faults (the nodes have network stacks of their own), and the
// session leaves no container or network behind. examples/durability is
// left out: its power losses take minutes on docker nodes, which this
// package's 10-minute limit has no room for; it runs on local nodes
// (examples, TestDurabilitySuite), and its storage faults on docker nodes
// (services/faults, TestStorageFaultsDocker).
func TestDockerExamples(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	dockertest.RequireEngine(t)
	results := filepath.Join(t.TempDir(), "results")
	cmd := exec.Command(bin, "--cluster", "docker", "--docker-nodes", "4", "--no-color", "--results-root", results,
		"--exclude", "../../examples/durability", "../../examples/")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ducktape --cluster docker examples/: %v\n%s", err, out)
	}
	var report struct {
		NumPassed int `json:"num_passed"`
		Results   []struct {
			TestID string            `json:"test_id"`
			Faults []json.RawMessage `json:"faults"`
		} `json:"results"`
	}
	data, err := os.ReadFile(filepath.Join(results, "latest", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	partitioned := false
	for _, r := range report.Results {
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
	t.Helper()
	dir := t.TempDir()
	hosttest.WriteFile(t, dir, "tests/test_remote.star", `
def test_remote(ctx):
    ctx.cluster[0].account.ssh("`+shellCommand+`")
`)
	return exec.Command(bin, "--cluster", "docker", "--docker-nodes", "1", "--no-color",
		"--results-root", filepath.Join(dir, "results"), filepath.Join(dir, "tests"))
}

// dockerSession starts the binary on a docker cluster of one node running
// a test that sleeps there (marker is a sleep command of its own), and
// returns once the sleep runs.
func dockerSession(t *testing.T, bin, marker string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := dockerCommand(t, bin, marker)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// The containers' processes are the engine machine's: pgrep sees them.
	deadline := time.Now().Add(2 * time.Minute)
	for !processRunning(marker) {
		if time.Now().After(deadline) {
			t.Fatalf("the test never started:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd, &out
}

// TestDockerCtrlC: SIGINT during a test on docker nodes stops the run,
// reports it, and removes every container and network of the session.
func TestDockerCtrlC(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	dockertest.RequireEngine(t)
	cmd, out := dockerSession(t, bin, "sleep 41.5")
	if len(dockertest.ClustersOf(t, cmd.Process.Pid)) != 1 {
		t.Fatalf("no docker cluster of the session found")
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != exitTestFailed {
		t.Errorf("exit: %v\n%s", err, out)
	}
	if left := dockertest.ClustersOf(t, cmd.Process.Pid); len(left) > 0 {
		t.Errorf("after Ctrl-C the session left %+v\n%s", left, out)
	}
	if processRunning("sleep 41.5") {
		t.Errorf("the remote command still runs after Ctrl-C")
	}
}

// TestDockerPruneAfterKill: a session killed with SIGKILL leaves its
// cluster; the next session warns about it, and `ducktape docker prune`
// removes it.
func TestDockerPruneAfterKill(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	dockertest.RequireEngine(t)
	killed, _ := dockerSession(t, bin, "sleep 42.5")
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
	if processRunning("sleep 42.5") {
		t.Errorf("the killed session's command still runs after prune")
	}
}
