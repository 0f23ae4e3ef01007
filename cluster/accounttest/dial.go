package accounttest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// EchoServer listens on host (a free port) in the test process and echoes
// every line back until the test ends; it returns its host:port.
func EchoServer(t *testing.T, host string) string {
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

// RefusedAddr returns an address on host (of the test process) where
// nothing listens.
func RefusedAddr(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// CheckDial is the contract of a node's [cluster.Dialer]: its route is
// route; through it, address (a line echo service the node reaches) gets
// a line there and back, a read deadline expires as a timeout and the
// connection still works after it; refused (a port where nothing listens) is a
// *cluster.ConnectError naming the node, the address and the refusal; a
// network other than tcp is an error.
func CheckDial(t *testing.T, node *cluster.Node, address, refused string, route cluster.Route) {
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
	for _, want := range []string{node.Name, refused, "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: the error of a dial of a closed port lacks %q: %v", node.Name, want, err)
		}
	}
	if _, err := acct.Dial(ctx, "udp", address); err == nil {
		t.Errorf("%s: a udp dial succeeded", node.Name)
	}
}
