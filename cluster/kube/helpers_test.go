package kube_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/kube"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// podOf returns the namespace and name of a node's pod.
func podOf(t testing.TB, n *cluster.Node) (ns, pod string) {
	t.Helper()
	ns, pod, ok := strings.Cut(n.Account.Info().SSHHostname, "/")
	if !ok {
		t.Fatalf("%s: ssh_hostname %q is not namespace/pod", n.Name, n.Account.Info().SSHHostname)
	}
	return ns, pod
}

func second(_ int, err error) error { return err }

// waitErr waits a minute at most for an error from ch.
func waitErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(time.Minute):
		t.Fatal("no answer after a minute")
		return nil
	}
}

// eventually polls cond for up to a minute.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// mine lists the pods and namespaces this test process's sessions made.
func mine(t *testing.T, cs kubernetes.Interface) []string {
	t.Helper()
	ctx := context.Background()
	opts := metav1.ListOptions{LabelSelector: kube.DriverSelector}
	pods, err := cs.CoreV1().Pods("").List(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	nss, err := cs.CoreV1().Namespaces().List(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range pods.Items {
		out = append(out, "pod "+p.Namespace+"/"+p.Name)
	}
	for _, ns := range nss.Items {
		out = append(out, fmt.Sprintf("namespace %s (%s)", ns.Name, ns.Status.Phase))
	}
	return out
}

// nothingLeft checks that the pods and namespaces of this test process's
// sessions are gone (a deleted namespace takes its controller a moment).
func nothingLeft(t *testing.T, cs kubernetes.Interface) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		left := mine(t, cs)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("left after a minute: %v", left)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// writeKubeconfig writes a kubeconfig for server with a token, trusting
// any certificate, and returns its path.
func writeKubeconfig(t *testing.T, dir, server, token string) string {
	t.Helper()
	path := filepath.Join(dir, "kubeconfig-"+fmt.Sprint(time.Now().UnixNano()))
	data := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: %q}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`, server, token)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// apiServer returns the address of the API server KUBECONFIG names.
func apiServer(t *testing.T) string {
	t.Helper()
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Host
}

// authTokenRequest asks for a token valid for ten minutes.
var authTokenRequest = authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr(int64(600))}}

func ptr[T any](v T) *T { return &v }
