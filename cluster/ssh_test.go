package cluster_test

import (
	"os"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// sshClusterOn returns a NewCluster that opens the cluster file of nodes.
func sshClusterOn(nodes *sshtest.Nodes) accounttest.NewCluster {
	return func(t *testing.T) *cluster.Cluster {
		c, err := cluster.Open(cluster.Options{File: nodes.ClusterFile})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
}

func TestSSHConformance(t *testing.T) {
	accounttest.Run(t, sshClusterOn(sshtest.Start(t, 2)))
}

func TestSSHIsolation(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("sshtest nodes share one user (and so its processes) unless the tests run as root")
	}
	accounttest.RunIsolation(t, sshClusterOn(sshtest.Start(t, 2)))
}
