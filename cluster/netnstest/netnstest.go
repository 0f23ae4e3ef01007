// Package netnstest starts real OpenSSH sshd nodes for a test, each in a
// network namespace of its own, so that network faults (iptables rules, tc
// qdiscs) injected on one node affect that node only, as on separate
// machines. It describes them as a ducktape cluster file.
//
//	nodes := netnstest.Start(t, 3)
//	c, err := cluster.Open(cluster.Options{File: nodes.ClusterFile})
//
// Topology, all made for the test and removed by t.Cleanup: a bridge in a
// namespace of its own; node i in namespace "dtn<i>-<id>" with address
// 10.99.<s>.<i>/24 on a veth into the bridge, where <s> is a /24 no route
// of this machine uses yet; and one more veth from the test's own
// namespace into the bridge with address 10.99.<s>.254, through which the
// test process (the ducktape runner) reaches the nodes. The nodes have no
// default route: they reach each other and the test process, nothing else.
//
// Each node's sshd runs with `ip netns exec`, and logs in as a user of its
// own with uid 0 (an alias of root made with useradd -o, removed at
// cleanup): root, because network faults need it, and a user of its own
// so that each node has its own home directory as working directory. Like
// root logins on one machine, the nodes' process lookups see every process.
//
// Start skips the test, with the reason, when it does not run as root, when
// ip, useradd or /usr/sbin/sshd is missing, or when namespaces cannot be
// made. A Nodes value is safe for concurrent use.
package netnstest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// SSHD is the OpenSSH server the nodes run.
const SSHD = "/usr/sbin/sshd"

// Nodes is a set of running sshd nodes in namespaces and the files that
// describe them.
type Nodes struct {
	sshtest.Files
	Nodes    []*Node // in cluster file order
	HostAddr string  // the test process's address on the nodes' network
}

// Node is one sshd node.
type Node struct {
	Name      string // "nsnode1", ...
	Namespace string // its network namespace
	Addr      string // its address, e.g. "10.99.7.1"
	User      string // login user (uid 0)
	Home      string // the login user's home: the node's working directory
}

// Start makes n (1 to 200) nodes, each in its own namespace, and removes
// them at the end of the test.
func Start(tb testing.TB, n int) *Nodes {
	tb.Helper()
	if n < 1 || n > 200 {
		tb.Fatalf("netnstest.Start: %d nodes; want 1 to 200", n)
	}
	if os.Geteuid() != 0 {
		tb.Skip("netnstest: network namespaces need root; run the test as root")
	}
	for _, tool := range []string{"ip", "useradd", "userdel"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Skipf("netnstest: %s not found (apt-get install -y iproute2 passwd)", tool)
		}
	}
	if _, err := os.Stat(SSHD); err != nil {
		tb.Skipf("netnstest: %s not found; install OpenSSH's server (apt-get install -y openssh-server)", SSHD)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil { // sshd's privilege separation directory
		tb.Fatal(err)
	}
	id := sshtest.RandomHex(tb)
	net := &network{tb: tb, id: id, bridgeNS: "dtbr-" + id}
	tb.Cleanup(net.remove)
	if err := net.create(n); err != nil {
		tb.Skipf("netnstest: cannot make network namespaces here: %v", err)
	}
	ns := &Nodes{Files: sshtest.NewFiles(tb), HostAddr: net.addr(254)}
	var hosts []sshtest.Host
	for i := 1; i <= n; i++ {
		node := &Node{Name: fmt.Sprintf("nsnode%d", i), Namespace: net.nodeNS(i), Addr: net.addr(i),
			User: fmt.Sprintf("dt%sn%d", id, i), Home: filepath.Join(ns.Dir, fmt.Sprintf("home%d", i))}
		addRootAlias(tb, node.User, node.Home)
		nodeDir := filepath.Join(ns.Dir, node.Name)
		hostKey := ns.WriteNode(tb, nodeDir, node.Addr, 22)
		hosts = append(hosts, sshtest.Host{Name: node.Name, Addr: node.Addr, Port: 22, User: node.User, HostKey: hostKey})
		ns.Nodes = append(ns.Nodes, node)
		startSSHD(tb, node, nodeDir)
	}
	ns.WriteCluster(tb, hosts)
	return ns
}

// Exec runs a command in node i's (1-based) namespace from the test
// process, as root, and returns its combined output.
func (ns *Nodes) Exec(i int, name string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Nodes[i-1].Namespace, name}, args...)...).CombinedOutput()
	return string(out), err
}

// Netem reports whether this kernel offers tc's netem qdisc (delay faults
// need it): nil, or why not.
func (ns *Nodes) Netem() error {
	if out, err := ns.Exec(1, "tc", "qdisc", "add", "dev", "lo", "root", "handle", "d7ff:", "netem", "delay", "1ms"); err != nil {
		return fmt.Errorf("tc qdisc add ... netem: %v: %s", err, strings.TrimSpace(out))
	}
	_, err := ns.Exec(1, "tc", "qdisc", "del", "dev", "lo", "root", "handle", "d7ff:")
	return err
}

// startSSHD runs the node's sshd in its namespace until the test ends, and
// waits for it to accept connections through the bridge.
func startSSHD(tb testing.TB, n *Node, nodeDir string) {
	logf, err := os.Create(filepath.Join(nodeDir, "sshd.log"))
	if err != nil {
		tb.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command("ip", "netns", "exec", n.Namespace, SSHD, "-D", "-e", "-f", filepath.Join(nodeDir, "sshd_config"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		tb.Fatalf("netnstest: starting sshd for %s: %v", n.Name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() { cmd.Process.Kill(); <-exited })
	if err := sshtest.WaitListening(n.Name, net.JoinHostPort(n.Addr, "22"), exited, filepath.Join(nodeDir, "sshd.log")); err != nil {
		tb.Fatalf("netnstest: %v", err)
	}
}
