package services_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services"
)

// TestSharedNodesNeedDistinctLogPaths checks which log paths of two
// services on one node clash: the same path, one inside the other's
// directory; and that services on other nodes, or freed, never clash.
func TestSharedNodesNeedDistinctLogPaths(t *testing.T) {
	n1, n2 := &cluster.Node{Name: "n1"}, &cluster.Node{Name: "n2"}
	logs := func(path string) map[string]services.LogSpec { return map[string]services.LogSpec{"log": {Path: path}} }
	for _, tc := range []struct {
		first, second string
		nodes         []*cluster.Node
		want          string // "" when the second may be created
	}{
		{"a/out.log", "a/out.log", []*cluster.Node{n1}, "second-1 cannot share n1 with first-1: its log log (a/out.log) is first-1's log log (a/out.log)"},
		{"a/out.log", "./a//out.log", []*cluster.Node{n2, n1}, "is first-1's log"},
		{"a", "a/out.log", []*cluster.Node{n1}, "(a/out.log) lies inside first-1's log log (a)"},
		{"a/b/c.log", "a/b", []*cluster.Node{n1}, "(a/b) holds first-1's log log (a/b/c.log)"},
		{"/var/log/a", "/var/log/a/x", []*cluster.Node{n1}, "lies inside"},
		{"a/out.log", "b/out.log", []*cluster.Node{n1}, ""},
		{"ab/out.log", "a", []*cluster.Node{n1}, ""},
		{"a/out.log", "a/out.log", []*cluster.Node{n2}, ""}, // not on the same node
	} {
		reg := services.NewRegistry(context.Background())
		if _, err := reg.New(services.Spec{Name: "first", Nodes: []*cluster.Node{n1}, Logs: logs(tc.first)}); err != nil {
			t.Fatal(err)
		}
		_, err := reg.New(services.Spec{Name: "second", Nodes: tc.nodes, Logs: logs(tc.second)})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s beside %s: %v, want no clash", tc.second, tc.first, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s beside %s: %v, want an error containing %q", tc.second, tc.first, err, tc.want)
		}
	}
	// A freed service's logs no longer count.
	reg := services.NewRegistry(context.Background())
	first, err := reg.New(services.Spec{Name: "first", Nodes: []*cluster.Node{n1}, Logs: logs("a"), Release: func([]*cluster.Node) {}})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Free(); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.New(services.Spec{Name: "second", Nodes: []*cluster.Node{n1}, Logs: logs("a")}); err != nil {
		t.Errorf("beside a freed service: %v", err)
	}
}
