package cluster_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// echoServer listens on host (a free port) and echoes every line back
// until the test ends; it returns its host:port.
func echoServer(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return l.Addr().String()
}

// refusedAddr returns an address on host where nothing listens.
func refusedAddr(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// checkDial dials address through acct: a line goes there and back, a
// read deadline expires as a timeout and the connection still works after
// it; a refused port is a ConnectError naming the node and the address.
func checkDial(t *testing.T, node *cluster.Node, address, refused string, route cluster.Route) {
	t.Helper()
	acct := node.Account
	if got := acct.Route(); got != route {
		t.Errorf("%s: route %q, want %q", node.Name, got, route)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := acct.Dial(ctx, "tcp", address)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", node.Name, address, err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	roundTrip := func(line string) {
		t.Helper()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, line+"\n"); err != nil {
			t.Fatalf("%s: write: %v", node.Name, err)
		}
		got, err := r.ReadString('\n')
		if err != nil || got != line+"\n" {
			t.Fatalf("%s: echo of %q: %q, %v", node.Name, line, got, err)
		}
	}
	roundTrip("hello")
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	var ne net.Error
	if _, err := r.ReadByte(); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("%s: a read past its deadline: %v, want a timeout", node.Name, err)
	}
	roundTrip("again")

	_, err = acct.Dial(ctx, "tcp", refused)
	var ce *cluster.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: dial of a closed port: %v, want a ConnectError", node.Name, err)
	}
	wantErr(t, err, node.Name, refused, "connection refused")
	if _, err := acct.Dial(ctx, "udp", address); err == nil {
		t.Errorf("%s: a udp dial succeeded", node.Name)
	}
}

// TestLocalDial: local nodes' services are dialled directly.
func TestLocalDial(t *testing.T) {
	c, err := cluster.NewLocal(1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := c.Nodes()[0]
	ip := n.Account.Info().ExternallyRoutableIP
	checkDial(t, n, echoServer(t, ip), refusedAddr(t, ip), cluster.RouteDirect)
}

// TestSSHDial: a plain SSH node's services are dialled directly; a node
// behind a jump host's through its SSH connection, where the node's sshd
// connects (here both are on this machine, so the addresses are the same).
func TestSSHDial(t *testing.T) {
	ns := sshtest.Start(t, 2)
	behind := sshConfigOf(ns, 2)
	jump := ns.Nodes[0]
	behind["proxyjump"] = jump.User + "@" + net.JoinHostPort(jump.Addr, strconv.Itoa(jump.Port))
	c := openWith(t, sshConfigOf(ns, 1), behind)
	for i, route := range []cluster.Route{cluster.RouteDirect, cluster.RouteSSH} {
		addr := ns.Nodes[i].Addr
		checkDial(t, c.Nodes()[i], echoServer(t, addr), refusedAddr(t, addr), route)
	}
	wantErr(t, func() error {
		_, err := c.Nodes()[1].Account.Dial(context.Background(), "tcp", refusedAddr(t, "127.0.0.1"))
		return err
	}(),
		"through its SSH connection")
}
