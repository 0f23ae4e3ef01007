package trendsweb

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/ducktape-go/ducktape/host/compare"
	"github.com/ducktape-go/ducktape/host/trends"
)

// page is what every page shows: its title, the store, the style and the
// script, and the script's data (JSON).
type page struct {
	Title string
	Store string
	CSS   template.CSS
	JS    template.JS
	Data  template.JS
}

func (s *Server) page(title string, data any) page {
	if data == nil {
		data = map[string]any{}
	}
	// encoding/json escapes <, > and &, so nothing in the data can end
	// its <script> element.
	raw, err := json.Marshal(data)
	if err != nil {
		raw = []byte("{}")
	}
	return page{Title: title, Store: s.store.Location, CSS: style, JS: script, Data: template.JS(raw)}
}

// sessionView is a session with its links.
type sessionView struct {
	trends.Session
	Started         string
	Report, Results string // "" when its directory is not under the results root
}

func (s *Server) sessionView(t trends.Session) sessionView {
	v := sessionView{Session: t, Started: time.Unix(int64(t.StartTime), 0).Format("2006-01-02 15:04")}
	v.Report, v.Results = s.sessionLinks(t.Dir)
	return v
}

// strip is an outcome strip: a square per session of the window.
type strip struct {
	Width int
	Cells []stripCell
}

type stripCell struct {
	X                  int
	Class, Title, Link string
}

func (s *Server) strip(win []sessionView, outs []trends.Outcome) strip {
	st := strip{Width: 14*len(win) + 2}
	for i, o := range outs {
		class, word := string(o), string(o)
		if o == trends.OutcomeNone {
			class, word = "none", "did not run"
		}
		st.Cells = append(st.Cells, stripCell{X: 1 + 14*i, Class: class, Title: win[i].ID + ": " + word, Link: win[i].Report})
	}
	return st
}

func testLink(id string) string { return "/test?id=" + url.QueryEscape(id) }

// span names a window as the CLI does.
func span(win []trends.Session) string {
	if len(win) == 0 {
		return "no session"
	}
	return fmt.Sprintf("the last %d sessions (%s to %s)", len(win), win[0].ID, win[len(win)-1].ID)
}

func number(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sessions, err := s.store.Sessions(ctx, s.last)
	if err != nil {
		fail(w, err)
		return
	}
	runs, err := s.store.Runs(ctx, sessions, "")
	if err != nil {
		fail(w, err)
		return
	}
	points, err := s.store.Points(ctx, sessions, "")
	if err != nil {
		fail(w, err)
		return
	}
	flaky := trends.Flaky(sessions, runs)
	win := make([]sessionView, len(flaky.Sessions))
	for i, t := range flaky.Sessions {
		win[i] = s.sessionView(t)
	}
	type flakyRow struct {
		trends.FlakyTest
		Link, Rate string
		Flakies    int
		Strip      strip
	}
	type stepRow struct {
		trends.Step
		Link string
	}
	type regressionRow struct {
		TestID, Key, Link, Median, Band, Value, Change, Since string
	}
	data := struct {
		page
		Span, MinChange string
		Flaky           []flakyRow
		Steps           []stepRow
		Regressions     []regressionRow
		Sessions        []sessionView
	}{page: s.page("overview", nil), Span: span(flaky.Sessions), MinChange: fmt.Sprintf("%g%%", trends.DefaultMinChange*100)}
	for _, f := range flaky.Flaky {
		data.Flaky = append(data.Flaky, flakyRow{FlakyTest: f, Link: testLink(f.TestID), Rate: fmt.Sprintf("%.0f%%", f.Rate*100), Flakies: f.Flaky, Strip: s.strip(win, f.Outcomes)})
	}
	for _, st := range flaky.Steps {
		data.Steps = append(data.Steps, stepRow{Step: st, Link: testLink(st.TestID)})
	}
	for _, reg := range trends.Regressions(sessions, points, trends.Options{}) {
		change := "from 0"
		if reg.Change != nil {
			change = fmt.Sprintf("%+.1f%%", *reg.Change*100)
		}
		data.Regressions = append(data.Regressions, regressionRow{TestID: reg.TestID, Key: reg.Key, Link: testLink(reg.TestID),
			Median: number(reg.Median), Band: number(reg.Band), Value: number(reg.Value), Change: change, Since: reg.Since})
	}
	for _, t := range sessions {
		data.Sessions = append(data.Sessions, s.sessionView(t))
	}
	render(w, "overview", data)
}

// chart is one trend chart as trends.js draws it.
type chart struct {
	ID      string       `json:"id"`
	Title   string       `json:"title"`
	Unit    string       `json:"unit,omitempty"`
	Labels  []string     `json:"labels"`
	Points  [][2]float64 `json:"points"`
	Windows []window     `json:"windows"`
	Verdict string       `json:"-"`
}

type window struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Label string  `json:"label"`
}

// shortID is a session id as a chart's axis shows it: "12-01/001" for
// "2026-12-01--001".
var sessionIDParts = regexp.MustCompile(`^\d{4}-(\d{2}-\d{2})--(\d+)$`)

func shortID(id string) string {
	if m := sessionIDParts.FindStringSubmatch(id); m != nil {
		return m[1] + "/" + m[2]
	}
	return id
}

func newChart(n int, series trends.Series, labels []string, unit string, j *trends.Judgement) chart {
	c := chart{ID: fmt.Sprintf("chart-%d", n), Title: series.Key, Unit: unit, Labels: labels, Points: [][2]float64{}, Windows: []window{}}
	for _, p := range series.Points {
		c.Points = append(c.Points, [2]float64{float64(p.Session), p.Value})
	}
	if j != nil && j.Verdict != "" {
		c.Verdict = j.Verdict
		from := series.Points[j.Since].Session
		c.Windows = append(c.Windows, window{Start: float64(from) - 0.5, End: float64(series.Points[len(series.Points)-1].Session) + 0.5, Label: j.Verdict})
	}
	return c
}

func (s *Server) test(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.URL.Query().Get("id")
	if id == "" {
		fail(w, badRequest{"which test? /test?id=<test id>"})
		return
	}
	sessions, err := s.store.Sessions(ctx, s.last)
	if err != nil {
		fail(w, err)
		return
	}
	runs, err := s.store.Runs(ctx, sessions, id)
	if err != nil {
		fail(w, err)
		return
	}
	points, err := s.store.Points(ctx, sessions, id)
	if err != nil {
		fail(w, err)
		return
	}
	rep, found := trends.Test(id, sessions, runs, points, trends.Options{})
	if !found {
		http.Error(w, fmt.Sprintf("no test %q in the newest %d sessions", id, len(sessions)), http.StatusNotFound)
		return
	}
	type runRow struct {
		Session                  sessionView
		Status, RunTime, Summary string
	}
	data := struct {
		page
		TestID, Span, FirstFailure string
		Strip                      strip
		Runs                       []runRow
		Charts                     []chart
	}{TestID: id, FirstFailure: rep.FirstFailure}
	var win []trends.Session
	var views []sessionView
	var outs []trends.Outcome
	var labels []string
	for _, ts := range rep.Sessions {
		v := s.sessionView(ts.Session)
		win, views, outs, labels = append(win, ts.Session), append(views, v), append(outs, ts.Outcome), append(labels, shortID(ts.Session.ID))
		if len(ts.Runs) == 0 {
			data.Runs = append(data.Runs, runRow{Session: v})
		}
		for _, run := range ts.Runs {
			summary := run.Gist()
			data.Runs = append(data.Runs, runRow{Session: v, Status: run.Status, RunTime: fmt.Sprintf("%.2f s", run.RunTime), Summary: summary})
		}
	}
	data.Span, data.Strip = span(win), s.strip(views, outs)
	data.Charts = append(data.Charts, newChart(0, rep.RunTime, labels, "s", nil))
	for i, v := range rep.Values {
		data.Charts = append(data.Charts, newChart(i+1, v.Series, labels, "", &v.Judgement))
	}
	data.page = s.page(id, map[string]any{"charts": data.Charts})
	render(w, "test", data)
}

func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	sessions, err := s.store.Sessions(ctx, 200)
	if err != nil {
		fail(w, err)
		return
	}
	tolerance := q.Get("tolerance")
	if tolerance == "" {
		tolerance = "10%"
	}
	tol, err := compare.ParseTolerance(tolerance)
	if err != nil {
		fail(w, badRequest{err.Error()})
		return
	}
	key := func(name string, dflt int) (int64, error) {
		if v := q.Get(name); v != "" {
			k, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, badRequest{fmt.Sprintf("%s=%q: not a session", name, v)}
			}
			return k, nil
		}
		if dflt < len(sessions) {
			return sessions[dflt].Key, nil
		}
		return 0, nil
	}
	oldKey, err := key("old", 1)
	if err != nil {
		fail(w, err)
		return
	}
	newKey, err := key("new", 0)
	if err != nil {
		fail(w, err)
		return
	}
	type choice struct {
		Key      int64
		Label    string
		Old, New bool
	}
	type testView struct {
		ID, Statuses string
		Rows         []struct{ Key, Old, New, Change, Better, Verdict string }
	}
	type comparisonView struct {
		Verdict string
		Tests   []testView
		Only    []string
	}
	data := struct {
		page
		Choices    []choice
		Tolerance  string
		Comparison *comparisonView
	}{page: s.page("compare", nil), Tolerance: tolerance}
	for _, t := range sessions {
		data.Choices = append(data.Choices, choice{Key: t.Key, Label: t.ID + "  " + s.sessionView(t).Started, Old: t.Key == oldKey, New: t.Key == newKey})
	}
	if oldKey != 0 && newKey != 0 {
		old, err := s.store.CompareRun(ctx, oldKey)
		if err != nil {
			fail(w, badRequest{err.Error()})
			return
		}
		newer, err := s.store.CompareRun(ctx, newKey)
		if err != nil {
			fail(w, badRequest{err.Error()})
			return
		}
		c := compare.Compare(old, newer, compare.Options{Tolerance: tol})
		view := &comparisonView{Verdict: c.VerdictLine()}
		for _, t := range c.Tests {
			tv := testView{ID: t.ID, Statuses: t.OldStatus + " → " + t.NewStatus}
			for _, row := range t.Rows {
				cells := row.Cells()
				tv.Rows = append(tv.Rows, struct{ Key, Old, New, Change, Better, Verdict string }{row.Key, cells[0], cells[1], cells[2], cells[3], row.Verdict})
			}
			view.Tests = append(view.Tests, tv)
		}
		for _, id := range c.OnlyOld {
			view.Only = append(view.Only, "only in old: "+id)
		}
		for _, id := range c.OnlyNew {
			view.Only = append(view.Only, "only in new: "+id)
		}
		data.Comparison = view
	}
	render(w, "compare", data)
}
