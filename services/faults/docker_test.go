package faults_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
)

// TestDockerNetworkFaults runs every fault on docker nodes, with the same
// checks as on netns nodes: each takes effect and heals, and a failing
// test leaves no rule, qdisc or stopped process.
func TestDockerNetworkFaults(t *testing.T) {
	cl := dockertest.Start(t, 4, docker.Options{})
	runNetworkFaults(t, cl, dockerNetem(cl.Nodes()[0]), dockerStopped)
}

// dockerNetem says why node n cannot delay packets (nil when it can): the
// engine's kernel may lack sch_netem.
func dockerNetem(n *cluster.Node) error {
	out, err := n.Account.Output(context.Background(), "tc qdisc add dev lo root handle d7ff: netem delay 1ms && tc qdisc del dev lo root handle d7ff:", cluster.OutputOptions{AllowFail: true, CombineStderr: true})
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		return fmt.Errorf("tc qdisc add ... netem: %s", strings.TrimSpace(out))
	}
	return nil
}

// dockerStopped lists the stopped processes of a docker node: the node has
// its own process table, so ps there sees exactly its processes.
func dockerStopped(t *testing.T, _ int, n *cluster.Node) []string {
	out, err := n.Account.Output(context.Background(), "ps -eo stat=,pid=,args=", cluster.OutputOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var stopped []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "T") {
			stopped = append(stopped, strings.TrimSpace(line))
		}
	}
	return stopped
}
