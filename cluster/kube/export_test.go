package kube

import "github.com/ducktape-go/ducktape/cluster"

// DriverSelector selects what this test process's sessions made.
var DriverSelector = labelDriver + "=" + labelValue(cluster.DriverProcess())

// WithRoute returns a view of node n (of a kubernetes cluster) whose
// services are dialled by route r, whatever the cluster chose.
func WithRoute(n *cluster.Node, r cluster.Route) *cluster.Node {
	a := *n.Account.Account().(*account)
	a.route = r
	view := *n
	view.Account = cluster.NewRemoteAccount(n.Name, &a)
	return &view
}
