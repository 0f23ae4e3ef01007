package cluster

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Node is one machine of a cluster. Its fields do not change after the
// cluster is built.
type Node struct {
	Name     string // unique in the cluster, e.g. "local3" or "worker1"
	OS       string // "linux" unless the cluster file says otherwise
	NodeType string // free-form, e.g. "large"; "" when the provider gives none
	Account  *RemoteAccount
}

// NodeSpec is a request for one node. Empty fields match any node.
type NodeSpec struct {
	OS       string `json:"os,omitempty"`
	NodeType string `json:"node_type,omitempty"`
}

// Matches reports whether n satisfies the spec.
func (s NodeSpec) Matches(n *Node) bool {
	return (s.OS == "" || s.OS == n.OS) && (s.NodeType == "" || s.NodeType == n.NodeType)
}

func (s NodeSpec) String() string {
	var parts []string
	if s.OS != "" {
		parts = append(parts, "os="+s.OS)
	}
	if s.NodeType != "" {
		parts = append(parts, "node_type="+s.NodeType)
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, ",")
}

// AnyNodes returns n specs that match any node.
func AnyNodes(n int) []NodeSpec { return make([]NodeSpec, n) }

// ErrNotEnoughNodes is returned (wrapped) by Alloc when the free nodes cannot
// satisfy a request right now.
var ErrNotEnoughNodes = errors.New("not enough free nodes")

// Cluster is a pool of nodes that tests allocate from and free to. It is
// safe for concurrent use. Allocation is all-or-nothing.
type Cluster struct {
	mu        sync.Mutex
	nodes     []*Node
	inUse     map[*Node]bool
	close     func() error
	leftovers *leftoverTracker
}

// New makes a cluster of nodes; closeFn (may be nil) runs once on Close,
// after every account is closed.
func New(nodes []*Node, closeFn func() error) *Cluster {
	return &Cluster{nodes: nodes, inUse: map[*Node]bool{}, close: closeFn, leftovers: newLeftoverTracker()}
}

// Nodes returns every node, allocated or not, in cluster order.
func (c *Cluster) Nodes() []*Node { return append([]*Node(nil), c.nodes...) }

// Len returns the number of nodes in the cluster.
func (c *Cluster) Len() int { return len(c.nodes) }

// NumAvailable returns how many nodes are free.
func (c *Cluster) NumAvailable() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.nodes) - len(c.inUse)
}

// Alloc allocates one node per spec from the free nodes, or none: the error
// wraps ErrNotEnoughNodes when the request could fit the cluster later, and
// says why it never can otherwise (see CanFit).
func (c *Cluster) Alloc(specs []NodeSpec) ([]*Node, error) {
	if err := c.CanFit(specs); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	got, ok := match(specs, func(n *Node) bool { return !c.inUse[n] }, c.nodes)
	if !ok {
		return nil, fmt.Errorf("%w: want %s, %d of %d free", ErrNotEnoughNodes, describe(specs), len(c.nodes)-len(c.inUse), len(c.nodes))
	}
	for _, n := range got {
		c.inUse[n] = true
	}
	return got, nil
}

// CanFit reports, with the reason, whether specs could ever be satisfied by
// this cluster when all its nodes are free.
func (c *Cluster) CanFit(specs []NodeSpec) error {
	if len(specs) > len(c.nodes) {
		return fmt.Errorf("the test needs %d nodes but the cluster has only %d", len(specs), len(c.nodes))
	}
	if _, ok := match(specs, func(*Node) bool { return true }, c.nodes); !ok {
		return fmt.Errorf("the cluster cannot satisfy %s (it has %s)", describe(specs), c.inventory())
	}
	return nil
}

// Free returns nodes to the pool. Freeing a free node is a no-op.
func (c *Cluster) Free(nodes []*Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range nodes {
		delete(c.inUse, n)
	}
}

// Close kills what its owners left on the nodes and did not kill (see
// [Owner.KillLeftovers]), closes every node's account, all at once (each
// waits for its connections to end), and then runs the provider's clean-up.
func (c *Cluster) Close() error {
	errs := make([]error, len(c.nodes), len(c.nodes)+2)
	if err := c.leftovers.killAll(); err != nil {
		errs = append(errs, err)
	}
	var wg sync.WaitGroup
	for i, n := range c.nodes {
		wg.Go(func() {
			if err := n.Account.Account().Close(); err != nil {
				errs[i] = fmt.Errorf("closing %s: %w", n.Name, err)
			}
		})
	}
	wg.Wait()
	if c.close != nil {
		errs = append(errs, c.close())
	}
	return errors.Join(errs...)
}

func (c *Cluster) inventory() string {
	counts := map[string]int{}
	for _, n := range c.nodes {
		counts[NodeSpec{OS: n.OS, NodeType: n.NodeType}.String()]++
	}
	return describeCounts(counts)
}

// match picks a distinct usable node for every spec. Specs naming more
// fields are served first, which is exact for the os/node_type lattice
// used in practice (a spec is either generic, or names its fields).
func match(specs []NodeSpec, usable func(*Node) bool, nodes []*Node) ([]*Node, bool) {
	order := make([]int, len(specs))
	for i := range order {
		order[i] = i
	}
	weight := func(s NodeSpec) int {
		w := 0
		if s.OS != "" {
			w++
		}
		if s.NodeType != "" {
			w += 2
		}
		return w
	}
	sort.SliceStable(order, func(a, b int) bool { return weight(specs[order[a]]) > weight(specs[order[b]]) })
	taken := map[*Node]bool{}
	got := make([]*Node, len(specs))
	for _, i := range order {
		for _, n := range nodes {
			if !taken[n] && usable(n) && specs[i].Matches(n) {
				taken[n], got[i] = true, n
				break
			}
		}
		if got[i] == nil {
			return nil, false
		}
	}
	return got, true
}

func describe(specs []NodeSpec) string {
	counts := map[string]int{}
	for _, s := range specs {
		counts[s.String()]++
	}
	return describeCounts(counts)
}

func describeCounts(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d×%s", counts[k], k)
	}
	return strings.Join(parts, " + ")
}
