package services_test

import (
	"encoding/json"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// BenchmarkProcessServiceCycle measures start() then stop() of a 3-node
// std process_service, from Starlark, on sshd nodes (when sshtest can
// start them) and on local nodes. The ms/cycle metric is measured inside
// the test, without the runner's set-up.
//
//	go test ./services -run '^$' -bench ProcessServiceCycle -benchtime 200x
func BenchmarkProcessServiceCycle(b *testing.B) { benchOnBothClusters(b, "testdata/bench_cycle.star") }

// BenchmarkCycleFloor measures what a cycle cannot go below on the same
// nodes: three rounds of a no-op command on 3 nodes at once.
func BenchmarkCycleFloor(b *testing.B) { benchOnBothClusters(b, "testdata/bench_floor.star") }

func benchOnBothClusters(b *testing.B, file string) {
	b.Run("ssh", func(b *testing.B) { benchCycles(b, sshCluster(b, 3), file) })
	b.Run("local", func(b *testing.B) { benchCycles(b, hosttest.LocalCluster(b, 3), file) })
}

func benchCycles(b *testing.B, cl *cluster.Cluster, file string) {
	rep, _ := hosttest.RunFile(b, cl, file, hosttest.Options{Parameters: map[string]any{"cycles": b.N}})
	var data struct {
		MsPerCycle float64 `json:"ms_per_cycle"`
	}
	if err := json.Unmarshal(rep.Results[0].Data, &data); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(data.MsPerCycle, "ms/cycle")
}
