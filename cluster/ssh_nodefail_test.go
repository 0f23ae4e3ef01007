package cluster_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// TestSSHSilentServer: a port that accepts connections but never answers
// SSH fails the command after the node's connecttimeout, saying so with
// its host:port, and the node is not dialled again for a while: the next
// commands fail at once with the same error.
func TestSSHSilentServer(t *testing.T) {
	node := sshtest.Silent(t, 1)
	addr := node.Addr
	c, err := cluster.Open(cluster.Options{File: node.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = runOn(c, "true")
	wantErr(t, err, "hung", addr, "no SSH handshake within 1s")
	var de *cluster.DialError
	if !errors.As(err, &de) || !de.TimedOut {
		t.Errorf("error %v: want a *cluster.DialError that timed out", err)
	}
	for range 3 {
		_, err = runOn(c, "true")
		wantErr(t, err, "hung", addr, "no SSH handshake within 1s", "not dialled again")
	}
	if n := node.Accepted(); n != 1 {
		t.Errorf("the silent server accepted %d connections; want 1 (one dial, then the remembered error)", n)
	}
}

// TestSSHCallersDeadlineIsNotTheNodesTimeout: a dial cut short by the
// caller's deadline, earlier than the node's connect timeout (docker's
// readiness poll, a command's timeout), says so and is not remembered: the
// next command dials again. (It was remembered as a timeout of the node
// when the two deadlines raced, which kept docker nodes that were slow to
// answer their first handshake out for 30 s.)
func TestSSHCallersDeadlineIsNotTheNodesTimeout(t *testing.T) {
	node := sshtest.Silent(t, 60)
	c, err := cluster.Open(cluster.Options{File: node.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		_, err := c.Nodes()[0].Account.SSH(ctx, "true", false)
		cancel()
		// Within what the caller left when the dial began: 300 ms less
		// the time it took to start.
		wantErr(t, err, node.Addr, "no SSH handshake within ")
		var de *cluster.DialError
		if !errors.As(err, &de) || de.TimedOut || strings.Contains(err.Error(), "not dialled again") || strings.Contains(err.Error(), "within 1m0s") {
			t.Errorf("attempt %d: %v; want a DialError that did not time out the node", i+1, err)
		}
	}
	if n := node.Accepted(); n != 3 {
		t.Errorf("the silent server accepted %d connections; want 3 (each command dials)", n)
	}
}

// TestSSHConnectionLostMidCommand: sshd dies while a command runs: the
// command fails naming the node, its host:port and what happened, and the
// next command, once sshd is back, reconnects.
func TestSSHConnectionLostMidCommand(t *testing.T) {
	ns := sshtest.Start(t, 1)
	c := openWith(t, sshConfigOf(ns, 1))
	acct := c.Nodes()[0].Account
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lines := acct.Capture(ctx, "echo started; sleep 30", false, true)
	defer lines.Close()
	if line, ok := lines.Next(); !ok || line != "started" {
		t.Fatalf("first line %q, %v: %v", line, ok, lines.Err())
	}
	ns.Stop(1)
	for _, ok := lines.Next(); ok; _, ok = lines.Next() {
	}
	err := lines.Err()
	wantErr(t, err, "node1", "the connection to node1 ("+ns.Nodes[0].HostPort()+") was lost", "outcome is unknown")
	if !errors.As(err, new(*cluster.ConnLostError)) {
		t.Errorf("error %v: want a *cluster.ConnLostError", err)
	}
	if _, err := runOn(c, "true"); err == nil {
		t.Fatal("a command succeeded while sshd was down")
	} else {
		wantErr(t, err, "node1", ns.Nodes[0].HostPort(), "connection refused")
	}
	ns.Restart(1)
	if out, err := runOn(c, "echo back"); err != nil || out != "back\n" {
		t.Fatalf("after sshd came back: %q, %v", out, err)
	}
}

// TestSSHConnectTimeoutFromUserConfig: ~/.ssh/config's ConnectTimeout
// applies when the cluster file gives none.
func TestSSHConnectTimeoutFromUserConfig(t *testing.T) {
	addr := sshtest.Silent(t, 60).Addr
	host, port, _ := net.SplitHostPort(addr)
	home := t.TempDir()
	os.Mkdir(filepath.Join(home, ".ssh"), 0o700)
	conf := "Host hung\n  HostName " + host + "\n  Port " + port + "\n  ConnectTimeout 1\n  StrictHostKeyChecking no\n  IdentityFile " + sshtest.NewFiles(t).Key + "\n"
	os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte(conf), 0o600)
	t.Setenv("HOME", home)
	_, err := runOn(openWith(t, map[string]any{"host": "hung"}), "true")
	wantErr(t, err, addr, "no SSH handshake within 1s")
	os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte(strings.Replace(conf, "ConnectTimeout 1", "ConnectTimeout soon", 1)), 0o600)
	path := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(path, []byte(`{"nodes": [{"ssh_config": {"host": "hung"}}]}`), 0o644)
	_, err = cluster.Open(cluster.Options{File: path})
	wantErr(t, err, `bad ConnectTimeout "soon"`)
}
