package host_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// BenchmarkParallel8x1s runs 8 tests that each sleep 1 s on their node, on 8
// local nodes with MaxParallel 8: the session's wall time shows how well
// tests overlap (ideal: 1 s).
func BenchmarkParallel8x1s(b *testing.B) {
	var src strings.Builder
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&src, "def test_%d(ctx):\n    ctx.cluster[0].account.ssh(\"sleep 1\")\ncluster(test_%d, num_nodes = 1)\n", i, i)
	}
	root := hosttest.WriteTree(b, map[string]string{"test_p.star": src.String()})
	cl := hosttest.LocalCluster(b, 8)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		session, err := host.CreateSession(b.TempDir(), time.Now())
		if err != nil {
			b.Fatal(err)
		}
		report := host.NewReport(host.Version, session.ID, session.Dir, session.Start)
		r := &host.Runner{Cluster: cl, Session: session, Report: report, Globals: starlark.NewDict(0), MaxParallel: 8}
		suite, err := host.Discover(newLoader(), []string{root}, host.DiscoverOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Run(context.Background(), context.Background(), suite); err != nil || report.NumPassed != 8 {
			b.Fatalf("passed %d: %v", report.NumPassed, err)
		}
		session.Log.Close()
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/session")
}

// BenchmarkCollect5000Cases loads a file whose matrix marks expand to 5,000
// cases, and selects them (what --collect-only does).
func BenchmarkCollect5000Cases(b *testing.B) {
	var src strings.Builder
	for t := 0; t < 5; t++ {
		// 10 × 10 × 10 = 1,000 cases per test.
		fmt.Fprintf(&src, "def test_%d(ctx, a, b, c):\n    pass\nmatrix(test_%d, a = list(range(10)), b = [\"x%%d\" %% i for i in range(10)], c = [i * 0.5 for i in range(10)])\n", t, t)
	}
	root := hosttest.WriteTree(b, map[string]string{"test_many.star": src.String()})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		suite, err := host.Discover(newLoader(), []string{filepath.Join(root, "test_many.star")}, host.DiscoverOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(suite.Cases) != 5000 {
			b.Fatalf("%d cases", len(suite.Cases))
		}
	}
}
