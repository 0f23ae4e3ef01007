package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// The cluster's fixed names and addresses. The pods' bridge takes
// 10.97.0.0/24 (docker nodes use 10.98.x, cluster/netnstest 10.99.x); its
// gateway is the node's address, where the kubelet listens.
const (
	nodeName    = "ducktape-kube"
	bridge      = "dtkube0"
	podSubnet   = "10.97.0.0/24"
	nodeIP      = "10.97.0.1"
	serviceCIDR = "10.96.0.0/24"
	serviceIP   = "10.96.0.1"
	etcdPort    = 12379
	etcdPeer    = 12380
	apiPort     = 16443
	pauseImage  = "localhost/ducktape-pause:1"
	// forwardRule lets the pods' traffic cross the bridge: Docker sets the
	// FORWARD policy to DROP, and bridged packets pass iptables here.
	forwardRule = "-i " + bridge + " -o " + bridge + " -m comment --comment ducktape-kube -j ACCEPT"
)

// kube is one cluster's files and processes.
type kube struct {
	dir, cache, bin, nodeImage string
	tokens                     map[string]string
}

func (c *kube) path(elem ...string) string { return filepath.Join(append([]string{c.dir}, elem...)...) }

// containerdSock is containerd's socket.
func (c *kube) containerdSock() string { return c.path("containerd", "containerd.sock") }

// up starts the cluster, after removing what an earlier one left.
func (c *kube) up(ctx context.Context) error {
	if err := c.down(); err != nil {
		return fmt.Errorf("removing an earlier cluster: %w", err)
	}
	for _, d := range []string{"pki", "logs", "run", "etcd", "cni/net.d", "cni/ipam", "kubelet", "containerd/state"} {
		if err := os.MkdirAll(c.path(d), 0o755); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(c.cache, "containerd"), 0o755); err != nil {
		return err
	}
	c.tokens = map[string]string{}
	if err := c.writeCerts(); err != nil {
		return fmt.Errorf("making credentials: %w", err)
	}
	if err := c.writeConfigs(); err != nil {
		return err
	}
	if err := c.network(); err != nil {
		return err
	}
	if err := c.start("containerd", "/usr/bin/containerd", "--config", c.path("containerd", "config.toml")); err != nil {
		return err
	}
	if err := c.start("etcd", c.binary("etcd"),
		"--name", "ducktape-kube", "--data-dir", c.path("etcd"),
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-cluster", fmt.Sprintf("ducktape-kube=http://127.0.0.1:%d", etcdPeer),
		"--listen-metrics-urls", "", "--log-level", "warn"); err != nil {
		return err
	}
	if err := c.waitHTTP(ctx, "etcd", fmt.Sprintf("http://127.0.0.1:%d/health", etcdPort), ""); err != nil {
		return err
	}
	if err := c.start("kube-apiserver", c.binary("kube-apiserver"),
		"--etcd-servers", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--bind-address", "127.0.0.1", "--secure-port", fmt.Sprint(apiPort), "--advertise-address", nodeIP,
		"--tls-cert-file", c.path("pki/apiserver.crt"), "--tls-private-key-file", c.path("pki/apiserver.key"),
		"--client-ca-file", c.path("pki/ca.crt"), "--token-auth-file", c.path("pki/tokens.csv"),
		"--authorization-mode", "Node,RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", c.path("pki/sa.pub"), "--service-account-signing-key-file", c.path("pki/sa.key"),
		"--service-cluster-ip-range", serviceCIDR,
		"--kubelet-client-certificate", c.path("pki/kubelet-client.crt"), "--kubelet-client-key", c.path("pki/kubelet-client.key"),
		"--kubelet-preferred-address-types", "InternalIP",
		"--enable-priority-and-fairness=false", "--profiling=false"); err != nil {
		return err
	}
	if err := c.waitHTTP(ctx, "kube-apiserver", fmt.Sprintf("https://127.0.0.1:%d/readyz", apiPort), c.tokens["admin"]); err != nil {
		return err
	}
	// What the tests need of kube-controller-manager and kube-scheduler,
	// done by this program (controllers.go).
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := c.start("controllers", self, "controllers", "-dir", c.dir); err != nil {
		return err
	}
	if err := c.waitFile(ctx, "containerd", c.containerdSock()); err != nil {
		return err
	}
	if err := c.importImages(ctx); err != nil {
		return err
	}
	if err := c.start("kubelet", c.binary("kubelet"),
		"--config", c.path("kubelet", "config.yaml"), "--kubeconfig", c.path("kubelet.kubeconfig"),
		"--hostname-override", nodeName, "--node-ip", nodeIP,
		"--root-dir", c.path("kubelet"), "--cert-dir", c.path("kubelet", "pki")); err != nil {
		return err
	}
	cs, err := c.clientset()
	if err != nil {
		return err
	}
	if err := c.waitNodeReady(ctx, cs); err != nil {
		return err
	}
	return c.smokeTest(ctx, cs)
}

// binary is the path of a built program.
func (c *kube) binary(name string) string { return filepath.Join(c.bin, name) }

// clientset is the admin's client.
func (c *kube) clientset() (*kubernetes.Clientset, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.path("admin.kubeconfig"))
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// network makes the pods' bridge with the node's address, and lets
// traffic cross it.
func (c *kube) network() error {
	for _, args := range [][]string{
		{"ip", "link", "add", bridge, "type", "bridge"},
		{"ip", "addr", "add", nodeIP + "/24", "dev", bridge},
		{"ip", "link", "set", bridge, "up"},
		append([]string{"iptables", "-w", "-I", "FORWARD"}, strings.Fields(forwardRule)...),
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// poll calls check every 200 ms until it reports done, the context ends,
// or a component dies (named with the end of its log); check's last word
// says why it is not done yet.
func (c *kube) poll(ctx context.Context, what string, check func() (done bool, why string)) error {
	for {
		done, why := check()
		if done {
			return nil
		}
		if err := c.alive(); err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: not ready after %s: %s", what, time.Since(started).Round(time.Second), why)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

var started = time.Now()

// waitHTTP waits until url answers 200.
func (c *kube) waitHTTP(ctx context.Context, what, url, token string) error {
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	return c.poll(ctx, what, func() (bool, string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, url + ": " + resp.Status
	})
}

func (c *kube) waitFile(ctx context.Context, what, path string) error {
	return c.poll(ctx, what, func() (bool, string) {
		_, err := os.Stat(path)
		return err == nil, "no " + path
	})
}

// waitNodeReady waits until the kubelet has registered the node Ready.
func (c *kube) waitNodeReady(ctx context.Context, cs *kubernetes.Clientset) error {
	return c.poll(ctx, "node "+nodeName, func() (bool, string) {
		n, err := cs.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue, cond.Reason + ": " + cond.Message
			}
		}
		return false, "no Ready condition"
	})
}

// smokeTest runs a pod of the node image (or of the pause image without
// one) and waits until it runs with an address of the pod subnet, so a
// cluster that cannot run pods fails here, with its logs, rather than in
// the tests.
func (c *kube) smokeTest(ctx context.Context, cs *kubernetes.Clientset) error {
	image, cmd := pauseImage, []string(nil)
	if c.nodeImage != "" {
		image, cmd = c.nodeImage, []string{"sleep", "3600"}
	}
	pods := cs.CoreV1().Pods("default")
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "kubeup-smoke"},
		Spec: corev1.PodSpec{
			Containers:                    []corev1.Container{{Name: "smoke", Image: image, Command: cmd, ImagePullPolicy: corev1.PullNever}},
			AutomountServiceAccountToken:  ptr(false),
			TerminationGracePeriodSeconds: ptr(int64(0)),
		},
	}
	var err error
	for {
		// The default service account appears shortly after the API server.
		if _, err = pods.Create(ctx, pod, metav1.CreateOptions{}); err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("creating the smoke-test pod: %w", err)
	}
	defer pods.Delete(context.Background(), pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
	return c.poll(ctx, "the smoke-test pod", func() (bool, string) {
		p, err := pods.Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		why := fmt.Sprintf("phase %s, ip %q", p.Status.Phase, p.Status.PodIP)
		for _, st := range p.Status.ContainerStatuses {
			if w := st.State.Waiting; w != nil {
				why += fmt.Sprintf(", %s: %s", w.Reason, w.Message)
			}
		}
		return p.Status.Phase == corev1.PodRunning && strings.HasPrefix(p.Status.PodIP, "10.97.0."), why
	})
}

func ptr[T any](v T) *T { return &v }
