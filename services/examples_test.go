package services_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

const redisSuite = "../examples/redis/test_redis.star"

func needRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not installed (apt-get install -y redis-server)")
	}
}

// TestRedisExample runs examples/redis on the local cluster.
func TestRedisExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Redis")
	}
	needRedis(t)
	cl := hosttest.LocalCluster(t, 3)
	rep, _ := hosttest.RunFile(t, cl, redisSuite, hosttest.Options{})
	if len(rep.Results) != 4 || rep.NumPassed != 4 {
		t.Errorf("%d of %d Redis tests passed", rep.NumPassed, len(rep.Results))
	}
	assertNoProcesses(t, cl, "redis-server")
}

// sshCluster opens a cluster of n sshd nodes (see cluster/sshtest).
func sshCluster(t testing.TB, n int) *cluster.Cluster {
	if os.Geteuid() != 0 {
		t.Skip("services need nodes with separate working directories: sshtest gives them only to root")
	}
	ns := sshtest.Start(t, n)
	cl, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// TestRedisExampleOnSSH runs examples/redis on sshd nodes: it passes
// unchanged.
func TestRedisExampleOnSSH(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Redis on sshd nodes")
	}
	needRedis(t)
	cl := sshCluster(t, 3)
	rep, _ := hosttest.RunFile(t, cl, redisSuite, hosttest.Options{})
	if rep.NumPassed != 4 {
		t.Errorf("%d of %d Redis tests passed", rep.NumPassed, len(rep.Results))
	}
}
