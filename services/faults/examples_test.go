package faults_test

import (
	"os/exec"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/netnstest"
	"github.com/ducktape-go/ducktape/host"
)

// TestRedisExamples runs examples/faults on SSH nodes in network
// namespaces, which have network stacks of their own, so the tests run: the
// acknowledged writes survive a partition, and the delay shows in the
// latency series, with its thresholds (where the kernel has netem).
func TestRedisExamples(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed (apt-get install -y redis-server redis-tools)")
	}
	ns := netnstest.Start(t, 2)
	cl, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	netemErr := ns.Netem()
	for _, name := range []string{"test_replication_under_partition", "test_latency_under_delay"} {
		t.Run(name, func(t *testing.T) {
			if name == "test_latency_under_delay" && netemErr != nil {
				t.Skipf("this kernel has no netem qdisc: %v", netemErr)
			}
			rep, _ := run(t, cl, "../../examples/faults/test_faults.star::"+name)
			res := rep.Results[0]
			if res.TestStatus != host.StatusPass || len(res.Faults) != 1 || len(res.Data) == 0 {
				t.Errorf("%s: %s with faults %v and data %s", name, res.TestStatus, res.Faults, res.Data)
			}
			if name == "test_latency_under_delay" && (len(res.Series) != 1 || res.Series[0].Count != 9 || len(res.Thresholds) != 2) {
				t.Errorf("%s: series %+v, thresholds %+v; want ping_ms with 9 points and 2 verdicts", name, res.Series, res.Thresholds)
			}
			assertClean(t, cl, netnsStopped(ns))
		})
	}
}
