package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// controllers does, for this one-node cluster of tests, the part of
// kube-controller-manager's and kube-scheduler's work that its pods and
// namespaces need, so that neither has to be built (they were 4 of the
// cold build's 28 CPU-minutes, which CI's budget does not have):
//
//   - scheduling: every pod without a node is bound to the one node. No
//     resource fit and no taints: the kubelet still admits or rejects the
//     pod against its own resources, as it does on any cluster.
//   - service accounts: every new namespace gets its "default" service
//     account, which the API server's ServiceAccount admission wants
//     before it admits a pod there.
//   - namespace deletion: a namespace being deleted has everything in it
//     deleted (its pods gracefully, by the kubelet), and once it is empty
//     its "kubernetes" finalizer removed, so the API server deletes it.
//
// A real cluster's controllers do all of this and more; the driver relies
// on nothing that only these do (docs/clusters.md, "Kubernetes nodes").
// It runs until ctx ends, logging what it could not do.
func (c *kube) controllers(ctx context.Context) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.path("controllers.kubeconfig"))
	if err != nil {
		return err
	}
	// Discovery of every namespaced resource warns of the deprecated ones.
	cfg.WarningHandler = rest.NoWarnings{}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	nc := &namespaceCleaner{cs: cs, dyn: dyn, busy: map[string]bool{}}
	_, pods := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.NewFilteredListWatchFromClient(cs.CoreV1().RESTClient(), "pods", "",
			func(o *metav1.ListOptions) { o.FieldSelector = "spec.nodeName=" }),
		ObjectType: &corev1.Pod{},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) { go bind(ctx, cs, obj.(*corev1.Pod)) },
		},
	})
	onNamespace := func(obj any) {
		ns := obj.(*corev1.Namespace)
		if ns.DeletionTimestamp != nil {
			nc.start(ctx, ns.Name)
		} else {
			go defaultServiceAccount(ctx, cs, ns.Name)
		}
	}
	_, namespaces := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.NewListWatchFromClient(cs.CoreV1().RESTClient(), "namespaces", "", fields.Everything()),
		ObjectType:    &corev1.Namespace{},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    onNamespace,
			UpdateFunc: func(_, obj any) { onNamespace(obj) },
		},
	})
	go pods.RunWithContext(ctx)
	namespaces.RunWithContext(ctx)
	return nil
}

// retry calls f until it succeeds, says to stop, or ctx ends, every
// interval, logging each failure but the last.
func retry(ctx context.Context, what string, interval time.Duration, f func() (stop bool, err error)) {
	for {
		stop, err := f()
		if err == nil || stop {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
			log.Printf("%s: %v", what, err)
		}
	}
}

// bind schedules a pod on the node, unless something else did, or it went.
func bind(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) {
	b := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: nodeName},
	}
	retry(ctx, "binding pod "+pod.Namespace+"/"+pod.Name, 250*time.Millisecond, func() (bool, error) {
		err := cs.CoreV1().Pods(pod.Namespace).Bind(ctx, b, metav1.CreateOptions{})
		return apierrors.IsConflict(err) || apierrors.IsNotFound(err), err
	})
}

// defaultServiceAccount makes a namespace's default service account,
// unless it exists or the namespace is going.
func defaultServiceAccount(ctx context.Context, cs kubernetes.Interface, ns string) {
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	retry(ctx, "the default service account of namespace "+ns, 250*time.Millisecond, func() (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{})
		return apierrors.IsAlreadyExists(err) || apierrors.IsNotFound(err) || apierrors.IsForbidden(err), err
	})
}

// namespaceCleaner finishes the deletion of namespaces, one goroutine per
// namespace being deleted. Safe for concurrent use.
type namespaceCleaner struct {
	cs  kubernetes.Interface
	dyn dynamic.Interface

	mu   sync.Mutex
	busy map[string]bool // namespaces a goroutine is cleaning
}

// start cleans namespace ns in the background, unless that already runs.
func (nc *namespaceCleaner) start(ctx context.Context, ns string) {
	nc.mu.Lock()
	defer nc.mu.Unlock()
	if nc.busy[ns] {
		return
	}
	nc.busy[ns] = true
	go func() {
		retry(ctx, "deleting namespace "+ns, 500*time.Millisecond, func() (bool, error) { return nc.finish(ctx, ns) })
		nc.mu.Lock()
		delete(nc.busy, ns)
		nc.mu.Unlock()
	}()
}

// finish deletes what namespace ns holds and, once nothing is left,
// lifts its finalizer; it reports stop once the namespace is gone, and an
// error while something is left.
func (nc *namespaceCleaner) finish(ctx context.Context, ns string) (stop bool, err error) {
	resources, err := namespacedResources(nc.cs)
	if err != nil {
		return false, err
	}
	var left []string
	for _, gvr := range resources {
		r := nc.dyn.Resource(gvr).Namespace(ns)
		if err := r.DeleteCollection(ctx, metav1.DeleteOptions{PropagationPolicy: ptr(metav1.DeletePropagationBackground)}, metav1.ListOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return false, fmt.Errorf("deleting its %s: %w", gvr.Resource, err)
		}
		list, err := r.List(ctx, metav1.ListOptions{Limit: 1})
		if err != nil && !apierrors.IsNotFound(err) {
			return false, fmt.Errorf("listing its %s: %w", gvr.Resource, err)
		}
		if err == nil && len(list.Items) > 0 {
			left = append(left, gvr.Resource)
		}
	}
	if len(left) > 0 {
		return false, fmt.Errorf("waiting until its %v are gone", left)
	}
	n, err := nc.cs.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	n.Spec.Finalizers = slices.DeleteFunc(n.Spec.Finalizers, func(f corev1.FinalizerName) bool { return f == corev1.FinalizerKubernetes })
	_, err = nc.cs.CoreV1().Namespaces().Finalize(ctx, n, metav1.UpdateOptions{})
	return apierrors.IsNotFound(err), err
}

// namespacedResources lists the namespaced resources that can be listed
// and deleted as a collection, as the namespace controller does.
func namespacedResources(cs kubernetes.Interface) ([]schema.GroupVersionResource, error) {
	lists, err := discovery.ServerPreferredNamespacedResources(cs.Discovery())
	if err != nil && len(lists) == 0 {
		return nil, err
	}
	var out []schema.GroupVersionResource
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if slices.Contains(r.Verbs, "list") && slices.Contains(r.Verbs, "deletecollection") {
				out = append(out, gv.WithResource(r.Name))
			}
		}
	}
	return out, nil
}
