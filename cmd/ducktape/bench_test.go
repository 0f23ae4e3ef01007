package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/check/txn/txntest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// BenchmarkSession200Tests measures a whole session of 200 trivial tests
// (20 files of 10) through the CLI: discovery, loading, the local cluster of
// 16 nodes, results directory, logs and reports rewritten after every test.
// The Python ducktape needs about 24 s for the same (120 ms a test).
func BenchmarkSession200Tests(b *testing.B) {
	dir := b.TempDir()
	var src strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&src, "def test_%d(ctx):\n    ctx.logger.info(\"test %%d\", %d)\n", i, i)
	}
	for f := 0; f < 20; f++ {
		hosttest.WriteFile(b, dir, fmt.Sprintf("suite/test_%02d.star", f), src.String())
	}
	results := filepath.Join(dir, "results")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code, out, errOut := runCLI(b, "--results-root", results, filepath.Join(dir, "suite"))
		if code != exitOK || !strings.Contains(out, "200 passed") {
			b.Fatalf("exit %d\n%s%s", code, out, errOut)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/200, "ms/test")
}

// BenchmarkCheckCommand measures ducktape check --workload list-append
// through the binary on a saved history.json of clean simulated
// list-append transactions (20 processes, 100 active keys, as
// host/check/txn's BenchmarkListAppend): wall time, CPU time and the
// process's peak RSS, reading the JSON included. Issue 21's bound: 100,000
// transactions in under 10 s and 1 GB. (A million would be a 650 MB file;
// the analysis alone is measured at that size by BenchmarkListAppend.)
func BenchmarkCheckCommand(b *testing.B) {
	bin := hosttest.BuildDucktape(b)
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("txns=%d", n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "history.json")
			h := txntest.Simulate(txntest.Config{Txns: n, Processes: 20, Keys: 100, MaxWrites: 32, Seed: 1})
			if err := h.Save(path); err != nil {
				b.Fatal(err)
			}
			var rssKB int64
			var cpu time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, "check", path, "--workload", "list-append")
				out, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(out), "PASS: no anomalies in") {
					b.Fatalf("%v\n%s", err, out)
				}
				u := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				rssKB = max(rssKB, u.Maxrss)
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(rssKB)/1024, "peak-RSS-MB")
		})
	}
}
