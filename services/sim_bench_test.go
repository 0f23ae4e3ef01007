package services_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshsim"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/services"
)

// simSizes are the simulated cluster sizes of the growth table
// (docs/performance.md, "Many nodes").
var simSizes = []int{100, 1000, 5000}

// BenchmarkSimService runs testdata/bench_sim_fleet.star on simulated nodes
// (cluster/sshsim): a trivial Starlark service started and stopped on
// every node, b.N cycles. Metrics: start-ms and stop-ms per cycle (timed
// in Starlark), and driver CPU per node operation (cpu-ms/node-op, the
// runner's set-up and teardown included).
//
//	go test ./services -run '^$' -bench SimService -benchtime 3x
func BenchmarkSimService(b *testing.B) {
	for _, n := range simSizes {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			cl := simCluster(b, n)
			b.ResetTimer()
			cpu0 := sshsim.ProcessCPU()
			rep, _ := hosttest.RunFile(b, cl, "testdata/bench_sim_fleet.star", hosttest.Options{Parameters: map[string]any{"cycles": b.N}})
			cpu := sshsim.ProcessCPU() - cpu0
			var data struct {
				StartMs float64 `json:"start_ms"`
				StopMs  float64 `json:"stop_ms"`
			}
			if err := json.Unmarshal(rep.Results[0].Data, &data); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(data.StartMs, "start-ms")
			b.ReportMetric(data.StopMs, "stop-ms")
			b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(2*b.N*n), "cpu-ms/node-op")
		})
	}
}

// BenchmarkSimCollectLogs measures a services.Registry's teardown of one
// service on every simulated node: the log of each node (one line) is
// collected over SFTP into the results directory. Metrics: collect-ms, and
// the driver's CPU per node in it (cpu-ms/node).
//
//	go test ./services -run '^$' -bench SimCollectLogs -benchtime 3x
func BenchmarkSimCollectLogs(b *testing.B) {
	for _, n := range simSizes {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			cl := simCluster(b, n)
			b.ResetTimer()
			ctx := context.Background()
			start := func(ctx context.Context, _ int, node *cluster.Node) error {
				_, err := node.Account.SSH(ctx, "sleep 300 >> svc.log 2>&1 & echo $! > svc.pid", false)
				return err
			}
			stop := func(ctx context.Context, _ int, node *cluster.Node, _ bool) error {
				_, err := node.Account.SSH(ctx, "kill $(cat svc.pid)", false)
				return err
			}
			var collect, cpu time.Duration
			for range b.N {
				reg := services.NewRegistry(ctx)
				s, err := reg.New(services.Spec{
					Name: "trivial", Nodes: cl.Nodes(), Release: func([]*cluster.Node) {},
					Logs:  map[string]services.LogSpec{"log": {Path: "svc.log", CollectDefault: true}},
					Hooks: services.Hooks{Start: start, Stop: stop},
				})
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Start(ctx, false); err != nil {
					b.Fatal(err)
				}
				if err := s.Stop(ctx); err != nil {
					b.Fatal(err)
				}
				t, cpu0 := time.Now(), sshsim.ProcessCPU()
				if err := reg.Teardown(ctx, services.TeardownOptions{ResultsDir: b.TempDir()}); err != nil {
					b.Fatal(err)
				}
				collect += time.Since(t)
				cpu += sshsim.ProcessCPU() - cpu0
			}
			b.ReportMetric(float64(collect)/float64(time.Millisecond)/float64(b.N), "collect-ms")
			b.ReportMetric(float64(cpu)/float64(time.Millisecond)/float64(b.N*n), "cpu-ms/node")
		})
	}
}

// simCluster opens a cluster of n simulated nodes and connects to each
// (cluster/sim_bench_test.go measures the connections).
func simCluster(b *testing.B, n int) *cluster.Cluster {
	ns := sshsim.Start(b, n)
	cl, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cl.Close() })
	errs := make(chan error, n)
	for _, node := range cl.Nodes() {
		go func() { _, err := node.Account.SSH(context.Background(), "true", false); errs <- err }()
	}
	for range n {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	return cl
}
