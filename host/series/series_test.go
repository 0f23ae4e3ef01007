package series

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// at is a fixed time plus seconds, so tests never read the clock.
func at(seconds float64) time.Time {
	return time.Unix(1_800_000_000, 0).Add(time.Duration(seconds * float64(time.Second)))
}

func mustGet(t testing.TB, set *Set, name, unit string) *Series {
	t.Helper()
	s, err := set.Get(name, unit)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAdd(t testing.TB, s *Series, v, seconds float64) {
	t.Helper()
	if err := s.AddAt(v, at(seconds)); err != nil {
		t.Fatal(err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestSummaryIsExact(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values []float64
		want   Summary
	}{
		// 1..100: h = q*99, so p50 = 50.5, p90 = 90.1, p95 = 95.05, p99 = 99.01.
		{"1..100", seq(1, 100), Summary{Count: 100, Mean: 50.5, Min: 1, Max: 100, P50: 50.5, P90: 90.1, P95: 95.05, P99: 99.01}},
		{"one point", []float64{7}, Summary{Count: 1, Mean: 7, Min: 7, Max: 7, P50: 7, P90: 7, P95: 7, P99: 7}},
		// Two points: quantile q is 10 + q*10.
		{"two points", []float64{20, 10}, Summary{Count: 2, Mean: 15, Min: 10, Max: 20, P50: 15, P90: 19, P95: 19.5, P99: 19.9}},
		// 99 fast and one slow request: only p99 and max see the outlier.
		{"outlier", append(repeat(1, 99), 1000), Summary{Count: 100, Mean: 10.99, Min: 1, Max: 1000, P50: 1, P90: 1, P95: 1, P99: 1 + 0.01*999}},
		{"negative", []float64{-3, -1, -2}, Summary{Count: 3, Mean: -2, Min: -3, Max: -1, P50: -2, P90: -1.2, P95: -1.1, P99: -1.02}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustGet(t, NewSet(), "x", "")
			values := append([]float64(nil), tc.values...)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(values), func(i, j int) { values[i], values[j] = values[j], values[i] })
			for i, v := range values {
				mustAdd(t, s, v, float64(i))
			}
			got := s.Summary()
			g := []float64{got.Mean, got.Min, got.Max, got.P50, got.P90, got.P95, got.P99}
			w := []float64{tc.want.Mean, tc.want.Min, tc.want.Max, tc.want.P50, tc.want.P90, tc.want.P95, tc.want.P99}
			for i := range g {
				if got.Count != tc.want.Count || !near(g[i], w[i]) {
					t.Fatalf("summary = %+v, want %+v", got, tc.want)
				}
			}
		})
	}
}

func seq(from, to int) []float64 {
	var out []float64
	for i := from; i <= to; i++ {
		out = append(out, float64(i))
	}
	return out
}

func repeat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func TestEmptySummaryHasOnlyCount(t *testing.T) {
	data, err := json.Marshal(mustGet(t, NewSet(), "x", "").Summary())
	if err != nil || string(data) != `{"count":0}` {
		t.Errorf("empty summary = %s, %v; want {\"count\":0}", data, err)
	}
}

func TestSummaryJSONRoundTrips(t *testing.T) {
	want := Summary{Count: 3, Mean: 2, Min: 1, Max: 3, P50: 2, P90: 2.8, P95: 2.9, P99: 2.98}
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"p99":2.98`) {
		t.Errorf("summary JSON = %s, want lower-case keys", data)
	}
	var got Summary
	if err := json.Unmarshal(data, &got); err != nil || got != want {
		t.Errorf("round trip = %+v, %v; want %+v", got, err, want)
	}
}

// TestConcurrentAdds adds from many goroutines at once (run with -race):
// no point is lost and the summary sees them all.
func TestConcurrentAdds(t *testing.T) {
	set := NewSet()
	const workers, each = 8, 5000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := mustGet(t, set, "latency_ms", "ms") // every worker asks: the same series
			for i := range each {
				if err := s.Add(float64(w*each + i)); err != nil {
					t.Error(err)
					return
				}
				if i%1000 == 0 {
					s.Summary() // reading while others write
				}
			}
		}()
	}
	wg.Wait()
	all := set.All()
	if len(all) != 1 {
		t.Fatalf("set has %d series, want 1", len(all))
	}
	got := all[0].Summary()
	n := float64(workers * each)
	if got.Count != workers*each || got.Min != 0 || got.Max != n-1 || !near(got.Mean, (n-1)/2) {
		t.Errorf("summary = %+v, want count %v, min 0, max %v, mean %v", got, n, n-1, (n-1)/2)
	}
}

func TestSetNamesAndUnits(t *testing.T) {
	set := NewSet()
	a := mustGet(t, set, "latency_ms", "ms")
	if b := mustGet(t, set, "latency_ms", ""); b != a {
		t.Error("asking twice gave another series")
	}
	if _, err := set.Get("latency_ms", "s"); err == nil || !strings.Contains(err.Error(), `already has unit "ms"`) {
		t.Errorf("another unit: %v", err)
	}
	mustGet(t, set, "_ops2", "")
	for _, bad := range []string{"", "2fast", "a.b", "p 99", "lat-ms", "é"} {
		if _, err := set.Get(bad, ""); err == nil {
			t.Errorf("series name %q accepted", bad)
		}
	}
	if names := []string{set.All()[0].Name(), set.All()[1].Name()}; names[0] != "latency_ms" || names[1] != "_ops2" {
		t.Errorf("All() = %v, want creation order", names)
	}
	if sums := set.Summaries(); len(sums) != 2 || sums["_ops2"].Count != 0 {
		t.Errorf("Summaries() = %v", sums)
	}
}

func TestAddRejectsNonFinite(t *testing.T) {
	s := mustGet(t, NewSet(), "x", "")
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if err := s.Add(v); err == nil || !strings.Contains(err.Error(), "not a finite number") {
			t.Errorf("Add(%v) = %v", v, err)
		}
	}
	if n := len(s.Points()); n != 0 {
		t.Errorf("%d non-finite points recorded", n)
	}
}

func TestAggregate(t *testing.T) {
	s := mustGet(t, NewSet(), "x", "")
	for _, p := range [][2]float64{{13.0, 8}, {10.1, 1}, {11.2, 5}, {10.9, 3}} {
		mustAdd(t, s, p[1], p[0])
	}
	base := float64(at(0).Unix())
	got := Aggregate(s.Points(), 1)
	want := []Bucket{
		{T: base + 10, Width: 1, Count: 2, Mean: 2, Min: 1, Max: 3},
		{T: base + 11, Width: 1, Count: 1, Mean: 5, Min: 5, Max: 5},
		{T: base + 13, Width: 1, Count: 1, Mean: 8, Min: 8, Max: 8},
	}
	if len(got) != len(want) {
		t.Fatalf("Aggregate(1) = %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("bucket %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// 2-second windows are aligned on Unix time, which base is even in.
	if two := Aggregate(s.Points(), 2); len(two) != 2 || two[0].Count != 3 || two[0].Mean != 3 || two[1].T != base+12 {
		t.Errorf("Aggregate(2) = %+v", two)
	}
	if Aggregate(nil, 1) != nil || Aggregate(s.Points(), 0) != nil {
		t.Error("no points or no width should give no buckets")
	}
}

func TestPlot(t *testing.T) {
	s := mustGet(t, NewSet(), "x", "")
	for i := range 10 {
		mustAdd(t, s, float64(i), float64(9-i)*0.5) // added newest first, half a second apart
	}
	xy, width := Plot(s.Points(), 10)
	if width != 0 || len(xy) != 10 || xy[0][1] != 9 || xy[9][1] != 0 {
		t.Errorf("Plot(10) = %v, %v; want the 10 points in time order", xy, width)
	}
	// 10 points over 4.5 s: per-second windows give 5, 2-second ones 3.
	if xy, width = Plot(s.Points(), 5); width != 1 || len(xy) != 5 || xy[0][1] != 8.5 {
		t.Errorf("Plot(5) = %v, %v; want 5 per-second means", xy, width)
	}
	if xy, width = Plot(s.Points(), 3); width != 2 || len(xy) != 3 {
		t.Errorf("Plot(3) = %v, %v; want 3 two-second means", xy, width)
	}
}

func TestSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	set := NewSet()
	lat := mustGet(t, set, "latency_ms", "ms")
	mustAdd(t, lat, 1.5, 0.25)
	mustAdd(t, lat, 2, 1)
	mustGet(t, set, "empty", "")
	if err := set.Save(dir); err != nil {
		t.Fatal(err)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "series-latency_ms.csv"))
	if want := "time,value\n1800000000.250000,1.5\n1800000001.000000,2\n"; err != nil || string(csv) != want {
		t.Errorf("CSV = %q, %v; want %q", csv, err, want)
	}
	if csv, err := os.ReadFile(filepath.Join(dir, "series-empty.csv")); err != nil || string(csv) != "time,value\n" {
		t.Errorf("empty CSV = %q, %v", csv, err)
	}
	file, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(file.Series) != 2 {
		t.Fatalf("series.json has %d series, want 2", len(file.Series))
	}
	got := file.Series[0]
	if got.Name != "latency_ms" || got.Unit != "ms" || got.Summary != lat.Summary() || len(got.Points) != 2 || got.Points[0] != [2]float64{1_800_000_000.25, 1.5} {
		t.Errorf("saved %+v", got)
	}
	if file.Series[1].Summary.Count != 0 || len(file.Series[1].Points) != 0 {
		t.Errorf("saved empty series %+v", file.Series[1])
	}
}

func TestSaveWithoutSeriesWritesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := NewSet().Save(dir); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("an empty set wrote %v", entries)
	}
	if file, err := Load(dir); err != nil || len(file.Series) != 0 {
		t.Errorf("Load of a directory without series.json = %+v, %v", file, err)
	}
}
