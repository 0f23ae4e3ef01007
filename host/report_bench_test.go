package host_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host"
)

// BenchmarkReportWrites adds 1,000, 10,000 and 100,000 results to a
// session's Report, 10 every millisecond (a session of trivial tests),
// and reports what writing the report files cost per result: the bytes
// the process wrote (wchar of /proc/self/io) and the CPU time it spent
// (the writer goroutine's included; the pacing sleeps). Both stay flat as
// the session grows: the writer spaces its rewrites by their duration
// (docs/design.md, "Report"). B-final/result, the size of the final
// files per result, is the least any writer writes.
func BenchmarkReportWrites(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("results=%d", n), func(b *testing.B) {
			var written, final int64
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				dir := b.TempDir()
				r := host.NewReport(host.Version, "2026-12-01--001", dir, time.Now())
				before, cpuBefore := wchar(b), cpuTime()
				next := time.Now()
				for k := 0; k < n; k++ {
					if k%10 == 0 {
						time.Sleep(time.Until(next))
						next = next.Add(time.Millisecond)
					}
					res := &host.Result{TestID: fmt.Sprintf(`suite/test_t.star::test_t@{"a":%d,"b":%d}`, k/1000, k%1000),
						ModuleName: "suite/test_t.star", FunctionName: "test_t", InjectedArgs: map[string]any{"a": k / 1000, "b": k % 1000},
						TestStatus: host.StatusPass, StartTime: 1, StopTime: 1.001, RunTimeSeconds: 0.001, NodesAllocated: 1, NodesUsed: 0,
						Services: []any{}, Nodes: []string{"local1"}, ResultsDir: fmt.Sprintf("suite/test_t.star/test_t/a=%d.b=%d/1", k/1000, k%1000)}
					if err := r.Add(res); err != nil {
						b.Fatal(err)
					}
				}
				if err := r.Finish(time.Now()); err != nil {
					b.Fatal(err)
				}
				written += wchar(b) - before
				cpu += cpuTime() - cpuBefore
				for _, name := range []string{"report.json", "report.txt", "report.xml", "report.html"} {
					info, err := os.Stat(filepath.Join(dir, name))
					if err != nil {
						b.Fatal(err)
					}
					final += info.Size()
				}
			}
			b.ReportMetric(float64(written)/float64(b.N*n), "B-written/result")
			// The reference: what the final files hold per result.
			b.ReportMetric(float64(final)/float64(b.N*n), "B-final/result")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*n), "CPU-µs/result")
		})
	}
}

// wchar returns how many bytes this process has written so far.
func wchar(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Skipf("no /proc/self/io: %v", err)
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("wchar: ")); ok {
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no wchar in /proc/self/io")
	return 0
}

// cpuTime returns the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
