package faults

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// cleanupTimeout bounds undoing a failed injection, which runs even when
// the injection was cancelled.
const cleanupTimeout = time.Minute

// ruleSet is the iptables rules of one fault: per node, each rule's chain
// and match (e.g. "INPUT -s 10.99.0.2/32"). Every rule drops what it
// matches and carries the fault's tag as an iptables comment.
type ruleSet map[*cluster.Node][]string

// ruleScript adds (op "-I") or deletes (op "-D") rules on one node. A
// delete also succeeds when the rule is already gone, and goes on after a
// failure so that every rule it can remove is removed.
func ruleScript(h *hostInfo, op string, rules []string, tag string) string {
	var b strings.Builder
	b.WriteString("s=0; ")
	for _, rule := range rules {
		spec := fmt.Sprintf("%s -m comment --comment %s -j DROP", rule, tag)
		ipt := h.sudo() + "iptables -w "
		if op == "-I" {
			fmt.Fprintf(&b, "%s-I %s || exit 1; ", ipt, spec)
		} else {
			fmt.Fprintf(&b, "%s-D %s || ! %s-C %s 2>/dev/null || s=1; ", ipt, spec, ipt, spec)
		}
	}
	b.WriteString("exit $s")
	return b.String()
}

// applyRules adds every node's rules, concurrently. When any node fails, it
// deletes the rules on every node (even after ctx is cancelled) and
// returns the error. Otherwise it returns the heal that deletes them.
func applyRules(ctx context.Context, infos map[*cluster.Node]*hostInfo, rules ruleSet, tag string) (func(context.Context) error, error) {
	nodes := slices.Collect(maps.Keys(rules))
	heal := func(ctx context.Context) error {
		return forEach(nodes, func(_ int, n *cluster.Node) error { return run(ctx, n, ruleScript(infos[n], "-D", rules[n], tag)) })
	}
	if err := forEach(nodes, func(_ int, n *cluster.Node) error { return run(ctx, n, ruleScript(infos[n], "-I", rules[n], tag)) }); err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		return nil, errors.Join(err, heal(cctx))
	}
	return heal, nil
}

// Partition cuts the nodes of each group off from the nodes of every other
// group, both ways: on each node, its INPUT chain drops what comes from
// the other groups' nodes. Nodes in no group are not affected.
func (r *Registry) Partition(ctx context.Context, groups [][]*cluster.Node) (*Fault, error) {
	if len(groups) < 2 {
		return nil, fmt.Errorf("want at least two groups of nodes, not %d", len(groups))
	}
	var all []*cluster.Node
	groupOf := map[*cluster.Node]int{}
	names := make([][]string, len(groups))
	for i, g := range groups {
		if len(g) == 0 {
			return nil, fmt.Errorf("group %d is empty", i+1)
		}
		for _, n := range g {
			if j, dup := groupOf[n]; dup {
				return nil, fmt.Errorf("%s is in groups %d and %d", n.Name, j+1, i+1)
			}
			groupOf[n] = i
			all = append(all, n)
		}
		names[i] = nodeNames(g)
	}
	return r.dropBetween(ctx, "partition", all, all, map[string]any{"groups": names}, func(a, b *cluster.Node) bool { return groupOf[a] != groupOf[b] })
}

// Isolate cuts node off from every other node of the test, both ways.
func (r *Registry) Isolate(ctx context.Context, node *cluster.Node) (*Fault, error) {
	peers := r.peers(node)
	if len(peers) == 0 {
		return nil, fmt.Errorf("the test has no node other than %s", node.Name)
	}
	all := append([]*cluster.Node{node}, peers...)
	args := map[string]any{"node": node.Name, "from": nodeNames(peers)}
	return r.dropBetween(ctx, "isolate", all, all[:1], args, func(a, b *cluster.Node) bool { return a == node || b == node })
}

// dropBetween makes a fault (recorded as acting on shown) whose every node
// drops the input of each other node it is cut from.
func (r *Registry) dropBetween(ctx context.Context, kind string, nodes, shown []*cluster.Node, args map[string]any, cut func(a, b *cluster.Node) bool) (*Fault, error) {
	infos, err := r.netPrep(ctx, nodes, "iptables")
	if err != nil {
		return nil, err
	}
	ips, err := nodeIPs(ctx, nodes)
	if err != nil {
		return nil, err
	}
	rules := ruleSet{}
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b && cut(a, b) {
				rules[a] = append(rules[a], fmt.Sprintf("INPUT -s %s/32", ips[b]))
			}
		}
	}
	return r.inject(ctx, kind, shown, args, true, func(ctx context.Context, tag string) (func(context.Context) error, error) {
		return applyRules(ctx, infos, rules, tag)
	})
}

// Loss drops percent (0 < percent <= 100) of the packets node sends to the
// nodes to (to every other node of the test when to is empty), at random
// (iptables' statistic match, on the OUTPUT chain).
func (r *Registry) Loss(ctx context.Context, node *cluster.Node, percent float64, to []*cluster.Node) (*Fault, error) {
	if percent <= 0 || percent > 100 {
		return nil, fmt.Errorf("percent must be in (0, 100], not %g", percent)
	}
	to, err := r.targets(node, to)
	if err != nil {
		return nil, err
	}
	infos, err := r.netPrep(ctx, append([]*cluster.Node{node}, to...), "iptables")
	if err != nil {
		return nil, err
	}
	ips, err := nodeIPs(ctx, to)
	if err != nil {
		return nil, err
	}
	var rules []string
	for _, t := range to {
		rules = append(rules, fmt.Sprintf("OUTPUT -d %s/32 -m statistic --mode random --probability %.4f", ips[t], percent/100))
	}
	args := map[string]any{"percent": percent, "to": nodeNames(to)}
	return r.inject(ctx, "loss", []*cluster.Node{node}, args, true, func(ctx context.Context, tag string) (func(context.Context) error, error) {
		return applyRules(ctx, infos, ruleSet{node: rules}, tag)
	})
}

// peers returns the test's nodes other than node.
func (r *Registry) peers(node *cluster.Node) []*cluster.Node {
	var out []*cluster.Node
	for _, n := range r.nodes {
		if n != node {
			out = append(out, n)
		}
	}
	return out
}

// targets returns to, or node's peers when to is empty; node itself may
// not be a target.
func (r *Registry) targets(node *cluster.Node, to []*cluster.Node) ([]*cluster.Node, error) {
	if len(to) == 0 {
		to = r.peers(node)
	}
	if len(to) == 0 {
		return nil, fmt.Errorf("the test has no node other than %s", node.Name)
	}
	if slices.Contains(to, node) {
		return nil, fmt.Errorf("%s cannot be a target of its own fault", node.Name)
	}
	return to, nil
}

// nodeIPs returns the IPv4 address of every node.
func nodeIPs(ctx context.Context, nodes []*cluster.Node) (map[*cluster.Node]string, error) {
	ips := map[*cluster.Node]string{}
	var errs []error
	for _, n := range nodes {
		ip, err := nodeIP(ctx, n)
		errs = append(errs, err)
		ips[n] = ip
	}
	return ips, errors.Join(errs...)
}
