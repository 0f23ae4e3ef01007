package kube_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/kube"
	"github.com/ducktape-go/ducktape/cluster/kube/kubetest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/remotecommand"
)

// Benchmarks of kubernetes nodes, each beside the same work done with
// client-go alone; see docs/performance.md ("Kubernetes nodes") for the
// figures and how to run them.

// BenchmarkKubeStart16: a 16-node kubernetes cluster up (its namespace,
// access checks, every pod running, /etc/hosts written) and deleted (the
// pods gone); and, for reference, 16 bare pods of the same image created
// with client-go in an existing namespace, waited for until they run, then
// deleted and waited for until they are gone.
func BenchmarkKubeStart16(b *testing.B) {
	cs := kubetest.Require(b)
	b.Run("ducktape-cluster", func(b *testing.B) {
		for range b.N {
			cl, err := kube.Open(context.Background(), kube.Options{Nodes: 16})
			if err != nil {
				b.Fatal(err)
			}
			if err := cl.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("client-go-pods", func(b *testing.B) {
		ctx := context.Background()
		image, err := docker.DefaultImage()
		if err != nil {
			b.Fatal(err)
		}
		ns := benchNamespace(b, cs)
		pods := cs.CoreV1().Pods(ns)
		for i := range b.N {
			parallel(b, 16, func(j int) error {
				_, err := pods.Create(ctx, &corev1.Pod{
					ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("bare-%d-%d", i, j), Labels: map[string]string{"bench": "bare"}},
					Spec: corev1.PodSpec{
						Containers:                    []corev1.Container{{Name: "c", Image: image, ImagePullPolicy: corev1.PullNever, Command: []string{"sleep", "3600"}}},
						TerminationGracePeriodSeconds: ptr(int64(1)), AutomountServiceAccountToken: ptr(false),
					},
				}, metav1.CreateOptions{})
				return err
			})
			waitPods(b, pods, func(list []corev1.Pod) bool {
				for _, p := range list {
					if p.Status.Phase != corev1.PodRunning {
						return false
					}
				}
				return len(list) == 16
			})
			parallel(b, 16, func(j int) error { return pods.Delete(ctx, fmt.Sprintf("bare-%d-%d", i, j), metav1.DeleteOptions{}) })
			waitPods(b, pods, func(list []corev1.Pod) bool { return len(list) == 0 })
		}
	})
}

// benchNamespace makes a namespace for bare pods, deleted when b ends.
func benchNamespace(b *testing.B, cs kubernetes.Interface) string {
	ns, err := cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "ducktape-bench-"}}, metav1.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cs.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{}) })
	// The namespace's default service account comes from a controller.
	for {
		if _, err := cs.CoreV1().ServiceAccounts(ns.Name).Get(context.Background(), "default", metav1.GetOptions{}); err == nil {
			return ns.Name
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPods polls the bare pods until done holds.
func waitPods(b *testing.B, pods interface {
	List(context.Context, metav1.ListOptions) (*corev1.PodList, error)
}, done func([]corev1.Pod) bool) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		list, err := pods.List(context.Background(), metav1.ListOptions{LabelSelector: "bench=bare"})
		if err != nil {
			b.Fatal(err)
		}
		if done(list.Items) {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("bare pods: not done after 3 minutes: %d pods", len(list.Items))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// BenchmarkKubeSequential: one `true` after another on one node: through
// the node's account, and as a bare client-go exec of `true` into the same
// pod (one WebSocket stream, no shell, no process-group marker).
func BenchmarkKubeSequential(b *testing.B) {
	node := kubetest.Start(b, 1, kube.Options{}).Nodes()[0]
	ns, pod := podOf(b, node)
	bare := bareExec(b, ns, pod)
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"kube-node", trueOn(node)},
		{"client-go-exec", bare},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				if err := tc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bareExec returns a client-go exec of `true` in a pod.
func bareExec(b *testing.B, ns, pod string) func() error {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(), nil).ClientConfig()
	if err != nil {
		b.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return func() error {
		req := cs.CoreV1().RESTClient().Post().Namespace(ns).Resource("pods").Name(pod).SubResource("exec").
			VersionedParams(&corev1.PodExecOptions{Container: "node", Command: []string{"true"}, Stdout: true, Stderr: true}, scheme.ParameterCodec)
		ex, err := remotecommand.NewWebSocketExecutor(cfg, "GET", req.URL().String())
		if err != nil {
			return err
		}
		return ex.StreamWithContext(context.Background(), remotecommand.StreamOptions{Stdout: io.Discard, Stderr: io.Discard})
	}
}

// trueOn runs `true` on n through its account.
func trueOn(n *cluster.Node) func() error {
	return func() error { _, err := n.Account.SSH(context.Background(), "true", false); return err }
}

// BenchmarkKubeFanout8: one `true` on each of 8 nodes at once.
func BenchmarkKubeFanout8(b *testing.B) {
	nodes := kubetest.Start(b, 8, kube.Options{}).Nodes()
	b.ResetTimer()
	for range b.N {
		parallel(b, len(nodes), func(i int) error { return trueOn(nodes[i])() })
	}
}

// BenchmarkKubeCopy100MB: copy_to and copy_from of a 100 MB file.
func BenchmarkKubeCopy100MB(b *testing.B) {
	const size = 100 << 20
	dir := b.TempDir()
	src := filepath.Join(dir, "src.bin")
	data := make([]byte, size)
	rand.Read(data)
	if err := os.WriteFile(src, data, 0o644); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	acct := kubetest.Start(b, 1, kube.Options{}).Nodes()[0].Account
	b.Run("copy_to", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			if err := acct.CopyTo(ctx, src, "dt-bench.bin"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("copy_from", func(b *testing.B) {
		b.SetBytes(size)
		back := filepath.Join(dir, "back.bin")
		for range b.N {
			if err := acct.CopyFrom(ctx, "dt-bench.bin", back); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if got, _ := os.ReadFile(back); !bytes.Equal(got, data) {
			b.Fatal("copy_from returned other bytes")
		}
	})
}

// parallel runs fn(0..n-1) at once and fails b on any error.
func parallel(b *testing.B, n int, fn func(i int) error) {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
}
