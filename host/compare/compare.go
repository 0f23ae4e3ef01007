package compare

import (
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
)

// Comparison is two runs side by side.
type Comparison struct {
	Old       string           `json:"old"` // the report.json paths
	New       string           `json:"new"`
	OldID     string           `json:"old_session_id"`
	NewID     string           `json:"new_session_id"`
	Tolerance float64          `json:"tolerance"` // relative: 0.1 is 10%
	Tests     []TestComparison `json:"tests"`
	OnlyOld   []string         `json:"only_old"` // test ids in one run only, not compared
	OnlyNew   []string         `json:"only_new"`
	// Regressions counts the rows whose verdict is Regressed.
	Regressions int `json:"regressions"`
}

// TestComparison is one test id present in both runs.
type TestComparison struct {
	ID        string `json:"test_id"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
	Rows      []Row  `json:"rows"`
}

// Verdicts of a row.
const (
	Regressed = "regressed" // moved the wrong way by more than the tolerance
	Improved  = "improved"  // moved the right way by more than the tolerance
)

// Row is one key of a test. Old or New is nil when the key is in one run
// only. Change is (new-old)/|old|, nil when either is missing or old is 0
// and new is not (an infinite change). Verdict is Regressed, Improved or "".
type Row struct {
	Key       string    `json:"key"`
	Old       *float64  `json:"old"`
	New       *float64  `json:"new"`
	Change    *float64  `json:"change"`
	Direction Direction `json:"direction"`
	Verdict   string    `json:"verdict"`
}

// Options say what Compare judges.
type Options struct {
	// Tolerance is how far (relative: 0.1 is 10%) a value may move the
	// wrong way before it regressed.
	Tolerance float64
	// Keys, when not empty, are the only keys compared: path.Match
	// patterns over dotted keys ("*.p50", "latency_ms.*", "*_per_sec.mean").
	// CheckKeys validates them.
	Keys []string
}

// CheckKeys returns an error for the first malformed pattern of keys.
func CheckKeys(keys []string) error {
	for _, k := range keys {
		if _, err := path.Match(k, ""); err != nil {
			return fmt.Errorf("key pattern %q: %w", k, err)
		}
	}
	return nil
}

func (o Options) wants(key string) bool {
	if len(o.Keys) == 0 {
		return true
	}
	for _, k := range o.Keys {
		if ok, _ := path.Match(k, key); ok {
			return true
		}
	}
	return false
}

// Compare matches the runs' tests by id and compares every key of each
// pair that opts wants. A change exactly at the tolerance is within it; the
// direction of a key comes from a threshold on it in the new run, else the
// old one, else DirectionOf.
func Compare(old, new *Run, opts Options) *Comparison {
	tolerance := opts.Tolerance
	c := &Comparison{Old: old.Path, New: new.Path, OldID: old.SessionID, NewID: new.SessionID, Tolerance: tolerance,
		Tests: []TestComparison{}, OnlyOld: []string{}, OnlyNew: []string{}}
	newByID := map[string]Test{}
	for _, t := range new.Tests {
		newByID[t.ID] = t
	}
	oldIDs := map[string]bool{}
	for _, o := range old.Tests {
		oldIDs[o.ID] = true
		n, ok := newByID[o.ID]
		if !ok {
			c.OnlyOld = append(c.OnlyOld, o.ID)
			continue
		}
		tc := TestComparison{ID: o.ID, OldStatus: o.Status, NewStatus: n.Status, Rows: []Row{}}
		for _, k := range keys(o.Values, n.Values) {
			if !opts.wants(k) {
				continue
			}
			row := compareKey(k, o, n, tolerance)
			if row.Verdict == Regressed {
				c.Regressions++
			}
			tc.Rows = append(tc.Rows, row)
		}
		c.Tests = append(c.Tests, tc)
	}
	for _, n := range new.Tests {
		if !oldIDs[n.ID] {
			c.OnlyNew = append(c.OnlyNew, n.ID)
		}
	}
	return c
}

func compareKey(key string, o, n Test, tolerance float64) Row {
	row := Row{Key: key, Direction: o.Direction(key)}
	if _, ok := n.Thresholds[key]; ok {
		row.Direction = n.Direction(key)
	}
	ov, inOld := o.Values[key]
	nv, inNew := n.Values[key]
	if inOld {
		row.Old = &ov
	}
	if inNew {
		row.New = &nv
	}
	if !inOld || !inNew {
		return row
	}
	var change float64
	switch {
	case ov != 0:
		change = (nv - ov) / math.Abs(ov)
		if !math.IsInf(change, 0) { // an overflow: no finite change to show
			row.Change = &change
		}
	case nv == 0:
		row.Change = &change
	default:
		change = math.Copysign(math.Inf(1), nv) // from 0: beyond any tolerance
	}
	if row.Direction == Neutral || math.Abs(change) <= tolerance*(1+1e-9) {
		return row
	}
	if (change > 0) == (row.Direction == HigherIsBetter) {
		row.Verdict = Improved
	} else {
		row.Verdict = Regressed
	}
	return row
}

// ParseTolerance reads a tolerance such as "10%" or "10" (both ten per
// cent) as a fraction (0.1). It must be a finite number >= 0.
func ParseTolerance(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("tolerance %q: want a percentage such as 10%%", s)
	}
	return f / 100, nil
}
