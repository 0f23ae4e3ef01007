package host_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

// The growth benchmarks run the built ducktape binary as a user does and
// report what a session costs as it grows: wall time, the peak RSS of the
// process (VmHWM, from its rusage) and the size of its results directory.
// docs/performance.md has their table; reproduce it with
//
//	go test ./host -run '^$' -bench Growth -benchtime 1x -timeout 60m

// BenchmarkGrowthCases runs sessions of 1,000, 10,000 and 100,000 trivial
// cases (a 10x100, 100x100 and 100x1000 matrix of a test that passes at
// once, on one node of the local cluster).
func BenchmarkGrowthCases(b *testing.B) {
	bin := hosttest.BuildDucktape(b)
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("cases=%d", n), func(b *testing.B) {
			src := fmt.Sprintf("def test_t(ctx, a, b):\n    pass\ncluster(test_t, num_nodes = 1)\nmatrix(test_t, a = list(range(%d)), b = list(range(%d)))\n", n/min(n/10, 1000), min(n/10, 1000))
			runGrowth(b, bin, n, src)
		})
	}
}

// BenchmarkGrowthNodes runs 1,000 tests that each run `true` on one node,
// 200 at once on a local cluster of 200 nodes.
func BenchmarkGrowthNodes(b *testing.B) {
	bin := hosttest.BuildDucktape(b)
	src := "def test_t(ctx, i):\n    ctx.cluster[0].account.ssh(\"true\")\ncluster(test_t, num_nodes = 1)\nmatrix(test_t, i = list(range(1000)))\n"
	runGrowth(b, bin, 1000, src, "--local-nodes", "200", "--max-parallel", "200")
}

// runGrowth runs the session of test file src (n cases) b.N times with
// the extra flags, and reports its figures per session and per case.
func runGrowth(b *testing.B, bin string, n int, src string, flags ...string) {
	dir := hosttest.WriteTree(b, map[string]string{"test_growth.star": src})
	var wall time.Duration
	var rssKB int64
	var size int64
	for i := 0; i < b.N; i++ {
		results := filepath.Join(b.TempDir(), "results")
		cmd := exec.Command(bin, append([]string{"--results-root", results, "test_growth.star"}, flags...)...)
		cmd.Dir = dir
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ducktape: %v\n%s", err, tail(out))
		}
		wall += time.Since(start)
		rssKB = max(rssKB, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
		size = diskUsage(b, results)
		if got := countReports(b, results); got != n {
			b.Fatalf("%d case report.json files, want %d", got, n)
		}
	}
	b.ReportMetric(wall.Seconds()/float64(b.N), "s/session")
	b.ReportMetric(float64(rssKB)/1024, "peak-RSS-MB")
	b.ReportMetric(float64(size)/(1<<20), "results-MB")
	b.ReportMetric(float64(wall.Microseconds())/float64(b.N*n), "µs/case")
	b.ReportMetric(float64(rssKB)*1024/float64(n), "peak-RSS-B/case")
}

// diskUsage is what du says of dir: the blocks of everything in it.
func diskUsage(b *testing.B, dir string) int64 {
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			total += st.Blocks * 512
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return total
}

// countReports counts the cases' report.json files of the latest session.
func countReports(b *testing.B, results string) int {
	n := 0
	session, err := os.Readlink(filepath.Join(results, "latest"))
	if err != nil {
		b.Fatal(err)
	}
	filepath.WalkDir(filepath.Join(results, session), func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "report.json" && filepath.Dir(path) != filepath.Join(results, session) {
			n++
		}
		return err
	})
	return n
}

func tail(out []byte) []byte { return out[max(len(out)-2000, 0):] }
