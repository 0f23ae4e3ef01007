package starlib

import (
	"fmt"
	"math"
	"time"

	starlarktime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/host/threshold"
)

// performanceDomain is ctx.series and the series values it returns (see
// docs/performance-tests.md). The threshold mark is in marksDomain; its
// implementation, markThreshold, is here.
func performanceDomain() Domain {
	return Domain{Name: "performance", Page: "performance-tests.md", Builtins: []Builtin{
		onContext("series", "ctx.series(name, unit = \"\")", "The test's time series called name (created on first use; the same series every time): s.add(value, t = None), s.summary(). Saved in series.json, summarized into the test's data, charted in report.html.", contextSeries),
		attribute("series", "", "A time series of the test (ctx.series); safe to add to from any thread."),
		attribute("series.add", "series.add(value, t = None)", "Records a number at time t (time.now() by default; a time or Unix seconds)."),
		attribute("series.summary", "series.summary()", "A dict of count, mean, min, max, p50, p90, p95 and p99 (exact quantiles); only count while empty."),
		attribute("series.name", "", "The series' name."),
		attribute("series.unit", "", "The series' unit (\"\" when none was given)."),
	}}
}

// contextSeries is ctx.series(name, unit = "").
func contextSeries(thread *starlark.Thread, fn string, c *TestContext, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var name, unit string
	if err := starlark.UnpackArgs(fn, args, kwargs, "name", &name, "unit?", &unit); err != nil {
		return nil, err
	}
	if c.Env == nil || c.Env.Series == nil {
		return nil, fmt.Errorf("%s: only available in tests", fn)
	}
	s, err := c.Env.Series.Get(name, unit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return newSeriesValue(s), nil
}

// SeriesValue is a series of the test as scripts see it. It is immutable
// (the series behind it is safe for concurrent use), so threads may share
// it; its methods are made once, so that s.add costs no allocation of a
// builtin per call.
type SeriesValue struct {
	s            *series.Series
	add, summary *starlark.Builtin
}

var _ starlark.HasAttrs = (*SeriesValue)(nil)

func newSeriesValue(s *series.Series) *SeriesValue {
	v := &SeriesValue{s: s}
	v.add = starlark.NewBuiltin("series.add", v.addBuiltin)
	v.summary = starlark.NewBuiltin("series.summary", v.summaryBuiltin)
	return v
}

func (v *SeriesValue) String() string        { return fmt.Sprintf("<series %s>", v.s.Name()) }
func (v *SeriesValue) Type() string          { return "series" }
func (v *SeriesValue) Freeze()               {}
func (v *SeriesValue) Truth() starlark.Bool  { return true }
func (v *SeriesValue) Hash() (uint32, error) { return starlark.String(v.s.Name()).Hash() }
func (v *SeriesValue) AttrNames() []string   { return []string{"add", "name", "summary", "unit"} }

func (v *SeriesValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "add":
		return v.add, nil
	case "summary":
		return v.summary, nil
	case "name":
		return starlark.String(v.s.Name()), nil
	case "unit":
		return starlark.String(v.s.Unit()), nil
	}
	return nil, nil
}

// addBuiltin is s.add(value, t = None).
func (v *SeriesValue) addBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var value, at starlark.Value = nil, starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "value", &value, "t?", &at); err != nil {
		return nil, err
	}
	f, ok := starlark.AsFloat(value)
	if !ok {
		return nil, fmt.Errorf("%s: value must be a number, not %s", b.Name(), value.Type())
	}
	var err error
	switch t := at.(type) {
	case starlark.NoneType:
		err = v.s.Add(f)
	case starlarktime.Time:
		err = v.s.AddAt(f, time.Time(t))
	default:
		sec, ok := starlark.AsFloat(at)
		if !ok || math.IsNaN(sec) || math.IsInf(sec, 0) {
			return nil, fmt.Errorf("%s: t must be a time (time.now()) or Unix seconds, not %s", b.Name(), at.String())
		}
		err = v.s.AddAt(f, time.Unix(0, int64(sec*1e9)))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	return starlark.None, nil
}

// summaryBuiltin is s.summary(): a new dict, in the keys' usual order.
func (v *SeriesValue) summaryBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	sum := v.s.Summary()
	d := starlark.NewDict(8)
	d.SetKey(starlark.String("count"), starlark.MakeInt(sum.Count))
	if sum.Count > 0 {
		for _, kv := range []struct {
			k string
			v float64
		}{{"mean", sum.Mean}, {"min", sum.Min}, {"max", sum.Max}, {"p50", sum.P50}, {"p90", sum.P90}, {"p95", sum.P95}, {"p99", sum.P99}} {
			d.SetKey(starlark.String(kv.k), starlark.Float(kv.v))
		}
	}
	return d, nil
}

// markThreshold is threshold(test, expr, ...): each expression must parse.
func markThreshold(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error {
	if len(kwargs) > 0 {
		return fmt.Errorf("unexpected keyword argument %s", kwargs[0][0])
	}
	if len(args) == 0 {
		return fmt.Errorf("want at least one expression, such as \"latency_ms.p99 < 50\"")
	}
	for _, a := range args {
		s, ok := starlark.AsString(a)
		if !ok {
			return fmt.Errorf("an expression must be a string, not %s", a.Type())
		}
		e, err := threshold.Parse(s)
		if err != nil {
			return err
		}
		tm.Thresholds = append(tm.Thresholds, e)
	}
	return nil
}
