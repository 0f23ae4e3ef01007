package sshtest_test

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// TestNodesWithOpenSSH logs in to each node with the OpenSSH client, using
// only the files Start wrote, and checks Stop and Restart.
func TestNodesWithOpenSSH(t *testing.T) {
	ns := sshtest.Start(t, 2)
	ssh := func(node string) (string, error) {
		out, err := exec.Command("ssh", "-F", ns.SSHConfig, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", node, "echo $(id -un):$PWD").CombinedOutput()
		return string(out), err
	}
	for _, n := range ns.Nodes {
		out, err := ssh(n.Name)
		if err != nil || strings.TrimSpace(out) != n.User+":"+n.Home {
			t.Fatalf("ssh %s = %q, %v; want %s:%s", n.Name, out, err, n.User, n.Home)
		}
	}
	if os.Geteuid() == 0 && ns.Nodes[0].User == ns.Nodes[1].User {
		t.Error("as root, nodes should log in as distinct users")
	}
	ns.Stop(1)
	if c, err := net.Dial("tcp", ns.Nodes[0].HostPort()); err == nil {
		c.Close()
		t.Fatal("node1 still accepts connections after Stop")
	}
	ns.Restart(1)
	if out, err := ssh("node1"); err != nil {
		t.Fatalf("ssh node1 after Restart: %v\n%s", err, out)
	}
}
