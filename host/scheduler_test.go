package host

import (
	"context"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
)

// fakeNodes makes a cluster of nodes typed as given (no accounts: the
// scheduler never touches them).
func fakeCluster(types ...string) *cluster.Cluster {
	nodes := make([]*cluster.Node, len(types))
	for i, t := range types {
		nodes[i] = &cluster.Node{Name: string(rune('a' + i)), OS: "linux", NodeType: t}
	}
	return cluster.New(nodes, nil)
}

// schedulerOn returns a scheduler whose launches are recorded, not run.
func schedulerOn(cl *cluster.Cluster, maxParallel int) (*scheduler, *[]string) {
	s := newScheduler(&Runner{Cluster: cl, MaxParallel: maxParallel}, context.Background(), context.Background())
	var started []string
	s.launch = func(j *job, index int, nodes []*cluster.Node) { started = append(started, j.c.Test.Name) }
	return s, &started
}

func testJob(name string, specs ...cluster.NodeSpec) *job {
	return &job{c: &Case{Test: &Test{File: "f.star", Name: name}}, specs: specs}
}

func TestSchedulerLargestFirst(t *testing.T) {
	s, started := schedulerOn(fakeCluster("", "", "", ""), 4)
	s.add(testJob("one", cluster.AnyNodes(1)...))
	s.add(testJob("three", cluster.AnyNodes(3)...))
	s.add(testJob("two", cluster.AnyNodes(2)...))
	s.add(testJob("one-b", cluster.AnyNodes(1)...))
	s.startReady()
	// three fits first, then "two" does not (1 node left) but "one" does;
	// "one-b" waits.
	if got := join(*started); got != "three one" {
		t.Errorf("started %q", got)
	}
	if s.pending[0].c.Test.Name != "two" || s.pending[0].bypassed != 1 {
		t.Errorf("first in line: %s bypassed %d", s.pending[0].c.Test.Name, s.pending[0].bypassed)
	}
}

// A job that does not fit is passed over by at most MaxParallel smaller
// ones; then the scheduler holds freed nodes for it.
func TestSchedulerDoesNotStarveLargeJobs(t *testing.T) {
	cl := fakeCluster("", "", "", "")
	s, started := schedulerOn(cl, 2)
	held, _ := cl.Alloc(cluster.AnyNodes(2)) // a running job holds two nodes
	big := testJob("big", cluster.AnyNodes(3)...)
	s.add(big)
	for i := 0; i < 6; i++ {
		s.add(testJob("small", cluster.AnyNodes(1)...))
	}
	round := func() string {
		s.running = 0
		*started = nil
		s.startReady()
		return join(*started)
	}
	if got := round(); got != "small small" || big.bypassed != 2 {
		t.Fatalf("round 1: started %q, big bypassed %d", got, big.bypassed)
	}
	cl.Free(cl.Nodes()[2:]) // the two small ones end
	if got := round(); got != "" {
		t.Fatalf("round 2: started %q; once big was passed over MaxParallel times, nothing else may start", got)
	}
	cl.Free(held) // the running job ends
	if got := round(); got != "big small" {
		t.Fatalf("round 3: started %q, want big first", got)
	}
}

func TestSchedulerTypedNodes(t *testing.T) {
	cl := fakeCluster("large", "small", "small")
	s, started := schedulerOn(cl, 3)
	s.add(testJob("two-large", cluster.NodeSpec{NodeType: "large"}, cluster.NodeSpec{NodeType: "large"}))
	s.add(testJob("large", cluster.NodeSpec{NodeType: "large"}))
	s.add(testJob("any", cluster.NodeSpec{}))
	s.add(testJob("small", cluster.NodeSpec{NodeType: "small"}))
	s.startReady()
	// two-large can never fit (Runner.precheck fails it before it is
	// queued); here it simply waits. The typed ones take the right nodes.
	if got := join(*started); got != "large any small" {
		t.Errorf("started %q", got)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
