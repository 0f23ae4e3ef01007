package cluster_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
)

func newLocal(t *testing.T) *cluster.Cluster {
	c, err := cluster.NewLocal(2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestLocalConformance(t *testing.T) { accounttest.Run(t, newLocal) }

func TestLocalIsolation(t *testing.T) { accounttest.RunIsolation(t, newLocal) }

func TestLocalCloseKillsLeftovers(t *testing.T) {
	c, err := cluster.NewLocal(1)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acct := c.Nodes()[0].Account
	out, err := acct.Output(ctx, "nohup sleep 1004 >/dev/null 2>&1 & echo $!", cluster.OutputOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for processExists(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d survived the cluster's Close", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
