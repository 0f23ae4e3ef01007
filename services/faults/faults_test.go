package faults_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/netnstest"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/chromiumtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/services/faults"
)

// run runs the tests symbol selects through host.Runner on cl and checks
// each outcome against the file's expectations (see hosttest), and that
// every fault but kills was healed. It returns the report and the session
// directory.
func run(t *testing.T, cl *cluster.Cluster, symbol string) (*host.Report, string) {
	t.Helper()
	rep, dir := hosttest.RunFile(t, cl, symbol, hosttest.Options{})
	for _, res := range rep.Results {
		assertHealed(t, res)
	}
	return rep, dir
}

// assertHealed fails unless every fault of res but kills has a heal time.
func assertHealed(t *testing.T, res *host.Result) {
	t.Helper()
	for _, f := range res.Faults {
		if (f.HealTime == nil) != (f.Kind == "kill") || (f.HealTime != nil && *f.HealTime < f.InjectTime) {
			t.Errorf("%s: fault %d (%s) recorded with inject %v, heal %v", res.TestID, f.ID, f.Kind, f.InjectTime, f.HealTime)
		}
	}
}

// TestLocalCluster: pause and kill work on local nodes; network faults
// fail there with what they need; a test failing while a process is
// paused leaves it neither paused nor running.
func TestLocalCluster(t *testing.T) {
	cl, err := cluster.NewLocal(3)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rep, dir := run(t, cl, "testdata/test_local.star")
	for _, res := range rep.Results {
		if res.FunctionName == "test_fails_while_paused" && len(res.Faults) != 1 {
			t.Errorf("test_fails_while_paused recorded %d faults, want 1", len(res.Faults))
		}
	}
	for _, n := range cl.Nodes() {
		if pids, err := n.Account.Pids(context.Background(), "while true"); err != nil || len(pids) > 0 {
			t.Errorf("%s: counter processes %v left after teardown (%v)", n.Name, pids, err)
		}
	}
	t.Run("timeline", func(t *testing.T) { assertShaded(t, filepath.Join(dir, "report.html"), "pause", "kill") })
}

// assertShaded renders report.html in headless Chromium (skipping when
// there is none) and checks that its timeline shades faults of each kind.
func assertShaded(t *testing.T, file string, kinds ...string) {
	dom := chromiumtest.DOM(t, file)
	for _, kind := range kinds {
		if !regexp.MustCompile(`<g class="fault ` + kind + `"><title>` + kind + ` #\d+ on [a-z]+\d`).MatchString(dom) {
			t.Errorf("the timeline shades no %s fault", kind)
		}
	}
}

// TestNetworkFaults runs every fault on SSH nodes in network namespaces,
// then checks that a test failing while faults are active leaves no
// iptables rule, qdisc or stopped process on any node.
func TestNetworkFaults(t *testing.T) {
	ns := netnstest.Start(t, 4)
	cl, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	runNetworkFaults(t, cl, ns.Netem(), netnsStopped(ns))
}

// runNetworkFaults runs every test of testdata/test_network.star on cl's (at
// least 4) nodes, each on its own, checking after each that nothing is left
// behind (see assertClean). netemErr says why the nodes cannot delay.
func runNetworkFaults(t *testing.T, cl *cluster.Cluster, netemErr error, stopped stoppedProcesses) {
	const file = "testdata/test_network.star"
	for _, name := range hosttest.TestNames(t, file) {
		if name == "test_fails_while_faulty" {
			continue // below, with its parameter
		}
		t.Run(name, func(t *testing.T) {
			switch {
			case name == "test_delay" && netemErr != nil:
				t.Skipf("this kernel has no netem qdisc: %v", netemErr)
			case name == "test_delay_without_netem" && netemErr == nil:
				t.Skip("this kernel has netem")
			}
			rep, _ := run(t, cl, file+"::"+name)
			if res := rep.Results[0]; res.TestStatus == host.StatusPass && len(res.Faults) == 0 {
				t.Errorf("%s recorded no fault in report.json", name)
			}
			assertClean(t, cl, stopped)
		})
	}
	t.Run("test_fails_while_faulty", func(t *testing.T) {
		rep, _ := run(t, cl, file+`::test_fails_while_faulty@{"netem": `+strconv.FormatBool(netemErr == nil)+`}`)
		kinds := map[string]bool{}
		for _, f := range rep.Results[0].Faults {
			kinds[f.Kind] = true
		}
		for _, k := range []string{"partition", "loss", "pause", "isolate"} {
			if !kinds[k] {
				t.Errorf("no %s among the faults recorded: %v", k, rep.Results[0].Faults)
			}
		}
		assertClean(t, cl, stopped)
	})
}

// stoppedProcesses lists the stopped processes on node i of a cluster, as
// lines that describe them.
type stoppedProcesses func(t *testing.T, i int, n *cluster.Node) []string

// netnsStopped finds stopped processes in the namespace of netns node i
// (its processes share the machine's process table).
func netnsStopped(ns *netnstest.Nodes) stoppedProcesses {
	return func(t *testing.T, i int, n *cluster.Node) []string {
		out, err := exec.Command("ip", "netns", "pids", ns.Nodes[i].Namespace).Output()
		if err != nil {
			t.Fatal(err)
		}
		var stopped []string
		for _, pid := range strings.Fields(string(out)) {
			stat, err := os.ReadFile("/proc/" + pid + "/stat")
			if err != nil {
				continue // exited meanwhile
			}
			s := string(stat)
			if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 0 && f[0] == "T" {
				stopped = append(stopped, s)
			}
		}
		return stopped
	}
}

// assertClean fails when a node holds a ducktape iptables rule or qdisc,
// or a stopped process.
func assertClean(t *testing.T, cl *cluster.Cluster, stopped stoppedProcesses) {
	t.Helper()
	for i, n := range cl.Nodes() {
		left, err := faults.Leftovers(context.Background(), n)
		if err != nil || len(left) > 0 {
			t.Errorf("%s: left behind %q (%v)", n.Name, left, err)
		}
		for _, p := range stopped(t, i, n) {
			t.Errorf("%s: a process is still stopped: %s", n.Name, p)
		}
	}
}
