// Package kube is the kubernetes cluster provider: each node is a pod of a
// real Kubernetes cluster, a host of its own (hostname, address, file
// system, process table and network namespace, with NET_ADMIN), so faults,
// kills and partitions act between pods as between machines.
//
// The cluster is the one the kubeconfig names (KUBECONFIG, else
// ~/.kube/config; Options.Context picks a context), reached with
// k8s.io/client-go. Opening a cluster checks the permissions the provider
// needs (a SelfSubjectAccessReview each) before it creates anything, then
// creates a namespace for the session (or uses Options.Namespace) and one
// pod per node, and waits until every pod runs: a pod that cannot start
// (an image the cluster lacks, a crash, no room to schedule it) fails the
// open with the pod's name, its state and its last events.
//
// Nodes are reached through the API server, never by address: a command
// is an exec in the pod (WebSocket first; SPDY only when the upgrade to
// WebSocket failed, so a command never runs twice), its exit status taken
// from the executor's exit error. A cancelled command's process group is
// killed by a second exec (runc makes every exec'd process a session
// leader). Files go through exec too: stat, find, cat and friends of the
// node image, each given its paths as arguments (nothing is quoted into a
// script). See account.go and fs.go.
//
// Every object the provider creates carries the labels of labels.go;
// closing the cluster deletes the pods and the namespace it created, and
// [Prune] deletes what a killed driver left. A command on a pod that was
// deleted, evicted or has stopped fails with a [DeadNodeError] naming the
// pod, why it stopped and its last events.
//
// The default image is the docker provider's (built from the driver's own
// Debian packages, see package docker), which the cluster's container
// runtime must already have: pods use it with imagePullPolicy Never.
package kube
