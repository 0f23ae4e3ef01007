package clients_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// benchPort is the Redis server's port on the docker node.
const benchPort = 6379

// BenchmarkRedisSADD is the throughput of five concurrent clients adding
// unique values to one Redis set on a docker node, every operation
// recorded in the test's history (ops/s: the rate the Starlark test
// measured around its loop): through the driver's Redis client, through
// one redis-cli command per operation on the node (what the examples did
// before the clients), and redis-benchmark -c 5 -t sadd run by the driver
// against the same server, the floor no client of the driver can beat.
// See docs/performance.md, "Clients".
func BenchmarkRedisSADD(b *testing.B) {
	cl, node := redisOnDocker(b)
	b.Run("starlark-clients", func(b *testing.B) { benchStarlark(b, cl, "test_sadd_clients", b.N) })
	b.Run("redis-cli-per-op", func(b *testing.B) { benchStarlark(b, cl, "test_sadd_redis_cli", b.N) })
	b.Run("redis-benchmark", func(b *testing.B) {
		out, err := exec.Command("redis-benchmark", "-h", node.Account.Info().ExternallyRoutableIP, "-p", strconv.Itoa(benchPort),
			"-c", "5", "-t", "sadd", "-n", strconv.Itoa(max(b.N, 5)), "-q").CombinedOutput()
		if err != nil {
			b.Skipf("redis-benchmark: %v\n%s", err, out)
		}
		m := regexp.MustCompile(`SADD: ([0-9.]+) requests per second`).FindSubmatch(out)
		if m == nil {
			b.Fatalf("redis-benchmark printed %q", out)
		}
		rate, _ := strconv.ParseFloat(string(m[1]), 64)
		b.ReportMetric(rate, "ops/s")
	})
}

// BenchmarkHistoryMemory is what recording a history of the clients'
// operations costs the driver: the peak of the heap in use while the
// five clients of BenchmarkRedisSADD run ops operations, above what it was
// before (MB-peak), and per operation (B/op-recorded). One iteration is a
// whole run.
func BenchmarkHistoryMemory(b *testing.B) {
	cl, _ := redisOnDocker(b)
	for _, ops := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("ops=%d", ops), func(b *testing.B) {
			var peak uint64
			for range b.N {
				peak = max(peak, peakHeap(func() { benchStarlark(b, cl, "test_sadd_clients", ops) }))
			}
			b.ReportMetric(float64(peak)/(1<<20), "MB-peak")
			b.ReportMetric(float64(peak)/float64(ops), "B/op-recorded")
		})
	}
}

// redisOnDocker starts a docker node running redis-server for the
// benchmark.
func redisOnDocker(b *testing.B) (*cluster.Cluster, *cluster.Node) {
	cl := dockertest.Start(b, 1, docker.Options{})
	node := cl.Nodes()[0]
	ip := node.Account.Info().ExternallyRoutableIP
	cmd := fmt.Sprintf("redis-server --daemonize yes --bind %s --port %d --protected-mode no --save '' --appendonly no --logfile redis.log && "+
		"for i in $(seq 100); do redis-cli -h %s -p %d ping > /dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1", ip, benchPort, ip, benchPort)
	if _, err := node.Account.SSH(context.Background(), cmd, false); err != nil {
		b.Fatal(err)
	}
	return cl, node
}

// benchStarlark runs the test name of testdata/bench.star with ops
// operations and reports the rate it measured.
func benchStarlark(b *testing.B, cl *cluster.Cluster, name string, ops int) {
	b.Helper()
	rep, _ := hosttest.Run(b, cl, []string{"testdata/bench.star::" + name},
		hosttest.Options{Parameters: map[string]any{"ops": ops, "port": benchPort}})
	res := rep.Results[0]
	var data struct {
		Rate float64 `json:"ops_per_sec"`
	}
	if err := json.Unmarshal(res.Data, &data); err != nil || res.TestStatus != "PASS" {
		log, _ := cl.Nodes()[0].Account.Output(context.Background(), "tail -20 redis.log", cluster.OutputOptions{AllowFail: true})
		b.Fatalf("%s: %s: %s\nredis.log:\n%s", name, res.TestStatus, res.Summary, log)
	}
	b.ReportMetric(data.Rate, "ops/s")
}

// peakHeap runs fn and returns the peak of the heap in use while it ran,
// above the heap in use before (sampled every 10 ms).
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > base && ms.HeapInuse-base > peak.Load() {
				peak.Store(ms.HeapInuse - base)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	return peak.Load()
}
