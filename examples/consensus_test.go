// Package examples_test runs the consensus example suites (examples/etcd,
// examples/zookeeper) on real sshd nodes, each in a network namespace of its
// own, so that the suites' partitions really separate the members.
package examples_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/netnstest"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// netnsCluster opens a cluster of n sshd nodes in network namespaces, where
// the suites' network-fault tests run (on nodes sharing one network stack
// they skip).
func netnsCluster(t *testing.T, n int) *cluster.Cluster {
	t.Helper()
	ns := netnstest.Start(t, n)
	cl, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// assertVerdicts checks that each test named in want recorded one
// linearizability check in its report, with the verdict want says, and a
// history; a violation must have been expected (expect = "violation"), so
// the reports say it was. It logs every result's run time and data (the
// figures in docs/checkers.md).
func assertVerdicts(t *testing.T, rep *host.Report, want map[string]bool) {
	t.Helper()
	for _, res := range rep.Results {
		t.Logf("%s: %s in %.1f s: %s", res.TestID, res.TestStatus, res.RunTimeSeconds, res.Data)
	}
	for name, ok := range want {
		res := hosttest.Result(t, rep, name)
		if len(res.Checks) != 1 || res.Checks[0].Name != "linearizable" || res.Checks[0].OK != ok || !res.Checks[0].AsExpected() ||
			res.History == nil || res.History.Events == 0 {
			t.Errorf("%s: checks %+v and history %+v; want one linearizable check with ok = %v, as expected", name, res.Checks, res.History, ok)
		}
	}
}

// need skips t unless every binary is installed on this machine (the
// nodes are namespaces of it).
func need(t *testing.T, install string, binaries ...string) {
	t.Helper()
	for _, bin := range binaries {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (%s)", bin, install)
		}
	}
}

// TestEtcdSuite runs examples/etcd: every test passes.
func TestEtcdSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs etcd clusters")
	}
	need(t, "apt-get install -y etcd-server", "etcd")
	cl := netnsCluster(t, 3)
	rep, _ := hosttest.RunFile(t, cl, "etcd/test_etcd.star", hosttest.Options{})
	assertVerdicts(t, rep, map[string]bool{"test_linearizable_under_crashes": true, "test_linearizable_under_faults": true, "test_stale_serializable_read_is_caught": false})
}

// TestZooKeeperSuite runs examples/zookeeper: every test passes.
func TestZooKeeperSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ZooKeeper ensembles")
	}
	need(t, "apt-get install -y zookeeper", "java")
	if _, err := os.Stat("/usr/share/java/zookeeper.jar"); err != nil {
		t.Skip("/usr/share/java/zookeeper.jar missing (apt-get install -y zookeeper)")
	}
	cl := netnsCluster(t, 3)
	rep, _ := hosttest.RunFile(t, cl, "zookeeper/test_zookeeper.star", hosttest.Options{})
	assertVerdicts(t, rep, map[string]bool{"test_linearizable_under_crashes": true, "test_linearizable_under_faults": true, "test_plain_read_is_stale": false})
}

// TestHelpers runs the helpers' Starlark tests on the local cluster (whose
// nodes share one network stack: network faults are unsupported there).
func TestHelpers(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 2), "testdata/outcome_cases.star", hosttest.Options{})
}
