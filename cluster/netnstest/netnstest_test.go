package netnstest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/netnstest"
)

// TestNodes checks the topology: the test process reaches every node over
// SSH, each node is root in a namespace of its own with its own home, and
// nodes reach each other.
func TestNodes(t *testing.T) {
	ns := netnstest.Start(t, 2)
	c, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	seen := map[string]bool{}
	for i, n := range c.Nodes() {
		out, err := n.Account.Output(ctx, "id -u; pwd; readlink /proc/self/ns/net; ip -4 -o addr show dev eth0", cluster.OutputOptions{})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || lines[0] != "0" || lines[1] != ns.Nodes[i].Home || !strings.Contains(lines[3], ns.Nodes[i].Addr+"/24") {
			t.Errorf("%s: got %q; want uid 0, home %s, address %s", n.Name, lines, ns.Nodes[i].Home, ns.Nodes[i].Addr)
		}
		if seen[lines[2]] {
			t.Errorf("%s shares network namespace %s", n.Name, lines[2])
		}
		seen[lines[2]] = true
	}
	// node1 reaches node2's sshd; nothing outside the subnet is routed.
	if out, err := ns.Exec(1, "bash", "-c", "exec 3<>/dev/tcp/"+ns.Nodes[1].Addr+"/22 && echo ok"); err != nil || !strings.Contains(out, "ok") {
		t.Errorf("node1 cannot reach node2: %v %s", err, out)
	}
	if out, err := ns.Exec(1, "ip", "route", "get", "1.1.1.1"); err == nil {
		t.Errorf("a node has a route out of its subnet: %s", out)
	}
}
