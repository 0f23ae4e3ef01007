package faults

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ducktape-go/ducktape/cluster"
)

// delayHandle is the handle of the root qdisc a delay installs: how a
// leftover is recognised (tc qdisc show ... | grep d7a0:). qdiscs carry
// no comment, so unlike rules they cannot name the test.
const delayHandle = "d7a0:"

// Delay delays every packet node sends to the nodes to (to every other
// node of the test when to is empty) by ms milliseconds, plus or minus
// jitterMs, with tc netem on the interface that routes to each target. A
// node has at most one delay at a time: its qdisc replaces the interface's
// default root qdisc until healed.
func (r *Registry) Delay(ctx context.Context, node *cluster.Node, ms, jitterMs float64, to []*cluster.Node) (*Fault, error) {
	if ms <= 0 || jitterMs < 0 {
		return nil, fmt.Errorf("want ms > 0 and jitter_ms >= 0, not %g and %g", ms, jitterMs)
	}
	to, err := r.targets(node, to)
	if err != nil {
		return nil, err
	}
	infos, err := r.netPrep(ctx, append([]*cluster.Node{node}, to...), "tc", "ip")
	if err != nil {
		return nil, err
	}
	ips, err := nodeIPs(ctx, to)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	busy := r.shaped[node]
	r.shaped[node] = true
	r.mu.Unlock()
	if busy {
		return nil, fmt.Errorf("%s already has a delay: heal it first", node.Name)
	}
	release := func() {
		r.mu.Lock()
		delete(r.shaped, node)
		r.mu.Unlock()
	}
	args := map[string]any{"ms": ms, "jitter_ms": jitterMs, "to": nodeNames(to)}
	f, err := r.inject(ctx, "delay", []*cluster.Node{node}, args, false, func(ctx context.Context, _ string) (func(context.Context) error, error) {
		heal, err := applyDelay(ctx, node, infos[node], ms, jitterMs, to, ips)
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			if err := heal(ctx); err != nil {
				return err
			}
			release()
			return nil
		}, nil
	})
	if err != nil {
		release()
	}
	return f, err
}

// applyDelay installs, on each interface of node that routes to a target,
// an htb root qdisc whose one class (which u32 filters send the targets'
// packets to) holds the netem; other traffic passes unshaped. On failure
// it removes what it installed.
func applyDelay(ctx context.Context, node *cluster.Node, h *hostInfo, ms, jitterMs float64, to []*cluster.Node, ips map[*cluster.Node]string) (func(context.Context) error, error) {
	var routes strings.Builder
	for _, t := range to {
		fmt.Fprintf(&routes, "ip -o route get %s; ", ips[t])
	}
	out, err := node.Account.Output(ctx, pathPrefix+routes.String(), cluster.OutputOptions{})
	if err != nil {
		return nil, err
	}
	devs, err := routeDevices(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", node.Name, err)
	}
	tc := h.sudo() + "tc "
	var add, del strings.Builder
	for dev, dsts := range devs {
		fmt.Fprintf(&add, "%[1]sqdisc add dev %[2]s root handle %[3]s htb && "+
			"%[1]sclass add dev %[2]s parent %[3]s classid %[3]s1 htb rate 10gbit quantum 1514 && "+
			"%[1]sqdisc add dev %[2]s parent %[3]s1 netem delay %.3[4]fms %.3[5]fms && ",
			tc, dev, delayHandle, ms, jitterMs)
		for _, dst := range dsts {
			fmt.Fprintf(&add, "%sfilter add dev %s parent %s protocol ip prio 1 u32 match ip dst %s/32 flowid %s1 && ", tc, dev, delayHandle, dst, delayHandle)
		}
		// Deleting the root qdisc takes its classes, filters and netem with it.
		fmt.Fprintf(&del, "{ %[1]sqdisc del dev %[2]s root handle %[3]s 2>/dev/null || ! %[1]sqdisc show dev %[2]s | grep -q ' %[3]s '; } || s=1; ", tc, dev, delayHandle)
	}
	add.WriteString("true")
	heal := func(ctx context.Context) error { return run(ctx, node, "s=0; "+del.String()+"exit $s") }
	if err := run(ctx, node, add.String()); err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if strings.Contains(err.Error(), "qdisc kind is unknown") {
			err = fmt.Errorf("%s: its kernel has no netem or htb qdisc (modules sch_netem, sch_htb; Debian: linux-modules-extra for some kernels): %w", node.Name, err)
		}
		return nil, errors.Join(err, heal(cctx))
	}
	return heal, nil
}

// routeDevices parses the output of `ip -o route get DST` lines into the
// destinations each device routes to.
func routeDevices(out string) (map[string][]string, error) {
	devs := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		var dev string
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "dev" {
				dev = f[i+1]
			}
		}
		if len(f) == 0 || dev == "" {
			return nil, fmt.Errorf("cannot tell the interface from ip route get: %q", line)
		}
		if dev == "lo" {
			return nil, fmt.Errorf("%s is routed over the loopback interface: the target is on this host", f[0])
		}
		devs[dev] = append(devs[dev], f[0])
	}
	return devs, nil
}
