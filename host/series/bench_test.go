package series

import (
	"sync"
	"testing"
	"time"
)

// BenchmarkAdd is one worker adding points timestamped now.
func BenchmarkAdd(b *testing.B) {
	s := mustGet(b, NewSet(), "x", "")
	for i := 0; b.Loop(); i++ {
		s.Add(float64(i))
	}
}

// BenchmarkAddParallel is GOMAXPROCS workers adding to one series at once.
func BenchmarkAddParallel(b *testing.B) {
	s := mustGet(b, NewSet(), "x", "")
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			s.Add(float64(i))
		}
	})
}

// BenchmarkReferenceAppend is the floor Add is measured against: reading
// the clock and appending to a slice under a mutex nobody else takes.
func BenchmarkReferenceAppend(b *testing.B) {
	var mu sync.Mutex
	var points []Point
	for i := 0; b.Loop(); i++ {
		p := Point{T: time.Now().UnixNano(), V: float64(i)}
		mu.Lock()
		points = append(points, p)
		mu.Unlock()
	}
}

// BenchmarkSummarize100k summarizes 100,000 points (sorting a copy).
func BenchmarkSummarize100k(b *testing.B) {
	s := mustGet(b, NewSet(), "x", "")
	for i := range 100_000 {
		mustAdd(b, s, float64(i%977), float64(i)/1e5)
	}
	for b.Loop() {
		s.Summary()
	}
}
