package netnstest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lockFile serialises the choice of subnets between test processes that
// make namespaces at the same time.
const lockFile = "/run/ducktape-netnstest.lock"

// network is the namespaces and links of one Start: made by create,
// removed by remove (which undoes a partial create too).
type network struct {
	tb       testing.TB
	id       string // random, in every name
	bridgeNS string
	subnet   int // the third octet of 10.99.<subnet>.0/24
	nodes    int // node namespaces made so far
	hostLink bool
}

func (n *network) nodeNS(i int) string    { return fmt.Sprintf("dtn%d-%s", i, n.id) }
func (n *network) addr(host int) string   { return fmt.Sprintf("10.99.%d.%d", n.subnet, host) }
func (n *network) hostVeth() string       { return "dth" + n.id }
func (n *network) prefix(host int) string { return n.addr(host) + "/24" }

// create makes the bridge, the host's link into it, and nodes namespaces
// linked to it.
func (n *network) create(nodes int) error {
	lock, err := os.OpenFile(lockFile, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	if n.subnet, err = freeSubnet(); err != nil {
		return err
	}
	steps := [][]string{
		{"netns", "add", n.bridgeNS},
		{"-n", n.bridgeNS, "link", "set", "lo", "up"},
		{"-n", n.bridgeNS, "link", "add", "br0", "type", "bridge"},
		{"-n", n.bridgeNS, "link", "set", "br0", "up"},
	}
	if err := ipAll(steps); err != nil {
		return err
	}
	n.hostLink = true
	if err := ipAll([][]string{
		{"link", "add", n.hostVeth(), "type", "veth", "peer", "name", "host", "netns", n.bridgeNS},
		{"addr", "add", n.prefix(254), "dev", n.hostVeth()},
		{"link", "set", n.hostVeth(), "up"},
		{"-n", n.bridgeNS, "link", "set", "host", "master", "br0", "up"},
	}); err != nil {
		return err
	}
	for i := 1; i <= nodes; i++ {
		ns, peer := n.nodeNS(i), "n"+strconv.Itoa(i)
		if err := ip("netns", "add", ns); err != nil {
			return err
		}
		n.nodes = i
		if err := ipAll([][]string{
			{"-n", ns, "link", "set", "lo", "up"},
			{"link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", peer, "netns", n.bridgeNS},
			{"-n", ns, "addr", "add", n.prefix(i), "dev", "eth0"},
			{"-n", ns, "link", "set", "eth0", "up"},
			{"-n", n.bridgeNS, "link", "set", peer, "master", "br0", "up"},
		}); err != nil {
			return err
		}
	}
	return nil
}

// remove kills every process left in the nodes' namespaces and deletes the
// namespaces and links (a namespace's links go with it).
func (n *network) remove() {
	for i := 1; i <= n.nodes; i++ {
		ns := n.nodeNS(i)
		for range 3 { // processes may fork while being killed
			out, _ := exec.Command("ip", "netns", "pids", ns).Output()
			for _, f := range strings.Fields(string(out)) {
				if pid, err := strconv.Atoi(f); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := ip("netns", "del", ns); err != nil {
			n.tb.Errorf("netnstest: %v", err)
		}
	}
	if n.hostLink {
		ip("link", "del", n.hostVeth()) // gone already if the bridge namespace was never made
		if err := ip("netns", "del", n.bridgeNS); err != nil {
			n.tb.Errorf("netnstest: %v", err)
		}
	}
}

// freeSubnet returns an s such that no address or route of this namespace
// is in 10.99.s.0/24.
func freeSubnet() (int, error) {
	out, err := exec.Command("ip", "-4", "route", "show", "table", "all").CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("ip route: %v: %s", err, out)
	}
	addrs, _ := exec.Command("ip", "-4", "-o", "addr").Output()
	used := string(out) + string(addrs)
	for _, s := range rand.Perm(254) {
		if !strings.Contains(used, fmt.Sprintf("10.99.%d.", s+1)) {
			return s + 1, nil
		}
	}
	return 0, fmt.Errorf("every 10.99.x.0/24 is in use")
}

func ipAll(steps [][]string) error {
	for _, args := range steps {
		if err := ip(args...); err != nil {
			return err
		}
	}
	return nil
}

func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}
