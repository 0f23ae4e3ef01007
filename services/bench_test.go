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
func BenchmarkProcessServiceCycle(b *testing.B) {
	b.Run("ssh", func(b *testing.B) { benchCycles(b, sshCluster(b, 3)) })
	b.Run("local", func(b *testing.B) {
		cl, err := cluster.NewLocal(3)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { cl.Close() })
		benchCycles(b, cl)
	})
}

func benchCycles(b *testing.B, cl *cluster.Cluster) {
	rep, _ := hosttest.RunFile(b, cl, "testdata/bench_cycle.star", hosttest.Options{Parameters: map[string]any{"cycles": b.N}})
	var data struct {
		MsPerCycle float64 `json:"ms_per_cycle"`
	}
	if err := json.Unmarshal(rep.Results[0].Data, &data); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(data.MsPerCycle, "ms/cycle")
}
