package starlib

import (
	"fmt"
	"slices"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/cluster"
)

// TestCluster is ctx.cluster: the nodes allocated to one test, from which
// its services take theirs. len(ctx.cluster) is the number of nodes,
// ctx.cluster[i] and iteration give them all; ctx.cluster.alloc(n) (or
// alloc(nodes = [node_spec(...), ...])) takes nodes not yet taken,
// ctx.cluster.free(nodes) gives them back, ctx.cluster.num_available()
// counts what is left.
//
// A taken node may be shared (Share): services placed beside another's
// (svc(ctx, nodes = other.nodes)) hold its nodes too. Each taken node
// counts its holders (an alloc, a service) and goes back to the free nodes
// when the last one frees it. Safe for concurrent use.
type TestCluster struct {
	nodes []*cluster.Node
	pool  *cluster.Cluster // over nodes, never closed
	attrs *nodeAttrs       // what the test set on its nodes (node.version = ...)

	mu      sync.Mutex            // guards the fields below and makes pool changes atomic with them
	holders map[*cluster.Node]int // of each taken node; a free node has none
	maxUsed int                   // most nodes taken at once
}

var (
	_ starlark.HasAttrs  = (*TestCluster)(nil)
	_ starlark.Indexable = (*TestCluster)(nil)
	_ starlark.Iterable  = (*TestCluster)(nil)
)

// clusterDomain is node_spec and the attributes of ctx.cluster (whose
// type is named cluster).
func clusterDomain() Domain {
	return Domain{Name: "cluster", Page: "marks.md", Builtins: []Builtin{
		function("node_spec", "node_spec(os = None, node_type = None)", "A request for one node, for `cluster(test, nodes = [...])` and `ctx.cluster.alloc(nodes = [...])`.", nodeSpecBuiltin),
		attribute("cluster.nodes", "", "The list of the test's nodes."),
		attribute("cluster.alloc", "cluster.alloc(num_nodes = 1, nodes = None)", "Takes nodes not yet taken: a number of any kind, or one per node_spec in nodes; returns them as a list."),
		attribute("cluster.free", "cluster.free(nodes)", "Gives nodes back; a node a service still runs on stays taken until that service is freed too."),
		attribute("cluster.num_available", "cluster.num_available()", "How many nodes are not taken."),
	}}
}

// NewTestCluster makes the test's view of the nodes allocated to it.
func NewTestCluster(nodes []*cluster.Node) *TestCluster {
	return &TestCluster{nodes: nodes, pool: cluster.New(nodes, nil), attrs: newNodeAttrs(), holders: map[*cluster.Node]int{}}
}

// Nodes returns the test's nodes.
func (tc *TestCluster) Nodes() []*cluster.Node { return tc.nodes }

// Alloc takes one node per spec from the test's free nodes; the error says
// what the test asked for and what it has.
func (tc *TestCluster) Alloc(specs []cluster.NodeSpec) ([]*cluster.Node, error) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	nodes, err := tc.pool.Alloc(specs)
	if err != nil {
		return nil, fmt.Errorf("%w (the test has %d nodes, %d not yet taken; ask for more with cluster(test, num_nodes = N))",
			err, len(tc.nodes), tc.pool.NumAvailable())
	}
	for _, n := range nodes {
		tc.holders[n] = 1
	}
	tc.maxUsed = max(tc.maxUsed, len(tc.nodes)-tc.pool.NumAvailable())
	return nodes, nil
}

// Share adds a holder to nodes, which must all be taken already (by a
// service of the test, or by ctx.cluster.alloc): they stay taken until
// every holder has freed them. Nothing is shared when it fails.
func (tc *TestCluster) Share(nodes []*cluster.Node) error {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for i, n := range nodes {
		if tc.holders[n] == 0 {
			return fmt.Errorf("nodes[%d] (%s) is not taken by the test (a freed service's node, or one never taken): "+
				"share the nodes of a service the test still holds (nodes = other.nodes), or give node_spec(...) values to take new ones", i, n.Name)
		}
		if slices.Index(nodes, n) < i {
			return fmt.Errorf("nodes[%d] (%s) is given twice", i, n.Name)
		}
	}
	for _, n := range nodes {
		tc.holders[n]++
	}
	return nil
}

// MaxUsed returns the most nodes the test had taken at once (nodes_used).
func (tc *TestCluster) MaxUsed() int {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return tc.maxUsed
}

// Free drops one holder of each of nodes and returns those it was the last
// holder of to the test's free nodes. Freeing a free node is a no-op.
func (tc *TestCluster) Free(nodes []*cluster.Node) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	var free []*cluster.Node
	for _, n := range nodes {
		switch tc.holders[n] {
		case 0:
		case 1:
			delete(tc.holders, n)
			free = append(free, n)
		default:
			tc.holders[n]--
		}
	}
	tc.pool.Free(free)
}

func (tc *TestCluster) String() string        { return fmt.Sprintf("<cluster of %d nodes>", len(tc.nodes)) }
func (tc *TestCluster) Type() string          { return "cluster" }
func (tc *TestCluster) Freeze()               {}
func (tc *TestCluster) Truth() starlark.Bool  { return len(tc.nodes) > 0 }
func (tc *TestCluster) Hash() (uint32, error) { return 0, fmt.Errorf("unhashable type: cluster") }
func (tc *TestCluster) Len() int              { return len(tc.nodes) }
func (tc *TestCluster) Index(i int) starlark.Value {
	return tc.Node(tc.nodes[i])
}
func (tc *TestCluster) Iterate() starlark.Iterator { return nodeList(tc.nodes, tc.attrs).Iterate() }

// Node returns the value of one of the test's nodes, which keeps the
// attributes the test sets.
func (tc *TestCluster) Node(n *cluster.Node) Node { return Node{node: n, attrs: tc.attrs} }

func (tc *TestCluster) AttrNames() []string {
	return []string{"alloc", "free", "nodes", "num_available"}
}

func (tc *TestCluster) Attr(name string) (starlark.Value, error) {
	switch name {
	case "nodes":
		return nodeList(tc.nodes, tc.attrs), nil
	case "alloc":
		return starlark.NewBuiltin("cluster.alloc", tc.allocBuiltin), nil
	case "free":
		return starlark.NewBuiltin("cluster.free", tc.freeBuiltin), nil
	case "num_available":
		return starlark.NewBuiltin("cluster.num_available", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
			return starlark.MakeInt(tc.pool.NumAvailable()), nil
		}), nil
	}
	return nil, nil
}

func (tc *TestCluster) allocBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var num starlark.Value
	var specs *starlark.List
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "num_nodes?", &num, "nodes?", &specs); err != nil {
		return nil, err
	}
	want, err := NodeSpecsArg(b.Name(), num, specs)
	if err != nil {
		return nil, err
	}
	nodes, err := tc.Alloc(want)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return nodeList(nodes, tc.attrs), nil
}

func (tc *TestCluster) freeBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var list starlark.Iterable
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &list); err != nil {
		return nil, err
	}
	var nodes []*cluster.Node
	var x starlark.Value
	iter := list.Iterate()
	defer iter.Done()
	for iter.Next(&x) {
		n, err := AsNode(b.Name(), "nodes", x)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	tc.Free(nodes)
	return starlark.None, nil
}

// NodeSpecsArg converts the (num_nodes, nodes) pair of arguments accepted by
// cluster(...) and alloc(...) into specs: either a count (default 1) of
// nodes of any kind, or a list of node_spec values.
func NodeSpecsArg(fn string, num starlark.Value, specs *starlark.List) ([]cluster.NodeSpec, error) {
	if specs != nil {
		if num != nil && num != starlark.None {
			return nil, fmt.Errorf("%s: give num_nodes or nodes, not both", fn)
		}
		out := make([]cluster.NodeSpec, specs.Len())
		for i := range out {
			s, ok := specs.Index(i).(*starlarkstruct.Struct)
			if !ok || s.Constructor() != nodeSpecCtor {
				return nil, fmt.Errorf("%s: nodes[%d] must be a node_spec(...), not %s", fn, i, specs.Index(i).Type())
			}
			out[i] = nodeSpecOf(s)
		}
		return out, nil
	}
	n := 1
	if num != nil && num != starlark.None {
		var err error
		if n, err = starlark.AsInt32(num); err != nil || n < 0 {
			return nil, fmt.Errorf("%s: num_nodes must be a non-negative int, not %s", fn, num)
		}
	}
	return cluster.AnyNodes(n), nil
}

// nodeSpecCtor marks structs made by node_spec.
var nodeSpecCtor = starlark.String("node_spec")

// nodeSpecBuiltin is node_spec(os = None, node_type = None).
func nodeSpecBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var os, nodeType string
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "os?", &os, "node_type?", &nodeType); err != nil {
		return nil, err
	}
	return NodeSpecValue(cluster.NodeSpec{OS: os, NodeType: nodeType}), nil
}

// NodeSpecValue returns the Starlark value of a spec, as node_spec makes it.
func NodeSpecValue(s cluster.NodeSpec) *starlarkstruct.Struct {
	str := func(v string) starlark.Value {
		if v == "" {
			return starlark.None
		}
		return starlark.String(v)
	}
	return starlarkstruct.FromStringDict(nodeSpecCtor, starlark.StringDict{"os": str(s.OS), "node_type": str(s.NodeType)})
}

func nodeSpecOf(s *starlarkstruct.Struct) cluster.NodeSpec {
	get := func(name string) string {
		v, _ := s.Attr(name)
		str, _ := starlark.AsString(v)
		return str
	}
	return cluster.NodeSpec{OS: get("os"), NodeType: get("node_type")}
}
