package series

import (
	"cmp"
	"math"
	"slices"
)

// Bucket aggregates the points of one time window: the window's start
// (Unix seconds), its width and the count, mean, min and max of its points.
type Bucket struct {
	T     float64 `json:"t"`
	Width float64 `json:"width"`
	Count int     `json:"count"`
	Mean  float64 `json:"mean"`
	Min   float64 `json:"min"`
	Max   float64 `json:"max"`
}

// Aggregate groups points into windows of width seconds (1: per second)
// aligned on Unix time (a point at t falls in the window starting at floor(t/width)*width)
// and returns the non-empty windows in time order. Width must be > 0.
func Aggregate(points []Point, width float64) []Bucket {
	if len(points) == 0 || !(width > 0) {
		return nil
	}
	sorted := slices.Clone(points)
	slices.SortFunc(sorted, func(a, b Point) int { return cmp.Compare(a.T, b.T) })
	var out []Bucket
	var sum float64
	for _, p := range sorted {
		start := math.Floor(p.Seconds()/width) * width
		if n := len(out); n == 0 || out[n-1].T != start {
			if n > 0 {
				out[n-1].Mean = sum / float64(out[n-1].Count)
			}
			out = append(out, Bucket{T: start, Width: width, Min: p.V, Max: p.V})
			sum = 0
		}
		b := &out[len(out)-1]
		b.Count++
		sum += p.V
		b.Min = math.Min(b.Min, p.V)
		b.Max = math.Max(b.Max, p.V)
	}
	out[len(out)-1].Mean = sum / float64(out[len(out)-1].Count)
	return out
}

// Plot returns at most max points to draw the series with, as [t, v] pairs
// in time order (t in Unix seconds): the points themselves when there are at
// most max of them, otherwise the means of windows of 1, 2, 4, ... seconds,
// the narrowest that gives at most max windows. Width is the window width
// used, 0 for the points themselves. Max must be > 0.
func Plot(points []Point, max int) (xy [][2]float64, width float64) {
	if len(points) <= max {
		sorted := slices.Clone(points)
		slices.SortStableFunc(sorted, func(a, b Point) int { return cmp.Compare(a.T, b.T) })
		xy = make([][2]float64, len(sorted))
		for i, p := range sorted {
			xy[i] = [2]float64{p.Seconds(), p.V}
		}
		return xy, 0
	}
	width = 1
	buckets := Aggregate(points, width)
	for len(buckets) > max {
		width *= 2
		buckets = Aggregate(points, width)
	}
	xy = make([][2]float64, len(buckets))
	for i, b := range buckets {
		xy[i] = [2]float64{b.T, b.Mean}
	}
	return xy, width
}
