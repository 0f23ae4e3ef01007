package starlib

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/ducktape-go/ducktape/cluster"
)

// Node is the Starlark value of a cluster node: node.name, node.os,
// node.node_type, node.account. Two Node values are equal when they are the
// same node. It is immutable, so safe to share.
type Node struct{ node *cluster.Node }

var (
	_ starlark.HasAttrs   = Node{}
	_ starlark.Comparable = Node{}
)

// nodeDomain documents node values.
func nodeDomain() Domain {
	return Domain{Name: "node", Page: "writing-tests.md", Builtins: []Builtin{
		attribute("node", "", "A cluster node: node.name, node.os, node.node_type, node.account."),
		attribute("node.name", "", "The node's name, unique in the cluster (\"local1\", \"worker1\")."),
		attribute("node.os", "", "The node's operating system (\"linux\" unless the cluster file says otherwise)."),
		attribute("node.node_type", "", "The node's type from the cluster file, or None."),
		attribute("node.account", "", "The node's remote account: commands, files and processes on the node."),
	}}
}

// NewNode returns the Starlark value of n.
func NewNode(n *cluster.Node) Node { return Node{n} }

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

func (n Node) AttrNames() []string { return []string{"account", "name", "node_type", "os"} }

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
	return nil, nil
}

// nodeList returns a new list of the values of nodes.
func nodeList(nodes []*cluster.Node) *starlark.List {
	vals := make([]starlark.Value, len(nodes))
	for i, n := range nodes {
		vals[i] = NewNode(n)
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
