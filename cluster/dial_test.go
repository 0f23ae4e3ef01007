package cluster_test

import (
	"context"
	"net"
	"strconv"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// TestLocalDial: local nodes' services are dialled directly.
func TestLocalDial(t *testing.T) {
	c, err := cluster.NewLocal(1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := c.Nodes()[0]
	ip := n.Account.Info().ExternallyRoutableIP
	accounttest.CheckDial(t, n, accounttest.EchoServer(t, ip), accounttest.RefusedAddr(t, ip), cluster.RouteDirect)
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
		accounttest.CheckDial(t, c.Nodes()[i], accounttest.EchoServer(t, addr), accounttest.RefusedAddr(t, addr), route)
	}
	wantErr(t, func() error {
		_, err := c.Nodes()[1].Account.Dial(context.Background(), "tcp", accounttest.RefusedAddr(t, "127.0.0.1"))
		return err
	}(),
		"through its SSH connection")
}
