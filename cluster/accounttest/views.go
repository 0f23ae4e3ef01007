package accounttest

import (
	"context"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
)

// Views returns a NewCluster whose clusters are views over cl's nodes:
// closing a view leaves cl's accounts open, so every test of a suite
// reuses one set of nodes (containers, pods).
func Views(cl *cluster.Cluster) NewCluster {
	return func(t *testing.T) *cluster.Cluster {
		var nodes []*cluster.Node
		for _, n := range cl.Nodes() {
			view := *n
			view.Account = cluster.NewRemoteAccount(n.Name, unclosable{n.Account.Account()})
			nodes = append(nodes, &view)
		}
		return cluster.New(nodes, nil)
	}
}

// unclosable is an account whose Close does nothing.
type unclosable struct{ cluster.Account }

func (unclosable) Close() error { return nil }

// Dial and Route pass the node's dialer through (cluster.Dialer), so the
// protocol clients reach a view's services as they reach the node's.
func (u unclosable) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	d, ok := u.Account.(cluster.Dialer)
	if !ok {
		return nil, fmt.Errorf("the node's provider cannot open connections to its services")
	}
	return d.Dial(ctx, network, address)
}

func (u unclosable) Route() cluster.Route {
	if d, ok := u.Account.(cluster.Dialer); ok {
		return d.Route()
	}
	return ""
}

// Log returns a writer that sends a provider's messages to tb's log.
func Log(tb testing.TB) io.Writer { return testLog{tb} }

type testLog struct{ tb testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.tb.Log(string(p))
	return len(p), nil
}
