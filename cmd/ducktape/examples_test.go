package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// TestExamplesOnSSHCluster runs the examples/ suite with the ducktape binary
// on sshd nodes, as on the local cluster: it must pass unchanged.
func TestExamplesOnSSHCluster(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the examples expect nodes with separate working directories: sshtest gives them only to root")
	}
	bin := buildBinary(t)
	ns := sshtest.Start(t, 4)
	cmd := exec.Command(bin, "--cluster-file", ns.ClusterFile, "--results-root", t.TempDir(), "--no-color", "examples/")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ducktape examples/ on the SSH cluster: %v\n%s", err, out)
	}
}
