// Package series records a test's time series (latency per request,
// operations per second, ...) and summarizes them.
//
// A Series stores every point it is given, so its summary's quantiles are
// exact (see Summarize); a point costs 16 bytes. A Set holds a test's series
// by name. Both are safe for concurrent use by any number of goroutines.
package series

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Point is one value at one time (Unix nanoseconds).
type Point struct {
	T int64
	V float64
}

// Seconds returns the point's time in Unix seconds, rounded to the
// microsecond (a float64 holds Unix microseconds exactly, not nanoseconds).
func (p Point) Seconds() float64 { return float64(p.T/1000) / 1e6 }

// Series is a named time series. Add and AddAt are safe from any goroutine;
// the points keep the order in which they were added, which is not
// necessarily the order of their times.
type Series struct {
	name, unit string

	mu     sync.Mutex
	points []Point
}

// Name returns the series' name, unique in its Set.
func (s *Series) Name() string { return s.name }

// Unit returns the series' unit ("" when none was given).
func (s *Series) Unit() string { return s.unit }

// Add records v at the current time; see AddAt.
func (s *Series) Add(v float64) error { return s.AddAt(v, time.Now()) }

// AddAt records v at time t. A NaN or infinite v is an error (JSON, the
// summaries and the charts have no place for it) and is not recorded.
func (s *Series) AddAt(v float64, t time.Time) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("series %s: %v is not a finite number", s.name, v)
	}
	p := Point{T: t.UnixNano(), V: v}
	s.mu.Lock()
	s.points = append(s.points, p)
	s.mu.Unlock()
	return nil
}

// Points returns a copy of the points in the order they were added.
func (s *Series) Points() []Point {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.points)
}

// Summary summarizes the points recorded so far.
func (s *Series) Summary() Summary { return Summarize(s.Points()) }

// Set is a test's series by name. It is safe for concurrent use.
type Set struct {
	mu     sync.Mutex
	byName map[string]*Series
	order  []*Series // in the order they were first asked for
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{byName: map[string]*Series{}} }

// Get returns the series called name, creating it with unit on first use.
// Asking again returns the same series; a second, different non-empty unit
// is an error. A name is a letter or "_" followed by letters, digits and
// "_", so that it can be a key of a threshold ("latency_ms.p99 < 50") and
// of the test's data.
func (set *Set) Get(name, unit string) (*Series, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	set.mu.Lock()
	defer set.mu.Unlock()
	if s, ok := set.byName[name]; ok {
		if unit != "" && unit != s.unit {
			return nil, fmt.Errorf("series %q already has unit %q, not %q", name, s.unit, unit)
		}
		return s, nil
	}
	s := &Series{name: name, unit: unit}
	set.byName[name] = s
	set.order = append(set.order, s)
	return s, nil
}

// All returns the series in the order they were first asked for.
func (set *Set) All() []*Series {
	set.mu.Lock()
	defer set.mu.Unlock()
	return slices.Clone(set.order)
}

// Summaries returns every series' summary by name.
func (set *Set) Summaries() map[string]Summary {
	out := map[string]Summary{}
	for _, s := range set.All() {
		out[s.Name()] = s.Summary()
	}
	return out
}

// CheckName returns an error unless name is a valid series name (see Get).
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("a series name must not be empty")
	}
	for i, r := range name {
		letter := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || r < '0' || r > '9') {
			return fmt.Errorf("series name %q: want a letter or _ followed by letters, digits and _", name)
		}
	}
	return nil
}
