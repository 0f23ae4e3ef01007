package sshtest_test

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

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

// TestStopRefusesWhileConnecting stops a node while clients keep
// connecting to it, so sshd is forking a child for a new connection when it
// is killed: once Stop returns, the port must refuse connections (a child
// that still held sshd's listening socket would accept them and reset
// them instead).
func TestStopRefusesWhileConnecting(t *testing.T) {
	ns := sshtest.Start(t, 1)
	addr := ns.Nodes[0].HostPort()
	for round := range 5 {
		done := make(chan struct{})
		var churn sync.WaitGroup
		for range 4 {
			churn.Add(1)
			go func() {
				defer churn.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					if c, err := net.Dial("tcp", addr); err == nil {
						c.Close()
					}
				}
			}()
		}
		time.Sleep(20 * time.Millisecond) // let the clients get going
		ns.Stop(1)
		c, err := net.Dial("tcp", addr)
		close(done)
		churn.Wait()
		if err == nil {
			c.Close()
			t.Fatalf("round %d: %s accepts connections after Stop", round, addr)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("round %d: dialling %s after Stop: %v; want connection refused", round, addr, err)
		}
		ns.Restart(1)
	}
}
