package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/klog/v2"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/remotecommand"
	utilexec "k8s.io/client-go/util/exec"
)

// requestTimeout bounds every API request but the exec streams, so that
// an API server that stops answering fails a call instead of hanging it.
const requestTimeout = 30 * time.Second

// dialTimeout bounds a connection to the API server.
const dialTimeout = 10 * time.Second

// client is the provider's connection to one cluster's API server: the
// clientset for API calls and the configuration of the exec streams. Safe
// for concurrent use.
type client struct {
	cs      kubernetes.Interface
	execCfg *rest.Config // without requestTimeout: a command may run for hours
	where   string       // "the API server at https://... (context c of /path)", for errors
}

// NoClusterError says that no kubeconfig names a cluster: KUBECONFIG is
// unset or names no file, and ~/.kube/config does not exist.
type NoClusterError struct{ Err error }

func (e *NoClusterError) Error() string {
	return "--cluster kubernetes: " + e.Err.Error()
}

func (e *NoClusterError) Unwrap() error { return e.Err }

// IsNoCluster reports whether err says that no Kubernetes cluster is
// configured here (no kubeconfig, or none that names a cluster).
func IsNoCluster(err error) bool {
	var nc *NoClusterError
	return errors.As(err, &nc)
}

// quietKlog silences client-go's own log (klog), which would print on the
// user's terminal what the provider reports as errors anyway ("Copying
// stdout failed" when a cancelled command's stream is closed, for one).
var quietKlog sync.Once

// connect loads the kubeconfig (path, else KUBECONFIG, else ~/.kube/config)
// with context kubeContext (else its current context).
func connect(path, kubeContext string) (*client, error) {
	quietKlog.Do(func() { klog.SetLogger(logr.Discard()) })
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = path
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("--cluster kubernetes: reading the kubeconfig: %w", err)
	}
	cfg, err := loader.ClientConfig()
	if clientcmd.IsEmptyConfig(err) {
		files := rules.GetLoadingPrecedence()
		if path != "" {
			files = []string{path}
		}
		return nil, &NoClusterError{fmt.Errorf("no kubeconfig names a cluster (looked in %v: set KUBECONFIG, or --kube-context)", files)}
	}
	if err != nil {
		return nil, fmt.Errorf("--cluster kubernetes: the kubeconfig: %w", err)
	}
	name := kubeContext
	if name == "" {
		name = raw.CurrentContext
	}
	where := fmt.Sprintf("the API server at %s (context %q)", cfg.Host, name)
	cfg.Dial = (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext
	// The provider's own rate: a fan-out over many pods is many requests.
	cfg.QPS, cfg.Burst = 200, 400
	execCfg := rest.CopyConfig(cfg)
	cfg.Timeout = requestTimeout
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return &client{cs: cs, execCfg: execCfg, where: where}, nil
}

// containerName is the name of a node pod's one container.
const containerName = "node"

// exec runs argv in a pod's container, copying stdin (nil: none) to it and
// its output to stdout and stderr (neither nil), and returns its exit
// status. It tries a WebSocket stream first and SPDY only when the upgrade
// to WebSocket failed, before anything ran, so the command never runs
// twice. The exit status comes from the executor's exit error; any other
// error means the command could not be run to its end.
func (c *client) exec(ctx context.Context, ns, pod string, argv []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	req := c.cs.CoreV1().RESTClient().Post().Namespace(ns).Resource("pods").Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: containerName, Command: argv, Stdin: stdin != nil, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	ws, err := remotecommand.NewWebSocketExecutor(c.execCfg, "GET", req.URL().String())
	if err != nil {
		return -1, err
	}
	spdy, err := remotecommand.NewSPDYExecutor(c.execCfg, "POST", req.URL())
	if err != nil {
		return -1, err
	}
	ex, err := remotecommand.NewFallbackExecutor(ws, spdy, httpstream.IsUpgradeFailure)
	if err != nil {
		return -1, err
	}
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: stdin, Stdout: stdout, Stderr: stderr})
	var exit utilexec.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit) && exit.Exited():
		return exit.ExitStatus(), nil
	}
	return -1, err
}
