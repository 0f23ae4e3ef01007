package txn

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/check/txn/txntest"
)

// BenchmarkListAppend measures check.list_append's analysis against
// history size: clean (strictly serializable) simulated histories of 20
// processes running transactions of 1-4 micro-ops over 100 active keys,
// each key retired after 32 appends (Elle's generator), at 10,000, 100,000
// and 1,000,000 transactions. Besides time per check it reports
// transactions checked per second and the check's peak heap above the
// history's own (sampled every millisecond). Reference: porcupine's figures
// in host/check's BenchmarkLinearizable, run in the same go test command
// (docs/performance.md, "Transactions").
func BenchmarkListAppend(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("txns=%d", n), func(b *testing.B) {
			h := txntest.Simulate(txntest.Config{Txns: n, Processes: 20, Keys: 100, MaxWrites: 32, Seed: 1})
			runtime.GC()
			base := heapBytes()
			peak := sampleHeap()
			cpu0 := cpuTime()
			for b.Loop() {
				res, err := ListAppend(context.Background(), h, Options{})
				if err != nil || !res.OK {
					b.Fatal(err, res.Summary)
				}
			}
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "txns/s")
			b.ReportMetric(float64(peak()-base)/(1<<20), "peak-heap-MB")
		})
	}
}

// cpuTime is the CPU time (user and system) the process has used: on a
// shared machine, what a check costs whatever else runs.
func cpuTime() time.Duration {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// sampleHeap samples the heap every millisecond until the returned
// function is called, which returns the most seen.
func sampleHeap() func() uint64 {
	var mu sync.Mutex
	most := heapBytes()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				h := heapBytes()
				mu.Lock()
				most = max(most, h)
				mu.Unlock()
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return most
	}
}
