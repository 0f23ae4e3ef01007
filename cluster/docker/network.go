package docker

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// Every cluster gets its own bridge network in 10.98.0.0/16, one /24 per
// cluster (cluster/netnstest uses 10.99.x.0/24), so two sessions on one
// engine never share addresses, and no traffic leaves the engine's host.
// The gateway is .1; node i (1-based) is .i+1.

// clusterNetwork is a bridge network made for one cluster.
type clusterNetwork struct {
	id, name string
	subnet   netip.Prefix
}

// nodeAddr returns node i's address (1-based).
func (n *clusterNetwork) nodeAddr(i int) netip.Addr {
	a := n.subnet.Addr().As4()
	a[3] = byte(i + 1)
	return netip.AddrFrom4(a)
}

// maxNodes is how many nodes fit one /24 besides the gateway.
const maxNodes = 253

// createNetwork makes the cluster's network on an unused /24: one that no
// network of the engine and, for a local engine, no interface of this
// machine uses. A /24 taken meanwhile by someone else is skipped.
func createNetwork(ctx context.Context, e *engine, name string, labels map[string]string) (*clusterNetwork, error) {
	used, err := usedPrefixes(ctx, e)
	if err != nil {
		return nil, err
	}
	var lastErr error
	for k := 0; k < 256; k++ {
		subnet := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 98, byte(k), 0}), 24)
		if overlapsAny(subnet, used) {
			continue
		}
		gw := netip.AddrFrom4([4]byte{10, 98, byte(k), 1})
		res, err := e.cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{
			Driver: "bridge",
			IPAM:   &network.IPAM{Config: []network.IPAMConfig{{Subnet: subnet, Gateway: gw}}},
			Labels: labels,
		})
		if err == nil {
			return &clusterNetwork{id: res.ID, name: name, subnet: subnet}, nil
		}
		if !strings.Contains(err.Error(), "overlap") {
			return nil, fmt.Errorf("creating the cluster's network %s on %s: %w", subnet, e.host, err)
		}
		lastErr = err
	}
	return nil, fmt.Errorf("no free /24 in 10.98.0.0/16 for the cluster's network: %v (remove leftover networks with `ducktape docker prune`)", lastErr)
}

// usedPrefixes lists the engine's networks' subnets and, for an engine on
// this machine (a local socket, or tcp:// to a loopback address), this
// machine's interface networks: a bridge another engine here left behind
// (one killed before it removed its networks) would otherwise route the
// cluster's subnet away from its containers.
func usedPrefixes(ctx context.Context, e *engine) ([]netip.Prefix, error) {
	res, err := e.cli.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing the networks of %s: %w", e.host, err)
	}
	var used []netip.Prefix
	for _, n := range res.Items {
		for _, c := range n.IPAM.Config {
			if c.Subnet.IsValid() {
				used = append(used, c.Subnet)
			}
		}
	}
	if e.onThisMachine() {
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil {
				used = append(used, p.Masked())
			}
		}
	}
	return used, nil
}

func overlapsAny(p netip.Prefix, used []netip.Prefix) bool {
	for _, u := range used {
		if u.Overlaps(p) {
			return true
		}
	}
	return false
}

// onThisMachine reports whether the engine runs on the driver's machine:
// a local socket, or a remote URL naming a loopback address.
func (e *engine) onThisMachine() bool {
	if e.remoteHost == "" || e.remoteHost == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(e.remoteHost)
	return err == nil && a.IsLoopback()
}
