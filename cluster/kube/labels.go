package kube

import (
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
)

// Labels and annotations on everything the provider creates. A cluster's
// namespace (when it made one) and its pods carry labelManagedBy,
// labelSession (the cluster id) and labelDriver; its pods also labelNode
// (the node's name). The driver's exact "<hostname>:<pid>" (see
// cluster.DriverProcess) is the annotation annotDriver: a label value
// cannot hold every host name.
const (
	labelManagedBy = "app.kubernetes.io/managed-by"
	managedBy      = "ducktape"
	labelSession   = "ducktape/session"
	labelNode      = "ducktape/node"
	labelDriver    = "ducktape/driver"
	annotDriver    = "ducktape/driver"
	// labelPodSecurity is Pod Security admission's enforced level of a
	// namespace; NET_ADMIN needs "privileged".
	labelPodSecurity = "pod-security.kubernetes.io/enforce"
)

// managedSelector selects everything the provider made.
var managedSelector = labels.SelectorFromSet(labels.Set{labelManagedBy: managedBy}).String()

// sessionSelector selects what one cluster made.
func sessionSelector(id string) string {
	return labels.SelectorFromSet(labels.Set{labelManagedBy: managedBy, labelSession: id}).String()
}

// unsafeInLabel matches what a label value may not hold.
var unsafeInLabel = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// labelValue makes s a valid label value: at most 63 characters of
// [A-Za-z0-9_.-], starting and ending with a letter or digit.
func labelValue(s string) string {
	s = unsafeInLabel.ReplaceAllString(s, "_")
	if len(s) > 63 {
		s = s[len(s)-63:]
	}
	return strings.Trim(s, "_.-")
}
