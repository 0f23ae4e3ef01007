// Package dockertest gives tests docker clusters on a real Docker Engine.
//
// Without an engine (none answers at DOCKER_HOST or the default socket)
// the tests that need one are skipped with the reason, unless
// DUCKTAPE_REQUIRE_DOCKER=1 (CI sets it), where they fail: CI must not
// skip them silently. With -short they are skipped too (CI's race job runs
// -short; its main run has them).
package dockertest

import (
	"context"
	"os"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/docker"
)

// Start opens a docker cluster of n nodes with the default image (and opts'
// other settings), closed when tb's test ends.
func Start(tb testing.TB, n int, opts docker.Options) *cluster.Cluster {
	tb.Helper()
	skipShort(tb)
	opts.Nodes = n
	opts.Log = accounttest.Log(tb)
	cl, err := docker.Open(context.Background(), opts)
	if err != nil {
		unavailable(tb, err)
	}
	tb.Cleanup(func() {
		if err := cl.Close(); err != nil {
			tb.Errorf("closing the docker cluster: %v", err)
		}
	})
	return cl
}

// unavailable skips tb for a missing engine, or fails it under
// DUCKTAPE_REQUIRE_DOCKER=1 or for any other error.
func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if docker.IsNoEngine(err) && os.Getenv("DUCKTAPE_REQUIRE_DOCKER") != "1" {
		tb.Skipf("docker nodes need a Docker Engine: %v", err)
	}
	tb.Fatal(err)
}

// skipShort skips tb with -short: containers take seconds to minutes.
func skipShort(tb testing.TB) {
	tb.Helper()
	if testing.Short() {
		tb.Skip("starts docker containers (-short)")
	}
}

// RequireEngine skips tb when no Docker Engine answers (failing it under
// DUCKTAPE_REQUIRE_DOCKER=1).
func RequireEngine(tb testing.TB) {
	tb.Helper()
	skipShort(tb)
	if _, err := docker.ListClusters(context.Background()); err != nil {
		unavailable(tb, err)
	}
}

// ClustersOf returns the docker clusters on the engine made by the driver
// process pid of this machine.
func ClustersOf(tb testing.TB, pid int) []docker.ClusterInfo {
	tb.Helper()
	all, err := docker.ListClusters(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var mine []docker.ClusterInfo
	for _, c := range all {
		if c.Driver == cluster.DriverOf(pid) {
			mine = append(mine, c)
		}
	}
	return mine
}
