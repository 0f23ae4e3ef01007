package kube

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
)

// DefaultNodes is the size of a kubernetes cluster without --kube-nodes.
const DefaultNodes = 8

// maxNodes bounds --kube-nodes: a session's pods, created at once.
const maxNodes = 1000

// DefaultReadyTimeout bounds how long the pods may take to run.
const DefaultReadyTimeout = 3 * time.Minute

// Options configure a kubernetes cluster, as the --kube-* flags do.
type Options struct {
	// Kubeconfig is the kubeconfig file; empty means KUBECONFIG, else
	// ~/.kube/config.
	Kubeconfig string
	// Context is the kubeconfig's context to use; empty means its current one.
	Context string
	// Namespace is where the pods go; empty means a namespace made for the
	// session (and deleted with it).
	Namespace string
	// Nodes is the number of pods (default DefaultNodes).
	Nodes int
	// Image is the pods' image, pulled as the cluster pulls (IfNotPresent);
	// empty means the docker provider's default image, which the cluster's
	// runtime must have already (it is never pulled). It needs /bin/sh,
	// coreutils, findutils and procps.
	Image string
	// ReadyTimeout bounds the wait for the pods to run (default
	// DefaultReadyTimeout).
	ReadyTimeout time.Duration
	// Log receives what the user should know (leftovers of killed
	// sessions); nil discards.
	Log io.Writer
}

// kubeCluster is what one kubernetes cluster made on its API server. Its
// fields do not change once Open returns.
type kubeCluster struct {
	c      *client
	id     string // cluster id: names and labels everything below
	ns     string
	ownNS  bool // the namespace was made for the cluster
	opts   Options
	log    io.Writer
	pods   []string // pod names in node order
	closed sync.Once
}

// Open starts a kubernetes cluster as opts describe: a namespace (unless
// opts.Namespace), opts.Nodes pods, each running, and the nodes over them.
// The caller must Close the cluster, which deletes the pods and the
// namespace it made. A failure halfway, or ctx cancelled, deletes what was
// made.
func Open(ctx context.Context, opts Options) (*cluster.Cluster, error) {
	if opts.Nodes == 0 {
		opts.Nodes = DefaultNodes
	}
	if opts.Nodes < 1 || opts.Nodes > maxNodes {
		return nil, fmt.Errorf("--kube-nodes must be between 1 and %d, not %d", maxNodes, opts.Nodes)
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = DefaultReadyTimeout
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	c, err := connect(opts.Kubeconfig, opts.Context)
	if err != nil {
		return nil, err
	}
	kc := &kubeCluster{c: c, id: newClusterID(), ns: opts.Namespace, opts: opts, log: log}
	if kc.ns == "" {
		kc.ns, kc.ownNS = kc.id, true
	}
	if err := c.checkAccess(ctx, kc.ns, kc.ownNS); err != nil {
		return nil, err
	}
	warnLeftovers(ctx, c, log)
	nodes, err := kc.start(ctx)
	if err != nil {
		if ctx.Err() != nil {
			err = context.Cause(ctx) // interrupted: what failed meanwhile is no news
		}
		if rmErr := kc.remove(); rmErr != nil {
			err = fmt.Errorf("%w (and deleting what was made: %v)", err, rmErr)
		}
		return nil, err
	}
	return cluster.New(nodes, kc.close), nil
}

// newClusterID returns a new cluster id, e.g. "ducktape-3fa9c1".
func newClusterID() string {
	b := make([]byte, 3)
	rand.Read(b)
	return "ducktape-" + hex.EncodeToString(b)
}

// nodeName is node i's name and hostname (1-based).
func nodeName(i int) string { return "kube" + strconv.Itoa(i) }

// labels returns the labels of the cluster's objects.
func (kc *kubeCluster) labels() map[string]string {
	return map[string]string{labelManagedBy: managedBy, labelSession: kc.id, labelDriver: labelValue(cluster.DriverProcess())}
}

func (kc *kubeCluster) meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: kc.labels(), Annotations: map[string]string{annotDriver: cluster.DriverProcess()}}
}

// start makes the namespace and the pods, waits until they run and
// returns the nodes.
func (kc *kubeCluster) start(ctx context.Context) ([]*cluster.Node, error) {
	image, policy := kc.opts.Image, corev1.PullIfNotPresent
	if image == "" {
		var err error
		if image, err = docker.DefaultImage(); err != nil {
			return nil, fmt.Errorf("naming the default node image: %w", err)
		}
		policy = corev1.PullNever
	}
	if kc.ownNS {
		ns := &corev1.Namespace{ObjectMeta: kc.meta(kc.ns)}
		ns.Labels[labelPodSecurity] = "privileged"
		if _, err := kc.c.cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
			kc.ownNS = false // not made: nothing to delete
			return nil, fmt.Errorf("creating namespace %s on %s: %w", kc.ns, kc.c.where, err)
		}
	}
	kc.pods = make([]string, kc.opts.Nodes)
	for i := range kc.pods {
		kc.pods[i] = kc.id + "-" + nodeName(i+1)
	}
	errs := make([]error, len(kc.pods))
	sem := make(chan struct{}, createParallelism)
	var wg sync.WaitGroup
	for i := range kc.pods {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = kc.createPod(ctx, i+1, image, policy)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	pods, err := kc.waitRunning(ctx)
	if err != nil {
		return nil, err
	}
	nodes := make([]*cluster.Node, len(pods))
	accts := make([]*account, len(pods))
	for i, p := range pods {
		name := nodeName(i + 1)
		accts[i] = &account{kc: kc, node: name, pod: p.Name, info: cluster.AccountInfo{
			Hostname: name, SSHHostname: kc.ns + "/" + p.Name, User: "root", ExternallyRoutableIP: p.Status.PodIP,
		}}
		nodes[i] = &cluster.Node{Name: name, OS: "linux", Account: cluster.NewRemoteAccount(name, accts[i])}
	}
	route := chooseRoute(ctx, accts)
	if route == cluster.RouteExec {
		fmt.Fprintf(kc.log, "kubernetes: this machine cannot reach the pods' addresses (%s...): test clients reach services on the nodes through a relay in each pod (docs/clusters.md, \"How the driver reaches services\")\n", accts[0].info.ExternallyRoutableIP)
	}
	for _, a := range accts {
		a.route = route
	}
	return nodes, kc.writeHosts(ctx, nodes)
}

// createParallelism bounds the pods created at once.
const createParallelism = 16

// holdScript is the pods' first process: it keeps the pod running until
// it is deleted, and reaps the orphans of daemonized services (dash's
// wait(1) waits for any child).
const holdScript = `trap 'exit 0' TERM INT; while :; do sleep 86400 & wait; done`

// createPod creates node i's pod. The namespace's default service account
// may not exist yet right after the namespace was made (a controller makes
// it): creation is retried while the API server says so.
func (kc *kubeCluster) createPod(ctx context.Context, i int, image string, policy corev1.PullPolicy) error {
	name := nodeName(i)
	meta := kc.meta(kc.pods[i-1])
	meta.Labels[labelNode] = name
	pod := &corev1.Pod{
		ObjectMeta: meta,
		Spec: corev1.PodSpec{
			Hostname: name,
			Containers: []corev1.Container{{
				Name: containerName, Image: image, ImagePullPolicy: policy,
				Command:    []string{"/bin/sh", "-c", holdScript},
				WorkingDir: "/root",
				SecurityContext: &corev1.SecurityContext{
					Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}},
				},
			}},
			RestartPolicy:                 corev1.RestartPolicyNever,
			TerminationGracePeriodSeconds: ptr(int64(1)),
			AutomountServiceAccountToken:  ptr(false),
			EnableServiceLinks:            ptr(false),
		},
	}
	for {
		_, err := kc.c.cs.CoreV1().Pods(kc.ns).Create(ctx, pod, metav1.CreateOptions{})
		if err == nil {
			return nil
		}
		if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "serviceaccount") {
			return fmt.Errorf("node %s: creating its pod %s/%s: %w%s", name, kc.ns, pod.Name, err, podSecurityHint(err))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("node %s: creating its pod %s/%s: %w", name, kc.ns, pod.Name, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// podSecurityHint adds advice to an error of Pod Security admission.
func podSecurityHint(err error) string {
	if !strings.Contains(err.Error(), "PodSecurity") {
		return ""
	}
	return ` (the nodes need NET_ADMIN, which only Pod Security's "privileged" level allows: label the namespace pod-security.kubernetes.io/enforce=privileged; see docs/clusters.md)`
}

// waitRunning waits until every pod runs, and returns them in node order.
// A pod that cannot start fails the wait at once; one still not running
// after ReadyTimeout fails it then. Either error names the pod, its state
// and its last events.
func (kc *kubeCluster) waitRunning(ctx context.Context) ([]*corev1.Pod, error) {
	wctx, cancel := context.WithTimeout(ctx, kc.opts.ReadyTimeout)
	defer cancel()
	pods := kc.c.cs.CoreV1().Pods(kc.ns)
	selector := sessionSelector(kc.id)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			o.LabelSelector = selector
			return pods.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.LabelSelector = selector
			return pods.Watch(ctx, o)
		},
	}
	seen := map[string]*corev1.Pod{}
	_, err := watchtools.UntilWithSync(wctx, lw, &corev1.Pod{}, nil, func(ev watch.Event) (bool, error) {
		pod, ok := ev.Object.(*corev1.Pod)
		if !ok {
			return false, nil
		}
		if ev.Type == watch.Deleted {
			return false, kc.podError(pod.Name, "was deleted while starting")
		}
		seen[pod.Name] = pod
		if state := cannotStart(pod); state != "" {
			return false, kc.podError(pod.Name, state)
		}
		for _, name := range kc.pods {
			if p := seen[name]; p == nil || !running(p) {
				return false, nil
			}
		}
		return true, nil
	})
	if err == nil {
		out := make([]*corev1.Pod, len(kc.pods))
		for i, name := range kc.pods {
			out[i] = seen[name]
		}
		return out, nil
	}
	var dead *DeadNodeError
	switch {
	case ctx.Err() != nil:
		return nil, context.Cause(ctx)
	case errors.As(err, &dead):
		return nil, err
	case wctx.Err() == nil:
		return nil, fmt.Errorf("watching the pods of %s on %s: %w", kc.id, kc.c.where, err)
	}
	// Timed out: name the pods that do not run.
	var names []string
	for _, name := range kc.pods {
		if p := seen[name]; p == nil || !running(p) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	state := "is not running"
	if p := seen[names[0]]; p != nil {
		state = "is still " + pendingState(p)
	}
	perr := kc.podError(names[0], fmt.Sprintf("%s after %s", state, kc.opts.ReadyTimeout))
	if len(names) > 1 {
		return nil, fmt.Errorf("%d pods did not start (%s); the first: %w", len(names), strings.Join(names, ", "), perr)
	}
	return nil, perr
}

// running reports whether a pod runs with its container running.
func running(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning || p.Status.PodIP == "" || p.DeletionTimestamp != nil {
		return false
	}
	for _, st := range p.Status.ContainerStatuses {
		if st.State.Running == nil {
			return false
		}
	}
	return len(p.Status.ContainerStatuses) > 0
}

// hopeless are the reasons a container waits for that it will not get
// past without the user: a missing or wrong image, a bad configuration, a
// crash.
var hopeless = map[string]bool{
	"ErrImageNeverPull": true, "InvalidImageName": true, "ImagePullBackOff": true, "ErrImagePull": true,
	"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true, "CrashLoopBackOff": true,
}

// cannotStart says in words why a pod will never run, or "" while it may.
func cannotStart(p *corev1.Pod) string {
	if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded || p.Status.Reason == "Evicted" {
		return describePod(p)
	}
	for _, st := range p.Status.ContainerStatuses {
		if w := st.State.Waiting; w != nil && hopeless[w.Reason] {
			return "cannot start: " + strings.Join(nonEmpty(w.Reason, w.Message), ": ")
		}
		if st.State.Terminated != nil {
			return describePod(p)
		}
	}
	return ""
}

// pendingState says in words where a pod that does not run yet is.
func pendingState(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status != corev1.ConditionTrue {
			return "unscheduled: " + strings.Join(nonEmpty(c.Reason, c.Message), ": ")
		}
	}
	s := strings.ToLower(string(p.Status.Phase))
	if s == "" {
		s = "pending"
	}
	return s + containerStates(p)
}

// podError is a DeadNodeError of the pod called name.
func (kc *kubeCluster) podError(name, state string) error {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	node := strings.TrimPrefix(name, kc.id+"-")
	return &DeadNodeError{Node: node, Pod: kc.ns + "/" + name, State: state, Events: kc.lastEvents(ctx, name, 5)}
}

// writeHosts adds the other nodes' names and addresses to every pod's
// /etc/hosts (the kubelet's file, which has the pod's own), so that nodes
// reach each other by name as docker nodes do.
func (kc *kubeCluster) writeHosts(ctx context.Context, nodes []*cluster.Node) error {
	errs := make([]error, len(nodes))
	sem := make(chan struct{}, createParallelism)
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var hosts, out bytes.Buffer
			for _, other := range nodes {
				if other != n {
					fmt.Fprintf(&hosts, "%s\t%s\n", other.Account.Info().ExternallyRoutableIP, other.Name)
				}
			}
			a := n.Account.Account().(*account)
			status, err := a.exec(ctx, []string{"/bin/sh", "-c", "cat >> /etc/hosts"}, &hosts, &out, &out)
			if err == nil && status != 0 {
				err = fmt.Errorf("exit status %d: %s", status, strings.TrimSpace(out.String()))
			}
			if err != nil {
				errs[i] = fmt.Errorf("node %s: writing its /etc/hosts: %w", n.Name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// close is the cluster's clean-up.
func (kc *kubeCluster) close() error { return kc.remove() }

// deleteTimeout bounds the wait for the cluster's pods to be gone.
const deleteTimeout = 90 * time.Second

// remove deletes the pods and the namespace the cluster made, whatever
// the state of the session (it uses its own context: it also runs after
// Ctrl-C), and waits until the pods are gone. It runs once.
func (kc *kubeCluster) remove() error {
	var err error
	kc.closed.Do(func() { err = kc.removeOnce() })
	return err
}

func (kc *kubeCluster) removeOnce() error {
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	podsErr := kc.deletePods(ctx)
	if !kc.ownNS {
		return podsErr
	}
	// The namespace goes even when some pod would not (with a context of
	// its own, should the pods' wait have used up ctx): its deletion takes
	// what is left with it.
	nss := kc.c.cs.CoreV1().Namespaces()
	nctx, ncancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ncancel()
	if err := nss.Delete(nctx, kc.ns, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
		return errors.Join(podsErr, fmt.Errorf("deleting namespace %s: %w", kc.ns, err))
	}
	if podsErr != nil {
		return podsErr
	}
	// The cluster's namespace controller finishes the deletion; a
	// namespace still terminating when ctx ends is left to it.
	for {
		if _, err := nss.Get(ctx, kc.ns, metav1.GetOptions{}); apierrors.IsNotFound(err) || ctx.Err() != nil {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// deletePods deletes the cluster's pods and waits until they are gone.
// It deletes the pods it lists, again at every look, not the ones it
// made: a pod whose creation was on its way when the open was cancelled
// can appear after a first round of deletes.
func (kc *kubeCluster) deletePods(ctx context.Context) error {
	pods := kc.c.cs.CoreV1().Pods(kc.ns)
	for {
		list, err := pods.List(ctx, metav1.ListOptions{LabelSelector: sessionSelector(kc.id)})
		if err == nil && len(list.Items) == 0 {
			return nil
		}
		if err == nil {
			if err := kc.deleteEach(ctx, list.Items); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("waiting for the pods of %s to be deleted: %w", kc.id, err)
			}
			return fmt.Errorf("%d pods of %s are still there after %s (the first: %s)", len(list.Items), kc.id, deleteTimeout, list.Items[0].Name)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// deleteEach deletes, in parallel, the pods that are not being deleted.
func (kc *kubeCluster) deleteEach(ctx context.Context, list []corev1.Pod) error {
	pods := kc.c.cs.CoreV1().Pods(kc.ns)
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, p := range list {
		if p.DeletionTimestamp != nil {
			continue
		}
		wg.Go(func() {
			err := pods.Delete(ctx, p.Name, metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				errs[i] = fmt.Errorf("deleting pod %s/%s: %w", kc.ns, p.Name, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func ptr[T any](v T) *T { return &v }
