// Package kubetest gives tests kubernetes clusters on the Kubernetes
// cluster KUBECONFIG names (.ci/kube up starts one on this machine).
//
// Without one (no kubeconfig names a cluster) the tests that need it are
// skipped with the reason, unless DUCKTAPE_REQUIRE_KUBE=1 (CI sets it),
// where they fail: CI must not skip them silently.
package kubetest

import (
	"context"
	"os"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/kube"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// Start opens a kubernetes cluster of n nodes (with opts' other settings),
// closed when tb's test ends.
func Start(tb testing.TB, n int, opts kube.Options) *cluster.Cluster {
	tb.Helper()
	opts.Nodes = n
	opts.Log = accounttest.Log(tb)
	cl, err := kube.Open(context.Background(), opts)
	if err != nil {
		Unavailable(tb, err)
	}
	tb.Cleanup(func() {
		if err := cl.Close(); err != nil {
			tb.Errorf("closing the kubernetes cluster: %v", err)
		}
	})
	return cl
}

// Unavailable skips tb when no kubeconfig names a cluster, or fails it
// under DUCKTAPE_REQUIRE_KUBE=1 or for any other error.
func Unavailable(tb testing.TB, err error) {
	tb.Helper()
	if kube.IsNoCluster(err) && os.Getenv("DUCKTAPE_REQUIRE_KUBE") != "1" {
		tb.Skipf("kubernetes nodes need a Kubernetes cluster (`.ci/kube up` starts one here): %v", err)
	}
	tb.Fatal(err)
}

// Require skips tb when no kubeconfig names a cluster (failing it under
// DUCKTAPE_REQUIRE_KUBE=1), and returns an admin's client of the cluster.
func Require(tb testing.TB) kubernetes.Interface {
	tb.Helper()
	if _, err := kube.ListSessions(context.Background(), "", ""); err != nil {
		Unavailable(tb, err)
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return cs
}
