package hosttest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host"
)

// BuildDucktape builds the ducktape binary into a temporary directory and
// returns its path, for the tests that run it as a user does (signals, a
// terminal, examples/ on an SSH cluster); the build cache makes every
// build after the first quick. It skips tb with -short.
func BuildDucktape(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds the ducktape binary")
	}
	bin := filepath.Join(tb.TempDir(), "ducktape")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ducktape-go/ducktape/cmd/ducktape").CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// RemoteCommand returns the command line of the binary bin running, with
// clusterArgs (say "--cluster", "docker", "--docker-nodes", "1"), a test
// that runs shellCommand on its first node; its results go under a
// temporary directory of tb.
func RemoteCommand(tb testing.TB, bin string, clusterArgs []string, shellCommand string) *exec.Cmd {
	tb.Helper()
	dir := tb.TempDir()
	WriteFile(tb, dir, "tests/test_remote.star", `
def test_remote(ctx):
    ctx.cluster[0].account.ssh("`+shellCommand+`")
`)
	args := append(append([]string{}, clusterArgs...), "--no-color", "--results-root", filepath.Join(dir, "results"), filepath.Join(dir, "tests"))
	return exec.Command(bin, args...)
}

// StartUntil starts cmd, its output into the buffer it returns, and
// returns once a process of this machine whose command line contains
// marker runs (the test's remote command: the processes of local, docker
// and, on the cluster .ci/kube starts, kubernetes nodes are this
// machine's), failing tb after within. cmd is killed when tb ends.
func StartUntil(tb testing.TB, cmd *exec.Cmd, marker string, within time.Duration) *bytes.Buffer {
	tb.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(within)
	for !ProcessRunning(marker) {
		if time.Now().After(deadline) {
			tb.Fatalf("the test never started:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &out
}

// ProcessRunning reports whether a process of this machine has a command
// line that contains s.
func ProcessRunning(s string) bool {
	out, _ := exec.Command("pgrep", "-f", s).Output()
	return len(bytes.TrimSpace(out)) > 0
}

// LatestReport reads the report.json of the newest session under
// resultsRoot (its latest link), as a run of the binary wrote it.
func LatestReport(tb testing.TB, resultsRoot string) *host.Report {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(resultsRoot, "latest", "report.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var rep host.Report
	if err := json.Unmarshal(data, &rep); err != nil {
		tb.Fatalf("report.json: %v", err)
	}
	return &rep
}
