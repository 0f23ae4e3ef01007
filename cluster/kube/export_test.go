package kube

import "github.com/ducktape-go/ducktape/cluster"

// DriverSelector selects what this test process's sessions made.
var DriverSelector = labelDriver + "=" + labelValue(cluster.DriverProcess())
