// Package sshtest starts real OpenSSH sshd "nodes" on loopback addresses for
// a test, and describes them as a ducktape cluster file, so integration
// tests can run against a genuine SSH cluster on one machine.
//
//	nodes := sshtest.Start(t, 3)
//	c, err := cluster.Open(cluster.Options{File: nodes.ClusterFile})
//
// Node i (1-based) listens on 127.0.0.(100+i) at a free port, with its own
// ed25519 host key recorded in nodes.KnownHosts. Everything is stopped and
// removed by t.Cleanup.
//
// When the test runs as root, every node logs in as its own user, created
// for the test with useradd and removed (with its processes) afterwards, so
// nodes have separate working directories and, with the SSH provider's
// per-user process lookups, separate processes, like distinct machines.
// Otherwise every node logs in as the current user, whose home directory and
// processes the nodes then share.
//
// The test is skipped when /usr/sbin/sshd is missing (apt-get install
// openssh-server). A Nodes value is safe for concurrent use.
package sshtest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SSHD is the OpenSSH server the nodes run.
const SSHD = "/usr/sbin/sshd"

// Nodes is a set of running sshd nodes and the files that describe them.
type Nodes struct {
	Files
	SSHConfig string  // OpenSSH client configuration with "Host node1".."nodeN"
	Nodes     []*Node // in cluster file order

	tb testing.TB
}

// Node is one sshd node.
type Node struct {
	Name string // "node1", ...: its ssh_config host alias
	Addr string // listen address, e.g. "127.0.0.101"
	Port int
	User string // login user
	Home string // the login user's home: the node's working directory

	dir    string
	mu     sync.Mutex
	cmd    *exec.Cmd     // the running sshd, nil when stopped
	exited chan struct{} // closed once cmd is reaped
}

// HostPort returns "addr:port".
func (n *Node) HostPort() string { return net.JoinHostPort(n.Addr, strconv.Itoa(n.Port)) }

// Start starts n sshd nodes (1 to 150) for the test and stops them at its
// end. It skips the test when sshd is not installed.
func Start(tb testing.TB, n int) *Nodes {
	tb.Helper()
	if n < 1 || n > 150 {
		tb.Fatalf("sshtest.Start: %d nodes; want 1 to 150", n)
	}
	if _, err := os.Stat(SSHD); err != nil {
		tb.Skipf("sshtest: %s not found; install OpenSSH's server (apt-get install -y openssh-server) to run SSH tests", SSHD)
	}
	files := NewFiles(tb)
	ns := &Nodes{Files: files, SSHConfig: filepath.Join(files.Dir, "ssh_config"), tb: tb}
	if os.Geteuid() == 0 {
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil { // sshd's privilege separation directory
			tb.Fatal(err)
		}
	}
	users := loginUsers(tb, files.Dir, n)
	var clientConfig strings.Builder
	var hosts []Host
	for i := 1; i <= n; i++ {
		node := &Node{Name: fmt.Sprintf("node%d", i), Addr: fmt.Sprintf("127.0.0.%d", 100+i), User: users[i-1].name, Home: users[i-1].home, dir: filepath.Join(files.Dir, fmt.Sprintf("node%d", i))}
		node.Port = freePort(tb, node.Addr)
		hostKey := files.WriteNode(tb, node.dir, node.Addr, node.Port)
		fmt.Fprintf(&clientConfig, "Host %s\n  HostName %s\n  Port %d\n  User %s\n  IdentityFile %s\n  UserKnownHostsFile %s\n  IdentitiesOnly yes\n\n",
			node.Name, node.Addr, node.Port, node.User, ns.Key, ns.KnownHosts)
		hosts = append(hosts, Host{Name: node.Name, Addr: node.Addr, Port: node.Port, User: node.User, HostKey: hostKey})
		ns.Nodes = append(ns.Nodes, node)
	}
	WriteFile(tb, ns.SSHConfig, []byte(clientConfig.String()), 0o644)
	files.WriteCluster(tb, hosts)
	tb.Cleanup(func() {
		for _, node := range ns.Nodes {
			if err := node.stop(); err != nil {
				tb.Error(err)
			}
		}
	})
	for _, node := range ns.Nodes {
		if err := node.start(); err != nil {
			tb.Fatal(err)
		}
	}
	return ns
}

// Stop stops node i's sshd (1-based) and drops every connection to it, as a
// crashed or rebooting SSH server would. Commands already running on the
// node keep running. When it returns, sshd is reaped and its port refuses
// connections.
func (ns *Nodes) Stop(i int) {
	ns.tb.Helper()
	if err := ns.node(i).stop(); err != nil {
		ns.tb.Fatal(err)
	}
}

// Restart starts node i's sshd again (after Stop) on the same address, port
// and host key, and waits until it accepts connections.
func (ns *Nodes) Restart(i int) {
	ns.tb.Helper()
	if err := ns.node(i).start(); err != nil {
		ns.tb.Fatal(err)
	}
}

// AllowPassword gives node i's login user the password and restarts its
// sshd with password authentication on for that user (keys still work).
// Setting a password needs root: the test is skipped otherwise.
func (ns *Nodes) AllowPassword(i int, password string) {
	ns.tb.Helper()
	n := ns.node(i)
	if os.Geteuid() != 0 {
		ns.tb.Skip("sshtest: a login password needs the nodes' own users, so root")
	}
	if out, err := UserDB("sh", "-c", `printf '%s:%s\n' "$0" "$1" | chpasswd`, n.User, password); err != nil {
		ns.tb.Fatalf("sshtest: chpasswd for %s: %v\n%s", n.User, err, out)
	}
	config := filepath.Join(n.dir, "sshd_config")
	f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(f, "Match User %s\n  PasswordAuthentication yes\n", n.User)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		ns.tb.Fatal(err)
	}
	ns.Stop(i)
	ns.Restart(i)
}

func (ns *Nodes) node(i int) *Node {
	if i < 1 || i > len(ns.Nodes) {
		ns.tb.Fatalf("sshtest: no node %d (have %d)", i, len(ns.Nodes))
	}
	return ns.Nodes[i-1]
}

// start runs sshd in the foreground of a child process and waits for it to
// accept connections.
func (n *Node) start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(n.dir, "sshd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(SSHD, "-D", "-e", "-f", filepath.Join(n.dir, "sshd_config"))
	cmd.Stdout, cmd.Stderr = logf, logf
	// A process group of its own: a child sshd has just forked for a
	// connection holds the listening socket until it moves to a session of
	// its own, and stop kills it with the group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("sshtest: starting %s: %w", SSHD, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if err := WaitListening(n.Name, n.HostPort(), exited, filepath.Join(n.dir, "sshd.log")); err != nil {
		cmd.Process.Kill()
		return fmt.Errorf("sshtest: %w", err)
	}
	n.cmd, n.exited = cmd, exited
	return nil
}

// stop kills sshd and every sshd process below it, waits until sshd is
// reaped, and then until its port refuses connections. Killing sshd's
// children only is not enough: the process below one that holds a
// logged-in connection goes on serving it for a while. Nor is killing
// sshd alone: a child forked for a connection just accepted still holds
// the listening socket for a moment (the port then accepts and resets
// connections instead of refusing them).
func (n *Node) stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return nil
	}
	pid := n.cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGSTOP) // no new children while they are killed
	sessions := sshdProcessesUnder(pid)
	for _, p := range sessions { // stopped first, so that none forks or serves a command meanwhile
		syscall.Kill(p, syscall.SIGSTOP)
	}
	for _, p := range sessions {
		syscall.Kill(p, syscall.SIGKILL)
	}
	syscall.Kill(-pid, syscall.SIGKILL) // sshd and the children still in its group
	n.cmd = nil
	select {
	case <-n.exited:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("sshtest: sshd of %s (pid %d) not reaped 30 s after SIGKILL", n.Name, pid)
	}
	// The sessions were reparented when sshd died: they are not ours to
	// reap, but Stop returns only once they are dead.
	deadline := time.Now().Add(30 * time.Second)
	for _, p := range sessions {
		for !exited(p) {
			if time.Now().After(deadline) {
				return fmt.Errorf("sshtest: session process %d of %s alive 30 s after SIGKILL", p, n.Name)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return waitRefused(n.Name, n.HostPort())
}

// waitRefused waits until connections to hostPort are refused.
func waitRefused(name, hostPort string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", hostPort, time.Second)
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil
		}
		if c != nil {
			c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sshtest: %s still accepts connections on %s 10 s after its sshd was killed (last dial: %v)", name, hostPort, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freePort returns a TCP port on addr that nothing listens on right now.
func freePort(tb testing.TB, addr string) int {
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		tb.Fatalf("sshtest: no free port on %s: %v", addr, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// currentUser returns the current user's name and home directory.
func currentUser(tb testing.TB) (name, home string) {
	u, err := user.Current()
	if err != nil {
		tb.Fatal(err)
	}
	return u.Username, u.HomeDir
}
