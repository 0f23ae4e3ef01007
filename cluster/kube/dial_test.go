package kube_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/kube"
	"github.com/ducktape-go/ducktape/cluster/kube/kubetest"
)

// echoPort is where podEchoServer listens in its pod.
const echoPort = "7007"

// podEchoServer starts a line echo server on node n's address in its pod
// (or container: perl, of the node image), which closes a connection that sends "quit",
// and returns its address once it listens.
func podEchoServer(t testing.TB, n *cluster.Node) string {
	t.Helper()
	ip := n.Account.Info().ExternallyRoutableIP
	const server = `$s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1], Listen => 8, ReuseAddr => 1) or die "listen: $!";
$SIG{CHLD} = "IGNORE";
while ($c = $s->accept) { if (fork) { close $c; next } while (<$c>) { last if /^quit/; print $c $_ } exit }`
	ctx := context.Background()
	if _, err := n.Account.SSH(ctx, "nohup perl -MIO::Socket::INET -e '"+server+"' "+ip+" "+echoPort+" >echo.log 2>&1 &", false); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Account.SSH(ctx, "i=0; until grep -q ':1B5F ' /proc/net/tcp; do i=$((i+1)); [ $i -lt 100 ] || { cat echo.log; exit 1; }; sleep 0.1; done", false); err != nil {
		t.Fatalf("the echo server in %s does not listen: %v", n.Name, err)
	}
	return net.JoinHostPort(ip, echoPort)
}

// TestKubeDial: a pod's services are reached by the route the cluster
// chose (on .ci/kube's cluster, whose pods are on this machine's bridge:
// direct) and through a relay exec'd in the pod, which keeps the dialer
// contract; the relay's connection ends when the service closes it, and
// the relay ends when the driver closes it.
func TestKubeDial(t *testing.T) {
	n := kubetest.Start(t, 1, kube.Options{}).Nodes()[0]
	t.Logf("the cluster chose route %q", n.Account.Route())
	echo := podEchoServer(t, n)
	refused := net.JoinHostPort(n.Account.Info().ExternallyRoutableIP, "1")
	for _, route := range []cluster.Route{cluster.RouteDirect, cluster.RouteExec} {
		t.Run(string(route), func(t *testing.T) {
			accounttest.CheckDial(t, kube.WithRoute(n, route), echo, refused, route)
		})
	}

	relayed := kube.WithRoute(n, cluster.RouteExec)
	ctx := context.Background()
	if _, err := relayed.Account.Dial(ctx, "tcp", refused); err == nil || !strings.Contains(err.Error(), "(through a relay exec'd in it)") {
		t.Errorf("a relayed dial of a closed port: %v, want an error naming the relay", err)
	}
	c, err := relayed.Account.Dial(ctx, "tcp", echo)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(c, "quit\n")
	if b, err := bufio.NewReader(c).ReadByte(); err != io.EOF {
		t.Errorf("the service closed the relayed connection; the driver's end read %q, %v, want end of file", b, err)
	}
	c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		pids, err := n.Account.Pids(ctx, "dev/tcp")
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("relays left running in %s after their connections closed: %v", n.Name, pids)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
