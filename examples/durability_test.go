package examples_test

import (
	"os"
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs/lazyfstest"
)

// TestMain lets this test binary be the lazyfs helper of the durability
// suite's nodes.
func TestMain(m *testing.M) {
	lazyfs.MainIfHelper()
	os.Exit(m.Run())
}

// TestDurabilitySuite runs examples/durability on local nodes (which mount
// lazy file systems as root, like this test): every test passes, so each
// database keeps exactly the promise its documentation makes.
func TestDurabilitySuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Redis, PostgreSQL and etcd through power losses")
	}
	lazyfstest.Require(t, lazyfs.Probe)
	need(t, "apt-get install -y redis-server redis-tools postgresql etcd-server etcd-client",
		"redis-server", "/usr/lib/postgresql/15/bin/postgres", "etcd", "etcdctl")
	rep, _ := hosttest.RunFile(t, hosttest.LocalCluster(t, 3), "durability/test_durability.star", hosttest.Options{})
	for _, res := range rep.Results {
		t.Logf("%s: %s in %.1f s: %s", res.TestID, res.TestStatus, res.RunTimeSeconds, res.Data)
	}
}
