package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/ducktape-go/ducktape/cluster"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// SessionInfo is what one kubernetes cluster (a session) left on the API
// server, found by its labels.
type SessionInfo struct {
	Session    string   // the cluster id, e.g. "ducktape-3fa9c1"
	Driver     string   // "<hostname>:<pid>" of the driver that made it
	Namespaces []string // namespaces it made
	Pods       []string // "namespace/name"
}

// PruneOptions choose what Prune removes and where.
type PruneOptions struct {
	Kubeconfig, Context string
	// All removes every ducktape session's objects, also those of running
	// drivers and of drivers on other machines.
	All bool
}

// Prune deletes what killed sessions left (their pods, and the namespaces
// they made) on the cluster the kubeconfig names: sessions whose driver
// ran on this machine and has ended; with opts.All every session. It
// needs to list pods and namespaces across the cluster.
func Prune(ctx context.Context, opts PruneOptions) ([]SessionInfo, error) {
	c, err := connect(opts.Kubeconfig, opts.Context)
	if err != nil {
		return nil, err
	}
	found, err := c.sessions(ctx)
	if err != nil {
		return nil, err
	}
	var removed []SessionInfo
	var errs []error
	for _, s := range found {
		if !opts.All && !cluster.DriverProcessGone(s.Driver) {
			continue
		}
		errs = append(errs, c.removeSession(ctx, s))
		removed = append(removed, s)
	}
	return removed, errors.Join(errs...)
}

// ListSessions lists the sessions whose objects are on the cluster the
// kubeconfig names.
func ListSessions(ctx context.Context, kubeconfig, kubeContext string) ([]SessionInfo, error) {
	c, err := connect(kubeconfig, kubeContext)
	if err != nil {
		return nil, err
	}
	return c.sessions(ctx)
}

// sessions lists the ducktape sessions on the cluster, by session id.
func (c *client) sessions(ctx context.Context) ([]SessionInfo, error) {
	nss, err := c.cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: managedSelector})
	if err != nil {
		return nil, fmt.Errorf("listing ducktape namespaces on %s: %w", c.where, err)
	}
	pods, err := c.cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: managedSelector})
	if err != nil {
		return nil, fmt.Errorf("listing ducktape pods on %s: %w", c.where, err)
	}
	byID := map[string]*SessionInfo{}
	get := func(m metav1.ObjectMeta) *SessionInfo {
		id := m.Labels[labelSession]
		if byID[id] == nil {
			byID[id] = &SessionInfo{Session: id, Driver: m.Annotations[annotDriver]}
		}
		return byID[id]
	}
	for _, ns := range nss.Items {
		s := get(ns.ObjectMeta)
		s.Namespaces = append(s.Namespaces, ns.Name)
	}
	for _, p := range pods.Items {
		s := get(p.ObjectMeta)
		s.Pods = append(s.Pods, p.Namespace+"/"+p.Name)
	}
	out := make([]SessionInfo, 0, len(byID))
	for _, s := range byID {
		sort.Strings(s.Pods)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Session < out[j].Session })
	return out, nil
}

// removeSession deletes a session's pods, then its namespaces.
func (c *client) removeSession(ctx context.Context, s SessionInfo) error {
	errs := make([]error, len(s.Pods))
	var wg sync.WaitGroup
	for i, p := range s.Pods {
		ns, name, _ := strings.Cut(p, "/")
		wg.Go(func() {
			err := c.cs.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				errs[i] = fmt.Errorf("deleting pod %s of %s: %w", p, s.Session, err)
			}
		})
	}
	wg.Wait()
	for _, ns := range s.Namespaces {
		err := c.cs.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("deleting namespace %s of %s: %w", ns, s.Session, err))
		}
	}
	return errors.Join(errs...)
}

// warnLeftovers tells the user about sessions that killed drivers left
// behind. Failing to look (a user who may not list across the cluster) is
// not worth an error: the new cluster does not depend on it.
func warnLeftovers(ctx context.Context, c *client, log io.Writer) {
	found, err := c.sessions(ctx)
	if err != nil {
		return
	}
	var names []string
	for _, s := range found {
		if cluster.DriverProcessGone(s.Driver) {
			names = append(names, fmt.Sprintf("%s (%d pods)", s.Session, len(s.Pods)))
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(log, "kubernetes: warning: %d session(s) left by a killed ducktape session: %s; remove them with `ducktape kube prune`\n", len(names), strings.Join(names, ", "))
	}
}
