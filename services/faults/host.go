package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/ducktape-go/ducktape/cluster"
)

// hostInfo is what a node offers fault injection, as probed once per test.
type hostInfo struct {
	missing []string // tools of probeTools not found
	priv    string   // "root", "sudo", or "none" (neither)
	uid     string
	stack   string // boot id and network namespace: equal on nodes that share one network; "" when unknown
}

// probeTools are the tools network faults use.
var probeTools = []string{"iptables", "tc", "ip"}

// pathPrefix puts the administrator's directories on PATH: a non-root
// login's PATH often lacks them.
const pathPrefix = `PATH="$PATH:/usr/sbin:/sbin"; export PATH; `

// probeCmd prints one line per missing tool ("missing T"), the privilege
// ("priv root|sudo|none UID"), and the network stack ("stack BOOTID NETNS").
const probeCmd = pathPrefix + `for t in %s; do command -v "$t" >/dev/null 2>&1 || echo "missing $t"; done
u=$(id -u)
if [ "$u" = 0 ]; then echo "priv root $u"; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then echo "priv sudo $u"; else echo "priv none $u"; fi
echo "stack $(cat /proc/sys/kernel/random/boot_id 2>/dev/null) $(readlink /proc/self/ns/net 2>/dev/null)"`

// sudo returns the prefix of the node's privileged commands.
func (h *hostInfo) sudo() string {
	if h.priv == "sudo" {
		return "sudo -n "
	}
	return ""
}

// probe learns what node n offers, once per registry.
func (r *Registry) probe(ctx context.Context, n *cluster.Node) (*hostInfo, error) {
	r.mu.Lock()
	h := r.hosts[n]
	r.mu.Unlock()
	if h != nil {
		return h, nil
	}
	out, err := n.Account.Output(ctx, fmt.Sprintf(probeCmd, strings.Join(probeTools, " ")), cluster.OutputOptions{})
	if err != nil {
		return nil, err
	}
	h = &hostInfo{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "missing":
			h.missing = append(h.missing, f[1])
		case len(f) == 3 && f[0] == "priv":
			h.priv, h.uid = f[1], f[2]
		case len(f) == 3 && f[0] == "stack":
			h.stack = f[1] + " " + f[2]
		}
	}
	r.mu.Lock()
	r.hosts[n] = h
	r.mu.Unlock()
	return h, nil
}

// runnerStack returns the network stack of the test runner itself ("" when
// unknown), in the form of hostInfo.stack.
func runnerStack() string {
	boot, err1 := os.ReadFile("/proc/sys/kernel/random/boot_id")
	ns, err2 := os.Readlink("/proc/self/ns/net")
	if err1 != nil || err2 != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + " " + ns
}

// netPrep checks, before a network fault, that every node involved has
// the tools, root or passwordless sudo, and a network stack of its own
// (shared neither with another node involved nor with the test runner).
// It returns each node's hostInfo, or an error listing every node that
// lacks something and what.
func (r *Registry) netPrep(ctx context.Context, nodes []*cluster.Node, tools ...string) (map[*cluster.Node]*hostInfo, error) {
	infos := make([]*hostInfo, len(nodes))
	if err := forEach(nodes, func(i int, n *cluster.Node) (err error) {
		infos[i], err = r.probe(ctx, n)
		return err
	}); err != nil {
		return nil, err
	}
	runner := runnerStack()
	var problems []string
	byStack := map[string]string{}
	out := map[*cluster.Node]*hostInfo{}
	for i, n := range nodes {
		h := infos[i]
		out[n] = h
		var lacks []string
		for _, t := range tools {
			if slices.Contains(h.missing, t) {
				lacks = append(lacks, t)
			}
		}
		if len(lacks) > 0 {
			problems = append(problems, fmt.Sprintf("%s lacks %s (Debian: apt-get install iptables iproute2)", n.Name, strings.Join(lacks, " and ")))
		}
		if h.priv == "none" {
			problems = append(problems, fmt.Sprintf("%s: its login user (uid %s) is neither root nor allowed passwordless sudo (sudo -n true failed)", n.Name, h.uid))
		}
		switch other, seen := byStack[h.stack]; {
		case h.stack == "":
		case h.stack == runner:
			problems = append(problems, fmt.Sprintf("%s shares the test runner's network stack (the local cluster's nodes all do)", n.Name))
		case seen:
			problems = append(problems, fmt.Sprintf("%s and %s share one network stack", other, n.Name))
		default:
			byStack[h.stack] = n.Name
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("network faults need SSH nodes on separate hosts or network namespaces, each with %s and root or passwordless sudo:\n  %s",
			strings.Join(tools, ", "), strings.Join(problems, "\n  "))
	}
	return out, nil
}

// NetworkReady reports why network faults (partition, isolate, loss)
// cannot act between nodes, or nil when they can: the check each of them
// makes before it is injected (iptables, root or passwordless sudo, and a
// network stack of each node's own). A test uses it to skip itself where
// its faults could not separate anything.
func (r *Registry) NetworkReady(ctx context.Context, nodes []*cluster.Node) error {
	_, err := r.netPrep(ctx, nodes, "iptables")
	return err
}

// run runs a script of privileged commands on n (sudo is prefixed by the
// script's builder, see hostInfo.sudo).
func run(ctx context.Context, n *cluster.Node, script string) error {
	_, err := n.Account.SSH(ctx, pathPrefix+script, false)
	return err
}

// nodeIP returns the IPv4 address by which other nodes reach n: its
// externally routable IP, resolved here when it is a name.
func nodeIP(ctx context.Context, n *cluster.Node) (string, error) {
	host := n.Account.Info().ExternallyRoutableIP
	if ip := net.ParseIP(host); ip != nil {
		if ip.To4() == nil {
			return "", fmt.Errorf("%s: network faults support IPv4 only, not %s", n.Name, host)
		}
		return ip.String(), nil
	}
	addrs, err := net.DefaultResolver.LookupIP(ctx, "ip4", host)
	if err != nil || len(addrs) == 0 {
		return "", fmt.Errorf("%s: cannot resolve its address %q to an IPv4 address: %v", n.Name, host, err)
	}
	return addrs[0].String(), nil
}

// forEach calls fn for every node concurrently and joins the errors.
func forEach(nodes []*cluster.Node, fn func(i int, n *cluster.Node) error) error {
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() { errs[i] = fn(i, n) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
