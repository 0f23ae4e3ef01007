package cluster_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestExamplesOnSSHCluster runs the examples/ suite with the ducktape binary
// on sshd nodes, as on the local cluster: it must pass unchanged. (It is
// here, not in cmd/ducktape, so that it never runs at the same time as the
// other sshtest clusters of this package, on the same addresses.)
func TestExamplesOnSSHCluster(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the examples expect nodes with separate working directories: sshtest gives them only to root")
	}
	bin := hosttest.BuildDucktape(t)
	ns := sshtest.Start(t, 4)
	cmd := exec.Command(bin, "--cluster-file", ns.ClusterFile, "--results-root", t.TempDir(), "--no-color", "examples/")
	cmd.Dir = ".." // the module's root, where examples/ is
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ducktape examples/ on the SSH cluster: %v\n%s", err, out)
	}
}
