package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
)

// DeadNodeError is a kubernetes node whose pod is gone or has stopped: it
// was deleted, evicted, or its container ended.
type DeadNodeError struct {
	Node   string
	Pod    string // namespace/name
	State  string // in words: "was deleted", "was evicted: The node was low on resource: memory."
	Events string // the pod's last events, one a line
	Reason error  // what the command got
}

func (e *DeadNodeError) Error() string {
	msg := fmt.Sprintf("node %s died: its pod %s %s", e.Node, e.Pod, e.State)
	if e.Events != "" {
		msg += "; its last events:\n" + e.Events
	}
	return msg
}

func (e *DeadNodeError) Unwrap() error { return e.Reason }

// diagnose turns a command's failure into a DeadNodeError when the node's
// pod is gone or stopping. A command killed by a signal (status 128+n) is
// checked too: when its pod is deleted the runtime kills it, and the
// stream ends with that status rather than an error. A cancelled ctx is
// not a dead node.
func (a *account) diagnose(ctx context.Context, status int, err error) (int, error) {
	if (err == nil && status < 128) || ctx.Err() != nil {
		return status, err
	}
	// The test's context may be nearly spent: the API gets its own.
	ictx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	state := a.kc.podState(ictx, a.pod)
	if state == "" {
		return status, err
	}
	if err == nil {
		err = fmt.Errorf("the command was killed (exit status %d)", status)
	}
	return -1, &DeadNodeError{Node: a.node, Pod: a.kc.ns + "/" + a.pod, State: state, Events: a.kc.lastEvents(ictx, a.pod, 5), Reason: err}
}

// podState says in words why a pod is not running, or "" when it runs (or
// its state cannot be read).
func (kc *kubeCluster) podState(ctx context.Context, name string) string {
	pod, err := kc.c.cs.CoreV1().Pods(kc.ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "was deleted"
	}
	if err != nil {
		return ""
	}
	return describePod(pod)
}

// describePod says in words why a pod is not running, or "" when it runs.
func describePod(pod *corev1.Pod) string {
	why := func(reason, message string) string { return strings.Join(nonEmpty(reason, message), ": ") }
	switch {
	case pod.Status.Reason == "Evicted":
		return "was evicted: " + pod.Status.Message
	case pod.DeletionTimestamp != nil:
		return "is being deleted"
	case pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded:
		s := "has stopped (phase " + string(pod.Status.Phase) + ")"
		if w := why(pod.Status.Reason, pod.Status.Message); w != "" {
			s += ": " + w
		}
		return s + containerStates(pod)
	}
	for _, st := range pod.Status.ContainerStatuses {
		if t := st.State.Terminated; t != nil {
			return fmt.Sprintf("has stopped: its container exited with status %d (%s)", t.ExitCode, why(t.Reason, t.Message))
		}
	}
	return ""
}

// containerStates describes the pod's containers that are not running.
func containerStates(pod *corev1.Pod) string {
	var parts []string
	for _, st := range pod.Status.ContainerStatuses {
		switch {
		case st.State.Terminated != nil:
			t := st.State.Terminated
			parts = append(parts, fmt.Sprintf("container %s exited with status %d (%s)", st.Name, t.ExitCode, strings.Join(nonEmpty(t.Reason, t.Message), ": ")))
		case st.State.Waiting != nil:
			w := st.State.Waiting
			parts = append(parts, fmt.Sprintf("container %s is waiting: %s", st.Name, strings.Join(nonEmpty(w.Reason, w.Message), ": ")))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, "; ")
}

func nonEmpty(list ...string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// lastEvents returns the last n events of a pod, oldest first, one a line
// ("  12:03:04 Warning Evicted: The node was low on resource: memory."),
// or "" when there are none or they cannot be read.
func (kc *kubeCluster) lastEvents(ctx context.Context, pod string, n int) string {
	list, err := kc.c.cs.CoreV1().Events(kc.ns).List(ctx, metav1.ListOptions{
		FieldSelector: fields.SelectorFromSet(fields.Set{"involvedObject.name": pod, "involvedObject.kind": "Pod"}).String(),
	})
	if err != nil || len(list.Items) == 0 {
		return ""
	}
	events := list.Items
	at := func(e corev1.Event) time.Time {
		switch {
		case !e.LastTimestamp.IsZero():
			return e.LastTimestamp.Time
		case !e.EventTime.IsZero():
			return e.EventTime.Time
		}
		return e.CreationTimestamp.Time
	}
	sort.SliceStable(events, func(i, j int) bool { return at(events[i]).Before(at(events[j])) })
	if len(events) > n {
		events = events[len(events)-n:]
	}
	lines := make([]string, len(events))
	for i, e := range events {
		lines[i] = fmt.Sprintf("  %s %s %s: %s", at(e).Format("15:04:05"), e.Type, e.Reason, strings.TrimSpace(e.Message))
	}
	return strings.Join(lines, "\n")
}
