package starlib

import (
	"fmt"
	"slices"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/ducktape-go/ducktape/cluster"
)

// Node is the Starlark value of a cluster node: node.name, node.os,
// node.node_type, node.account, and the attributes the test sets
// (node.version = "3.8.0"), kept in its TestCluster's nodeAttrs for the
// rest of the test. Two Node values are equal when they are the same node.
type Node struct {
	node  *cluster.Node
	attrs *nodeAttrs // nil: a node outside a test, which takes no attributes
}

var (
	_ starlark.HasAttrs    = Node{}
	_ starlark.HasSetField = Node{}
	_ starlark.Comparable  = Node{}
)

// nodeAttrs holds the attributes a test set on its nodes. Safe for
// concurrent use (the values themselves are used under the test's lock).
type nodeAttrs struct {
	mu sync.Mutex
	m  map[*cluster.Node]map[string]starlark.Value
}

func newNodeAttrs() *nodeAttrs {
	return &nodeAttrs{m: map[*cluster.Node]map[string]starlark.Value{}}
}

func (a *nodeAttrs) get(n *cluster.Node, name string) starlark.Value {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.m[n][name]
}

func (a *nodeAttrs) set(n *cluster.Node, name string, v starlark.Value) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m[n] == nil {
		a.m[n] = map[string]starlark.Value{}
	}
	a.m[n][name] = v
}

func (a *nodeAttrs) names(n *cluster.Node) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return sortedKeys(a.m[n])
}

// nodeDomain documents node values.
func nodeDomain() Domain {
	return Domain{Name: "node", Page: "writing-tests.md", Builtins: []Builtin{
		attribute("node", "", "A cluster node: node.name, node.os, node.node_type, node.account. A test may set attributes of its own on its nodes (`node.version = \"3.8.0\"`, as in the Python ducktape), kept for the rest of the test."),
		attribute("node.name", "", "The node's name, unique in the cluster (\"local1\", \"worker1\")."),
		attribute("node.os", "", "The node's operating system (\"linux\" unless the cluster file says otherwise)."),
		attribute("node.node_type", "", "The node's type from the cluster file, or None."),
		attribute("node.account", "", "The node's remote account: commands, files and processes on the node."),
	}}
}

// NewNode returns the Starlark value of n outside a test: it takes no
// attributes. A test's nodes come from its TestCluster.
func NewNode(n *cluster.Node) Node { return Node{node: n} }

// ClusterNode returns the node behind the value.
func (n Node) ClusterNode() *cluster.Node { return n.node }

func (n Node) String() string        { return fmt.Sprintf("<node %s>", n.node.Name) }
func (n Node) Type() string          { return "node" }
func (n Node) Freeze()               {}
func (n Node) Truth() starlark.Bool  { return true }
func (n Node) Hash() (uint32, error) { return starlark.String(n.node.Name).Hash() }

func (n Node) CompareSameType(op syntax.Token, y starlark.Value, depth int) (bool, error) {
	same := n.node == y.(Node).node
	switch op {
	case syntax.EQL:
		return same, nil
	case syntax.NEQ:
		return !same, nil
	}
	return false, fmt.Errorf("nodes cannot be ordered")
}

var nodeBuiltinAttrs = []string{"account", "name", "node_type", "os"}

func (n Node) AttrNames() []string {
	if n.attrs == nil {
		return nodeBuiltinAttrs
	}
	return append(slices.Clone(nodeBuiltinAttrs), n.attrs.names(n.node)...)
}

// SetField sets an attribute of the test's own (node.version = ...).
func (n Node) SetField(name string, v starlark.Value) error {
	if slices.Contains(nodeBuiltinAttrs, name) {
		return fmt.Errorf("node.%s cannot be set", name)
	}
	if n.attrs == nil {
		return fmt.Errorf("node.%s: only a test's nodes take attributes", name)
	}
	n.attrs.set(n.node, name, v)
	return nil
}

func (n Node) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(n.node.Name), nil
	case "os":
		return starlark.String(n.node.OS), nil
	case "node_type":
		if n.node.NodeType == "" {
			return starlark.None, nil
		}
		return starlark.String(n.node.NodeType), nil
	case "account":
		return Account{n.node}, nil
	}
	if n.attrs != nil {
		if v := n.attrs.get(n.node, name); v != nil {
			return v, nil
		}
	}
	return nil, nil
}

// nodeList returns a new list of the values of nodes, whose attributes
// are kept in attrs (nil for none).
func nodeList(nodes []*cluster.Node, attrs *nodeAttrs) *starlark.List {
	vals := make([]starlark.Value, len(nodes))
	for i, n := range nodes {
		vals[i] = Node{node: n, attrs: attrs}
	}
	return starlark.NewList(vals)
}

// AsNode returns the cluster node of a node value, or an error naming the
// builtin and the parameter.
func AsNode(fn, param string, v starlark.Value) (*cluster.Node, error) {
	n, ok := v.(Node)
	if !ok {
		return nil, fmt.Errorf("%s: %s must be a node, not %s", fn, param, v.Type())
	}
	return n.node, nil
}
