package clients

import (
	"context"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// Endpoint is a service as a client reaches it: the node it runs on, its
// address as the node's network sees it, and the node's dialer.
type Endpoint struct {
	Node    string // the node's name, for errors; "" for an address of no node
	Address string // host:port
	dial    func(ctx context.Context, network, address string) (net.Conn, error)
}

// NodeEndpoint is the service at port on node n's externally routable IP.
func NodeEndpoint(n *cluster.Node, port int) Endpoint {
	addr := net.JoinHostPort(n.Account.Info().ExternallyRoutableIP, strconv.Itoa(port))
	return Endpoint{Node: n.Name, Address: addr, dial: n.Account.Dial}
}

// where names the endpoint in errors: "local1 (127.0.0.2:6379)".
func (e Endpoint) where() string {
	if e.Node == "" {
		return e.Address
	}
	return e.Node + " (" + e.Address + ")"
}

// Dial opens a counted connection to the endpoint (see OpenConnections),
// whatever address the protocol library asks for. A failure wraps a
// *cluster.ConnectError (nothing was sent).
func (e Endpoint) Dial(ctx context.Context, network, _ string) (net.Conn, error) {
	dial := e.dial
	if dial == nil {
		dial = directDial(e.Node)
	}
	c, err := dial(ctx, network, e.Address)
	if err != nil {
		return nil, err
	}
	openConns.Add(1)
	return &countedConn{Conn: c}, nil
}

// directDial is the dialer of addresses that belong to no node: a TCP
// connection from the driver, failing as a node's would.
func directDial(node string) func(ctx context.Context, network, address string) (net.Conn, error) {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext(ctx, network, address)
		if err != nil {
			return nil, &cluster.ConnectError{Node: node, Address: address, Route: cluster.RouteDirect, Err: err}
		}
		return c, nil
	}
}

// countedConn takes itself off the count of open connections when it is
// first closed.
type countedConn struct {
	net.Conn
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { openConns.Add(-1) })
	return c.Conn.Close()
}
