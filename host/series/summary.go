package series

import (
	"encoding/json"
	"math"
	"slices"
)

// Summary is a series' count, mean, extremes and exact quantiles. An empty
// series has Count 0 and no other figure: its JSON form and Map hold only
// "count", so a threshold on its p99 fails as a missing key rather than
// passing against a made-up zero.
type Summary struct {
	Count              int
	Mean, Min, Max     float64
	P50, P90, P95, P99 float64
}

// Quantiles are the summary's quantiles with their keys.
var quantiles = []struct {
	key string
	q   float64
}{{"p50", 0.50}, {"p90", 0.90}, {"p95", 0.95}, {"p99", 0.99}}

// Summarize computes the summary of points. Quantiles are exact over the
// points, interpolated linearly between the two closest ranks (numpy's
// default, R's type 7): for n sorted values x[0..n-1], quantile q is
// x[h] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)]) with h = q*(n-1).
// The mean is computed with Kahan summation.
func Summarize(points []Point) Summary {
	n := len(points)
	if n == 0 {
		return Summary{}
	}
	values := make([]float64, n)
	var sum, carry float64
	for i, p := range points {
		values[i] = p.V
		y := p.V - carry
		t := sum + y
		carry = (t - sum) - y
		sum = t
	}
	slices.Sort(values)
	s := Summary{Count: n, Mean: sum / float64(n), Min: values[0], Max: values[n-1]}
	q := make([]float64, len(quantiles))
	for i, k := range quantiles {
		q[i] = quantile(values, k.q)
	}
	s.P50, s.P90, s.P95, s.P99 = q[0], q[1], q[2], q[3]
	return s
}

// quantile returns quantile q of the sorted, non-empty values.
func quantile(sorted []float64, q float64) float64 {
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// Map returns the summary as the test's data holds it: "count" and, for a
// non-empty series, "mean", "min", "max", "p50", "p90", "p95", "p99".
func (s Summary) Map() map[string]any {
	m := map[string]any{"count": s.Count}
	if s.Count == 0 {
		return m
	}
	m["mean"], m["min"], m["max"] = s.Mean, s.Min, s.Max
	for i, v := range []float64{s.P50, s.P90, s.P95, s.P99} {
		m[quantiles[i].key] = v
	}
	return m
}

// MarshalJSON writes Map.
func (s Summary) MarshalJSON() ([]byte, error) { return json.Marshal(s.Map()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Summary) UnmarshalJSON(data []byte) error {
	var m struct {
		Count              int
		Mean, Min, Max     float64
		P50, P90, P95, P99 float64
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*s = Summary(m)
	return nil
}
