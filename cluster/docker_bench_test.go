package cluster_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// Benchmarks of docker nodes, each side by side with the same work on
// sshtest nodes (sshd on loopback) and, for commands, `docker exec`; see
// docs/performance.md ("Docker nodes") for figures and how to run them.

// BenchmarkDockerStart16: a 16-node docker cluster up (every node
// answering over SSH) and removed again, the image existing already; and,
// for reference, 16 containers of the same image started at once with
// `docker run -d --init` and removed with `docker rm -f`, which is the
// engine's own cost ("docker-run"); and the same with what a node's
// container has ("docker-run-alike": a network of their own made and
// removed, an address on it, NET_ADMIN, SYS_ADMIN and /dev/fuse), which
// is the engine's cost of the nodes' configuration. The three alternate,
// so that all see the same load; b.N is the number of times each runs.
// Metrics, per time: each one's seconds up, down and in all, and the
// ratios of ducktape's total to the two floors'.
//
//	go test ./cluster -run '^$' -bench DockerStart16 -benchtime 3x -count 4
func BenchmarkDockerStart16(b *testing.B) {
	dockertest.RequireEngine(b)
	image, err := docker.BuildImage(context.Background(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	alike := []string{"--cap-add", "NET_ADMIN", "--cap-add", "SYS_ADMIN", "--device", "/dev/fuse"}
	var up, down [3]time.Duration // ducktape, docker run, docker run alike
	for i := range b.N {
		start := time.Now()
		cl, err := docker.Open(context.Background(), docker.Options{Nodes: 16})
		if err != nil {
			b.Fatal(err)
		}
		up[0] += time.Since(start)
		start = time.Now()
		if err := cl.Close(); err != nil {
			b.Fatal(err)
		}
		down[0] += time.Since(start)

		for k, alikeRun := range []bool{false, true} {
			prefix := fmt.Sprintf("ducktape-bench-%d-%d-%d", os.Getpid(), i, k)
			start = time.Now()
			var opts []string
			if alikeRun {
				if err := command("docker", "network", "create", "--subnet", "10.254.254.0/24", prefix); err != nil {
					b.Fatal(err)
				}
				opts = append(alike, "--network", prefix)
			}
			names := make([]string, 16)
			parallel(b, 16, func(j int) error {
				names[j] = fmt.Sprintf("%s-%d", prefix, j)
				args := append([]string{"run", "-d", "--init", "--name", names[j]}, opts...)
				if alikeRun {
					args = append(args, "--ip", fmt.Sprintf("10.254.254.%d", j+2))
				}
				return command("docker", append(args, image, "sleep", "600")...)
			})
			up[k+1] += time.Since(start)
			start = time.Now()
			if err := command("docker", append([]string{"rm", "-f"}, names...)...); err != nil {
				b.Fatal(err)
			}
			if alikeRun {
				if err := command("docker", "network", "rm", prefix); err != nil {
					b.Fatal(err)
				}
			}
			down[k+1] += time.Since(start)
		}
	}
	sec := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	for k, name := range []string{"ducktape", "docker-run", "docker-run-alike"} {
		b.ReportMetric(sec(up[k]), name+"-up-s")
		b.ReportMetric(sec(down[k]), name+"-down-s")
		b.ReportMetric(sec(up[k]+down[k]), name+"-s")
	}
	b.ReportMetric(float64(up[0]+down[0])/float64(up[1]+down[1]), "ratio")
	b.ReportMetric(float64(up[0]+down[0])/float64(up[2]+down[2]), "ratio-alike")
}

// BenchmarkDockerSequential: one `true` after another on one node: a docker
// node, an SSH node, and `docker exec` into the docker node's container.
func BenchmarkDockerSequential(b *testing.B) {
	dockerNodes := dockertest.Start(b, 1, docker.Options{})
	container := dockertest.ClustersOf(b, os.Getpid())[0].Containers[0]
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"docker-node", trueOn(dockerNodes.Nodes()[0])},
		{"ssh-node", trueOn(openBench(b, sshtest.Start(b, 1)).Nodes()[0])},
		{"docker-exec", func() error { return command("docker", "exec", container, "true") }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tc.run() // connect
			b.ResetTimer()
			for range b.N {
				if err := tc.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// trueOn runs `true` on n through its account.
func trueOn(n *cluster.Node) func() error {
	return func() error { _, err := n.Account.SSH(context.Background(), "true", false); return err }
}

// BenchmarkDockerFanout8: one `true` on each of 8 nodes at once, docker
// nodes and SSH nodes.
func BenchmarkDockerFanout8(b *testing.B) {
	for _, tc := range []struct {
		name  string
		nodes func() []*cluster.Node
	}{
		{"docker-nodes", func() []*cluster.Node { return dockertest.Start(b, 8, docker.Options{}).Nodes() }},
		{"ssh-nodes", func() []*cluster.Node { return openBench(b, sshtest.Start(b, 8)).Nodes() }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			nodes := tc.nodes()
			fanout := func() { parallel(b, len(nodes), func(i int) error { return trueOn(nodes[i])() }) }
			fanout() // connect
			b.ResetTimer()
			for range b.N {
				fanout()
			}
		})
	}
}

// BenchmarkDockerCopy100MB: copy_to and copy_from of a 100 MB file on a
// docker node and on an SSH node.
func BenchmarkDockerCopy100MB(b *testing.B) {
	const size = 100 << 20
	dir := b.TempDir()
	src := benchFile(b, dir, size)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		node func() *cluster.Node
	}{
		{"docker-node", func() *cluster.Node { return dockertest.Start(b, 1, docker.Options{}).Nodes()[0] }},
		{"ssh-node", func() *cluster.Node { return openBench(b, sshtest.Start(b, 1)).Nodes()[0] }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			acct := tc.node().Account
			b.Cleanup(func() { acct.Remove(ctx, "dt-bench.bin", true) })
			b.Run("copy_to", func(b *testing.B) {
				b.SetBytes(size)
				for range b.N {
					if err := acct.CopyTo(ctx, src, "dt-bench.bin"); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("copy_from", func(b *testing.B) {
				b.SetBytes(size)
				for range b.N {
					if err := acct.CopyFrom(ctx, "dt-bench.bin", filepath.Join(dir, "back.bin")); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
