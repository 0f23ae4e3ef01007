package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

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
