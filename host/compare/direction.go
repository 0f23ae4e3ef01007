package compare

import (
	"strings"

	"github.com/ducktape-go/ducktape/host/threshold"
)

// Direction says which way a value should move.
type Direction string

const (
	Neutral        Direction = ""       // no better way: the change is shown, never judged
	LowerIsBetter  Direction = "lower"  // latencies, durations
	HigherIsBetter Direction = "higher" // throughputs, rates
)

func directionOfThreshold(e *threshold.Expr) Direction {
	switch {
	case e.LowerIsBetter():
		return LowerIsBetter
	case e.HigherIsBetter():
		return HigherIsBetter
	}
	return Neutral
}

// Direction is the direction of key in t: the one a threshold on it
// implies, else DirectionOf(key).
func (t Test) Direction(key string) Direction {
	if d, ok := t.Thresholds[key]; ok {
		return d
	}
	return DirectionOf(key)
}

// DirectionOf guesses a key's direction from its name, segment by segment
// from the last: a segment ending in _ms, _us or _ns, or containing
// "latency", means lower is better; one ending in _per_sec or _per_second,
// or containing "throughput", higher is better. A series summary's "count"
// (the number of points) is neutral whatever the series is called.
func DirectionOf(key string) Direction {
	parts := strings.Split(strings.ToLower(key), ".")
	if len(parts) > 1 && parts[len(parts)-1] == "count" {
		return Neutral
	}
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		switch {
		case hasAnySuffix(p, "_ms", "_us", "_ns") || strings.Contains(p, "latency"):
			return LowerIsBetter
		case hasAnySuffix(p, "_per_sec", "_per_second") || strings.Contains(p, "throughput"):
			return HigherIsBetter
		}
	}
	return Neutral
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, suf := range suffixes {
		if strings.HasSuffix(s, suf) {
			return true
		}
	}
	return false
}
