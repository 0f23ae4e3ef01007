//go:build tools

// Package kubebuild pins the Kubernetes programs .ci/kube builds: the API
// server and kubelet of k8s.io/kubernetes,
// and etcd (./etcd). It is a module of its own so that the project's go.mod
// never requires k8s.io/kubernetes.
package kubebuild

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
