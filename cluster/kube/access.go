package kube

import (
	"context"
	"fmt"
	"strings"
	"sync"

	authv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// permission is one thing the provider does through the API.
type permission struct {
	verb, resource, subresource string
	namespaced                  bool
}

func (p permission) String() string {
	r := p.resource
	if p.subresource != "" {
		r += "/" + p.subresource
	}
	return p.verb + " " + r
}

// podPermissions are what a session does in its namespace: run pods, exec
// in them (GET for WebSocket, POST for SPDY), read their events when one
// fails. docs/clusters.md's Role grants exactly these.
var podPermissions = []permission{
	{"create", "pods", "", true}, {"get", "pods", "", true}, {"list", "pods", "", true},
	{"watch", "pods", "", true}, {"delete", "pods", "", true},
	{"create", "pods", "exec", true}, {"get", "pods", "exec", true},
	{"list", "events", "", true},
}

// namespacePermissions are what a session that makes its own namespace
// needs besides.
var namespacePermissions = []permission{{"create", "namespaces", "", false}, {"delete", "namespaces", "", false}}

// checkAccess asks the API server whether the kubeconfig's user may do
// what a session does in namespace ns (also create and delete it when
// ownNamespace), one SelfSubjectAccessReview each, all at once. What is
// missing is an error that lists it; an API server that cannot be reached
// is an error that says so.
func (c *client) checkAccess(ctx context.Context, ns string, ownNamespace bool) error {
	perms := podPermissions
	if ownNamespace {
		perms = append(append([]permission(nil), podPermissions...), namespacePermissions...)
	}
	allowed := make([]bool, len(perms))
	errs := make([]error, len(perms))
	var wg sync.WaitGroup
	for i, p := range perms {
		wg.Go(func() {
			attrs := &authv1.ResourceAttributes{Verb: p.verb, Resource: p.resource, Subresource: p.subresource}
			if p.namespaced {
				attrs.Namespace = ns
			}
			res, err := c.cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx,
				&authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{ResourceAttributes: attrs}}, metav1.CreateOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			allowed[i] = res.Status.Allowed
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return fmt.Errorf("cannot reach %s: %w", c.where, err)
		}
	}
	var missing []string
	for i, p := range perms {
		if !allowed[i] {
			missing = append(missing, p.String())
		}
	}
	if len(missing) > 0 {
		scope := "in namespace " + ns
		if ownNamespace {
			scope += " (which ducktape would create for the session: --kube-namespace names one of yours instead)"
		}
		return fmt.Errorf("the kubeconfig's user may not %s %s, on %s: see docs/clusters.md, \"Kubernetes nodes\", for the Role ducktape needs",
			strings.Join(missing, ", "), scope, c.where)
	}
	return nil
}
