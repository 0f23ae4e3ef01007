package cluster_test

import (
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster/sshsim"
)

// cpuMeter measures the CPU time this process (the driver) spends in a
// benchmark's loop, user and system, so that load from other processes
// (the sshd nodes, other work on the machine) does not count.
type cpuMeter struct {
	b     *testing.B
	start time.Duration
}

// startCPU resets the benchmark timer and starts measuring.
func startCPU(b *testing.B) *cpuMeter {
	b.ResetTimer()
	return &cpuMeter{b: b, start: sshsim.ProcessCPU()}
}

// report adds the driver's CPU per op as the metric "cpu-ms/op".
func (m *cpuMeter) report() {
	m.b.StopTimer()
	used := sshsim.ProcessCPU() - m.start
	m.b.ReportMetric(float64(used)/float64(time.Millisecond)/float64(m.b.N), "cpu-ms/op")
}
