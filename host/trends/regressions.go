package trends

import (
	"cmp"
	"math"
	"slices"

	"github.com/ducktape-go/ducktape/host/compare"
)

// How values are judged (docs/trends.md, "How regressions are judged"):
// the newest value of a test's key against a baseline of its earlier
// values in the window, their median and their median absolute deviation
// (MAD, a spread that one wild night does not inflate as a standard
// deviation would).
const (
	// madToSigma scales a MAD to a standard deviation's size for normally
	// distributed noise.
	madToSigma = 1.4826
	// DefaultSpread is how many robust standard deviations (madToSigma ×
	// MAD) a value may move the wrong way and still be noise.
	DefaultSpread = 3
	// DefaultMinChange is the least relative change (of the baseline's
	// median) ever judged, so that a baseline without noise does not make
	// every wobble a regression.
	DefaultMinChange = 0.05
	// MinBaseline is the fewest earlier values a value is judged against.
	MinBaseline = 3
)

// Verdicts of a judged value (as `ducktape compare`'s).
const (
	Regressed = compare.Regressed
	Improved  = compare.Improved
)

// Options tune the judgement; zero fields take the defaults.
type Options struct {
	Spread    float64 // DefaultSpread
	MinChange float64 // DefaultMinChange: 0.05 is 5%
}

func (o Options) withDefaults() Options {
	if o.Spread == 0 {
		o.Spread = DefaultSpread
	}
	if o.MinChange == 0 {
		o.MinChange = DefaultMinChange
	}
	return o
}

// Judgement is a series' newest value judged against its baseline.
type Judgement struct {
	// Verdict is Regressed, Improved, or "" (within its noise, a neutral
	// key, or too few earlier values: Baseline < MinBaseline).
	Verdict  string  `json:"verdict"`
	Value    float64 `json:"value"`
	Baseline int     `json:"baseline_sessions"` // earlier values judged against
	Median   float64 `json:"baseline_median"`
	MAD      float64 `json:"baseline_mad"`
	// Band is how far the value may move either way from the median and
	// still be noise: max(Spread × 1.4826 × MAD, MinChange × |median|).
	Band float64 `json:"band"`
	// Change is (value - median) / |median|; nil when the median is 0.
	Change *float64 `json:"change"`
	// Since is the index of the first of the newest values that are all
	// beyond the band on the same side as the judged one (the step's
	// start); the newest value's index when only it is.
	Since int `json:"-"`
}

// Judge judges the newest of values (one per session, oldest first)
// against the earlier ones.
func Judge(values []float64, better compare.Direction, opts Options) Judgement {
	opts = opts.withDefaults()
	n := len(values)
	if n == 0 {
		return Judgement{}
	}
	j := Judgement{Value: values[n-1], Baseline: n - 1, Since: n - 1}
	if j.Baseline < MinBaseline {
		return j
	}
	base := slices.Clone(values[:n-1])
	j.Median = median(base)
	for i, v := range base {
		base[i] = math.Abs(v - j.Median)
	}
	j.MAD = median(base)
	j.Band = max(opts.Spread*madToSigma*j.MAD, opts.MinChange*math.Abs(j.Median))
	delta := j.Value - j.Median
	if j.Median != 0 {
		change := delta / math.Abs(j.Median)
		j.Change = &change
	}
	if better == compare.Neutral || math.Abs(delta) <= j.Band*(1+1e-9) {
		return j
	}
	if (delta > 0) == (better == compare.HigherIsBetter) {
		j.Verdict = Improved
	} else {
		j.Verdict = Regressed
	}
	for j.Since > 0 {
		d := values[j.Since-1] - j.Median
		if math.Abs(d) <= j.Band*(1+1e-9) || (d > 0) != (delta > 0) {
			break
		}
		j.Since--
	}
	return j
}

// severity is how many bands beyond the median the value is.
func (j Judgement) severity() float64 {
	if j.Band == 0 {
		return math.Inf(1)
	}
	return math.Abs(j.Value-j.Median) / j.Band
}

// Regression is a value that moved the wrong way beyond its noise.
type Regression struct {
	TestID string            `json:"test_id"`
	Key    string            `json:"key"`
	Better compare.Direction `json:"direction"`
	// Session is the session of the judged (newest) value; Since the first
	// session of the step (Session when only the newest value is beyond).
	Session string `json:"session_id"`
	Since   string `json:"since_session_id"`
	Judgement
}

// Series is one key of one test over the window: at most one value per
// session (the median of a session's values, when the test ran several
// times in it).
type Series struct {
	TestID string            `json:"test_id"`
	Key    string            `json:"key"`
	Better compare.Direction `json:"direction"` // as the newest value's result has it
	Points []SeriesPoint     `json:"points"`    // oldest first
}

// SeriesPoint is a series' value in the session of index Session in the
// window.
type SeriesPoint struct {
	Session   int     `json:"-"`
	SessionID string  `json:"session_id"`
	Value     float64 `json:"value"`
}

// Values returns the series' values, oldest first.
func (s Series) Values() []float64 {
	vs := make([]float64, len(s.Points))
	for i, p := range s.Points {
		vs[i] = p.Value
	}
	return vs
}

// seriesOf groups points of sessions in the window into series, by test id
// then key.
func seriesOf(win []Session, index map[int64]int, points []Point) []Series {
	type id struct{ test, key string }
	type acc struct {
		perSession map[int][]float64
		better     compare.Direction
		newest     int
	}
	groups := map[id]*acc{}
	var order []id
	for _, p := range points {
		i, ok := index[p.Session]
		if !ok || math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			continue
		}
		k := id{p.TestID, p.Key}
		a := groups[k]
		if a == nil {
			a = &acc{perSession: map[int][]float64{}, newest: -1}
			groups[k] = a
			order = append(order, k)
		}
		a.perSession[i] = append(a.perSession[i], p.Value)
		if i >= a.newest {
			a.newest, a.better = i, p.Better
		}
	}
	slices.SortFunc(order, func(a, b id) int { return cmp.Or(cmp.Compare(a.test, b.test), cmp.Compare(a.key, b.key)) })
	out := make([]Series, 0, len(order))
	for _, k := range order {
		a := groups[k]
		s := Series{TestID: k.test, Key: k.key, Better: a.better}
		for i := range win {
			if vs, ok := a.perSession[i]; ok {
				s.Points = append(s.Points, SeriesPoint{Session: i, SessionID: win[i].ID, Value: median(vs)})
			}
		}
		out = append(out, s)
	}
	return out
}

// Regressions judges the newest value of every series in the window and
// returns those that regressed, the farthest beyond their band first.
func Regressions(sessions []Session, points []Point, opts Options) []Regression {
	win, index := window(sessions)
	out := []Regression{}
	for _, s := range seriesOf(win, index, points) {
		j := Judge(s.Values(), s.Better, opts)
		if j.Verdict != Regressed {
			continue
		}
		out = append(out, Regression{TestID: s.TestID, Key: s.Key, Better: s.Better,
			Session: s.Points[len(s.Points)-1].SessionID, Since: s.Points[j.Since].SessionID, Judgement: j})
	}
	slices.SortStableFunc(out, func(a, b Regression) int {
		return cmp.Or(cmp.Compare(b.severity(), a.severity()), cmp.Compare(a.TestID, b.TestID), cmp.Compare(a.Key, b.Key))
	})
	return out
}
