package cluster_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// TestExamplesOnSSHCluster runs the examples/ suite with the ducktape binary
// on sshd nodes, as on the local cluster: it must pass unchanged.
func TestExamplesOnSSHCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the ducktape binary")
	}
	if os.Geteuid() != 0 {
		t.Skip("the examples expect nodes with separate working directories: sshtest gives them only to root")
	}
	ns := sshtest.Start(t, 4)
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(t.TempDir(), "ducktape")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ducktape")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ducktape: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--cluster-file", ns.ClusterFile, "--results-root", t.TempDir(), "--no-color", "examples/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ducktape examples/ on the SSH cluster: %v\n%s", err, out)
	}
}
