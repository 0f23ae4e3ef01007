package starlib_test

import (
	"context"
	"fmt"
	"testing"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/starlib"
)

// benchScript runs body (which sees ctx and n) in a test's environment with
// n = b.N, and reports points per second. The loop and the interpreter are
// the same in every variant, so the differences are the calls'.
func benchScript(b *testing.B, body string) {
	env := starlib.NewEnv(starlib.Env{Series: series.NewSet()})
	tctx := &starlib.TestContext{TestID: "bench", TestName: "bench", Params: starlark.NewDict(0), Globals: starlark.NewDict(0), Env: env}
	predeclared := starlark.StringDict{"ctx": tctx, "n": starlark.MakeInt(b.N)}
	for k, v := range starlib.Predeclared() {
		predeclared[k] = v
	}
	src := fmt.Sprintf("def run():\n%s\nrun()\n", body)
	thread := env.Runtime.NewThread(context.Background(), "bench")
	env.Runtime.Lock()
	defer env.Runtime.Unlock()
	b.ResetTimer()
	if _, err := starlark.ExecFileOptions(starlib.FileOptions, thread, "bench.star", src, predeclared); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// BenchmarkStarlarkSeriesAdd is s.add(v) from a script: timestamped now.
func BenchmarkStarlarkSeriesAdd(b *testing.B) {
	benchScript(b, "    s = ctx.series(\"x\")\n    for i in range(n):\n        s.add(i)")
}

// BenchmarkStarlarkSeriesAddAt is s.add(v, t = ...) with a time the script
// took itself.
func BenchmarkStarlarkSeriesAddAt(b *testing.B) {
	benchScript(b, "    s = ctx.series(\"x\")\n    for i in range(n):\n        s.add(i, t = time.now())")
}

// BenchmarkStarlarkListAppend is the reference: the same loop appending to
// a list, the cheapest way a script can keep a value.
func BenchmarkStarlarkListAppend(b *testing.B) {
	benchScript(b, "    l = []\n    for i in range(n):\n        l.append(i)")
}

// BenchmarkStarlarkTimeNow is the other reference: the same loop reading
// the clock, as a script timing its own requests does.
func BenchmarkStarlarkTimeNow(b *testing.B) {
	benchScript(b, "    for i in range(n):\n        time.now()")
}

// BenchmarkStarlarkSeriesAdd4Threads is four threads of the test adding to
// one series at once (parallel), n points in all.
func BenchmarkStarlarkSeriesAdd4Threads(b *testing.B) {
	benchScript(b, "    s = ctx.series(\"x\")\n    def work(k):\n        for i in range(k):\n            s.add(i)\n    parallel(work, [n // 4, n // 4, n // 4, n - 3 * (n // 4)])\n    assert.eq(s.summary()[\"count\"], n)")
}
