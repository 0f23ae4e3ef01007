package kube_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/kube"
	"github.com/ducktape-go/ducktape/cluster/kube/kubetest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestKubeConformance(t *testing.T) {
	accounttest.Run(t, accounttest.Views(kubetest.Start(t, 2, kube.Options{})))
}

func TestKubeIsolation(t *testing.T) {
	accounttest.RunIsolation(t, accounttest.Views(kubetest.Start(t, 2, kube.Options{})))
}

// TestKubeNodesAreHosts: each node is a host of its own: its hostname is
// its name, the others resolve that name to its address, its file system
// is its own, and it may change its network (NET_ADMIN).
func TestKubeNodesAreHosts(t *testing.T) {
	ctx := context.Background()
	nodes := kubetest.Start(t, 2, kube.Options{}).Nodes()
	a, b := nodes[0].Account, nodes[1].Account
	if got, _ := a.Output(ctx, "hostname", cluster.OutputOptions{}); strings.TrimSpace(got) != nodes[0].Name {
		t.Errorf("hostname of %s: %q", nodes[0].Name, got)
	}
	resolved, err := b.Output(ctx, "getent hosts "+nodes[0].Name, cluster.OutputOptions{})
	if err != nil || strings.Fields(resolved)[0] != a.Info().ExternallyRoutableIP {
		t.Errorf("%s resolves %s to %q (%v), want %s", nodes[1].Name, nodes[0].Name, resolved, err, a.Info().ExternallyRoutableIP)
	}
	if a.Info().ExternallyRoutableIP == b.Info().ExternallyRoutableIP {
		t.Errorf("both nodes have address %s", a.Info().ExternallyRoutableIP)
	}
	if err := a.CreateFile(ctx, "mine", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, "mine"); ok || err != nil {
		t.Errorf("a file made on %s exists on %s (%v)", nodes[0].Name, nodes[1].Name, err)
	}
	if _, err := a.SSH(ctx, "iptables -A OUTPUT -d 192.0.2.99 -j DROP && iptables -D OUTPUT -d 192.0.2.99 -j DROP", false); err != nil {
		t.Errorf("a node cannot change its firewall (NET_ADMIN): %v", err)
	}
}

// TestKubeDeadNode: a command on a node whose pod was deleted fails naming
// the node, the pod and what happened to it, whether the pod went away
// while the command ran or before it started.
func TestKubeDeadNode(t *testing.T) {
	cs := kubetest.Require(t)
	ctx := context.Background()
	nodes := kubetest.Start(t, 2, kube.Options{}).Nodes()
	for _, n := range nodes {
		ns, pod := podOf(t, n)
		running := make(chan error, 1)
		go func() { _, err := n.Account.SSH(ctx, "sleep 60", false); running <- err }()
		time.Sleep(time.Second) // the command runs
		if err := cs.CoreV1().Pods(ns).Delete(ctx, pod, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{waitErr(t, running), second(n.Account.SSH(ctx, "true", false))} {
			var dead *kube.DeadNodeError
			if !errors.As(err, &dead) {
				t.Fatalf("after its pod was deleted, a command on %s: %v", n.Name, err)
			}
			for _, want := range []string{"node " + n.Name + " died", ns + "/" + pod} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q: %v", want, err)
				}
			}
		}
	}
}

// TestKubeBadImage: an image the cluster cannot start fails the open at
// once (not after the ready timeout), naming the pod and why, and leaves
// nothing behind.
func TestKubeBadImage(t *testing.T) {
	cs := kubetest.Require(t)
	start := time.Now()
	_, err := kube.Open(context.Background(), kube.Options{Nodes: 2, Image: "localhost:1/ducktape-no-such-image:1"})
	if err == nil || !strings.Contains(err.Error(), "cannot start: ErrImagePull") || !strings.Contains(err.Error(), "ducktape-no-such-image") {
		t.Fatalf("a missing image: %v", err)
	}
	if d := time.Since(start); d > kube.DefaultReadyTimeout/2 {
		t.Errorf("a missing image failed after %s", d)
	}
	nothingLeft(t, cs)
}

// TestKubeBadKubeconfig: no kubeconfig, an API server that does not
// answer, and a user without the RBAC the provider needs each fail at once
// with what is wrong, and create nothing.
func TestKubeBadKubeconfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("KUBECONFIG", filepath.Join(dir, "missing"))
	_, err := kube.Open(context.Background(), kube.Options{})
	if !kube.IsNoCluster(err) || !strings.Contains(err.Error(), "no kubeconfig names a cluster") {
		t.Errorf("no kubeconfig: %v", err)
	}
	unreachable := writeKubeconfig(t, dir, "https://127.0.0.1:1", "token")
	start := time.Now()
	_, err = kube.Open(context.Background(), kube.Options{Kubeconfig: unreachable})
	if err == nil || !strings.Contains(err.Error(), "cannot reach the API server at https://127.0.0.1:1") {
		t.Errorf("an API server that does not answer: %v", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("an API server that does not answer failed after %s", d)
	}
	if _, err := kube.Open(context.Background(), kube.Options{Nodes: 1001}); err == nil || !strings.Contains(err.Error(), "--kube-nodes must be between 1 and 1000") {
		t.Errorf("1001 nodes: %v", err)
	}
}

func TestKubeMissingRBAC(t *testing.T) {
	cs := kubetest.Require(t)
	ctx := context.Background()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{GenerateName: "ducktape-norbac-"}}
	sa, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cs.CoreV1().ServiceAccounts("default").Delete(context.Background(), sa.Name, metav1.DeleteOptions{})
	})
	tok, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, sa.Name, &authTokenRequest, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := writeKubeconfig(t, t.TempDir(), apiServer(t), tok.Status.Token)
	_, err = kube.Open(ctx, kube.Options{Kubeconfig: cfg, Nodes: 1})
	for _, want := range []string{"may not create pods, get pods", "create pods/exec", "create namespaces", "see docs/clusters.md"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("a user without RBAC: the error lacks %q: %v", want, err)
		}
	}
	nothingLeft(t, cs)
}

// TestKubePodSecurity: a namespace whose Pod Security level forbids
// NET_ADMIN fails the open saying so.
func TestKubePodSecurity(t *testing.T) {
	cs := kubetest.Require(t)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "ducktape-baseline-", Labels: map[string]string{"pod-security.kubernetes.io/enforce": "baseline"}}}
	ns, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{}) })
	_, err = kube.Open(ctx, kube.Options{Namespace: ns.Name, Nodes: 1})
	if err == nil || !strings.Contains(err.Error(), "pod-security.kubernetes.io/enforce=privileged") {
		t.Errorf("a baseline namespace: %v", err)
	}
	nothingLeft(t, cs)
}

// TestKubeCancelledOpen: an open cancelled halfway (Ctrl-C) deletes what
// it made.
func TestKubeCancelledOpen(t *testing.T) {
	cs := kubetest.Require(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		cl, err := kube.Open(ctx, kube.Options{Nodes: 3})
		if err == nil {
			cl.Close()
		}
		done <- err
	}()
	eventually(t, "the session's pods to be created", func() bool { return len(mine(t, cs)) > 0 })
	cancel()
	if err := waitErr(t, done); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled open: %v", err)
	}
	nothingLeft(t, cs)
}

// TestKubeGivenNamespace: with --kube-namespace the pods go there, and the
// namespace stays when the session ends.
func TestKubeGivenNamespace(t *testing.T) {
	cs := kubetest.Require(t)
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "ducktape-given-"}}
	ns, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{}) })
	cl, err := kube.Open(ctx, kube.Options{Namespace: ns.Name, Nodes: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := podOf(t, cl.Nodes()[0]); got != ns.Name {
		t.Errorf("the pod is in namespace %s, want %s", got, ns.Name)
	}
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().Get(ctx, ns.Name, metav1.GetOptions{}); err != nil {
		t.Errorf("the given namespace is gone after the session: %v", err)
	}
	nothingLeft(t, cs)
}
