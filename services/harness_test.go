package services_test

import (
	"context"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
)

// assertNoProcesses fails when a process matching pattern runs on a node.
func assertNoProcesses(t *testing.T, cl *cluster.Cluster, pattern string) {
	t.Helper()
	for _, n := range cl.Nodes() {
		pids, err := n.Account.Pids(context.Background(), pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, pid := range pids {
			if alive, _ := n.Account.Alive(context.Background(), pid); alive {
				t.Errorf("%s: process %d (%s) still runs after teardown", n.Name, pid, pattern)
			}
		}
	}
}
