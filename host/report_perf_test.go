package host

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/chromiumtest"
	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/host/threshold"
	"github.com/ducktape-go/ducktape/services/faults"
)

// TestChartInChromium draws ducktapeChart on a page of its own, as any
// report page would use it, moves the pointer over it and checks the DOM:
// the lines, the shaded windows and the hover read-out.
func TestChartInChromium(t *testing.T) {
	page := `<!DOCTYPE html><html><body><div id="out"></div><script>` + mustAsset("report_html/chart.js") + `</script><script>
var out = document.getElementById("out");
var one = ducktapeChart({title: "latency_ms", unit: "ms", t0: 100,
  lines: [{name: "latency_ms", points: [[100, 1], [101, 4], [102, 2], [103, 8]]}],
  windows: [{start: 101.5, end: 102.5, label: "partition #1 <b>"}, {start: 102.8, end: null, label: "pause #2"}]});
out.appendChild(one);
var two = ducktapeChart({title: "ops", lines: [{name: "ok", points: [[0, 5], [1, 6]]}, {name: "fail", points: [[0, 1], [1, 0]]}], windows: []});
out.appendChild(two);
out.appendChild(ducktapeChart({title: "empty", lines: [{name: "x", points: []}]}));
var bars = ducktapeChart({title: "ops", t0: 200, windows: [{start: 201, end: 201, kind: "kill", label: "kill #3 on n1"}],
  bars: {start: 200, step: 2, stacks: [{name: "ok", values: [3, 0, 5]}, {name: "fail", values: [1, 0, 0]}]}});
bars.id = "bars";
out.appendChild(bars);
// The pointer at t = 101.1 (the plot spans x 58..706 for t 100..103).
var overlay = one.querySelector(".overlay"), box = one.querySelector("svg").getBoundingClientRect();
overlay.dispatchEvent(new MouseEvent("mousemove", {clientX: box.left + 58 + 648 * 1.1 / 3, clientY: box.top + 50, bubbles: true}));
</script></body></html>`
	file := filepath.Join(t.TempDir(), "chart.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := chromiumtest.DOM(t, file)
	if n := strings.Count(dom, `<figure class="chart">`); n != 3 {
		t.Errorf("%d line charts drawn, want 3", n)
	}
	// The bar mode: a stacked bar per interval that counted anything, each
	// with its counts, the kill a thin mark, and no hover overlay.
	i := strings.Index(dom, `<figure class="chart bars" id="bars">`)
	if i < 0 {
		t.Fatal("the bar chart was not drawn")
	}
	barDOM := dom[i:]
	for _, want := range []string{
		`<g class="bucket"><title>+0 s: 3 ok, 1 fail</title><rect class="ok"`,
		`<g class="bucket"><title>+4 s: 5 ok, 0 fail</title><rect class="ok"`,
		`<g class="window kill"><title>kill #3 on n1: +1 s</title><rect x="166" y="12" width="2"`,
	} {
		if !strings.Contains(barDOM, want) {
			t.Errorf("the bar chart lacks %s", want)
		}
	}
	if strings.Contains(barDOM, "+2 s: 0 ok") || strings.Count(barDOM, `<rect class="`) != 3+1 || strings.Contains(barDOM, `class="overlay"`) {
		t.Error("the bar chart draws an empty interval, the wrong bars (3 counts, and its frame), or a hover overlay")
	}
	m := regexp.MustCompile(`<polyline class="line line-0" points="([^"]*)" data-name="latency_ms">`).FindStringSubmatch(dom)
	if m == nil || len(strings.Fields(m[1])) != 4 {
		t.Errorf("latency_ms line: %v, want 4 points", m)
	}
	if n := strings.Count(dom, `<circle class="dot line-0"`); n != 4+2+2 {
		t.Errorf("%d line-0 dots, want 8 (the 4 and 2 points of the first lines of the two charts, and their hover dots)", n)
	}
	if !strings.Contains(dom, `data-name="ok"`) || !strings.Contains(dom, `data-name="fail"`) || !strings.Contains(dom, `<div class="legend">`) {
		t.Error("the two-line chart lacks a line or its legend")
	}
	for _, want := range []string{
		`<title>partition #1 &lt;b&gt;: +1.5 s to +2.5 s</title>`, // escaped, relative to t0
		`<title>pause #2: +2.8 s to the end</title>`,
		`<figcaption>latency_ms (ms)</figcaption>`,
		`<p class="muted">No points.</p>`,
		// The read-out shows the nearest point, t = 101 (value 4).
		`<g class="readout" visibility="visible"`, `<tspan x="8" dy="14">+1 s</tspan><tspan x="8" dy="14">4 ms</tspan>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the chart page lacks %s", want)
		}
	}
	if n := strings.Count(dom, `<g class="window">`); n != 2 {
		t.Errorf("%d shaded windows, want 2", n)
	}
}

// perfReport is a session with a performance test: two series (one long
// enough to be drawn from per-second means), a fault and thresholds.
func perfReport(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	start := time.Unix(1_800_000_000, 0)
	r := NewReport("0.1.0", "2026-12-01--001", dir, start)
	set := series.NewSet()
	lat, _ := set.Get("latency_ms", "ms")
	ops, _ := set.Get("ops_per_sec", "")
	for i := range 3000 { // 3000 points over 30 s: drawn as 30 per-second means
		if err := lat.AddAt(float64(i%7), start.Add(time.Duration(i)*10*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		if err := ops.AddAt(1000+float64(i), start.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	heal := unixSeconds(start) + 20
	p99, limit := 6.0, 5.0
	res := &Result{
		TestID: "perf/test_load.star::test_load", ModuleName: "perf/test_load.star", FunctionName: "test_load",
		TestStatus: StatusFail, Summary: "threshold latency_ms.p99 < 5: latency_ms.p99 is 6, want < 5",
		StartTime: unixSeconds(start), StopTime: unixSeconds(start) + 30, RunTimeSeconds: 30, Nodes: []string{"local1"},
		Faults: []faults.Record{{ID: 1, Kind: "partition", Nodes: []string{"local1"}, InjectTime: unixSeconds(start) + 10, HealTime: &heal}},
		Series: PlotSeries(set),
		Data:   []byte(`{"latency_ms":{"count":3000,"p99":6},"result":{"bytes":10,"name":"x","ok":true}}`),
		Thresholds: []threshold.Verdict{
			{Expr: "latency_ms.p99 < 5", OK: false, Actual: &p99, Limit: limit, Message: "latency_ms.p99 is 6, want < 5"},
			{Expr: "ops_per_sec.mean >= 1000", OK: true, Actual: new(1014.5), Limit: 1000},
			{Expr: "result.byts > 0", OK: false, Limit: 0, Message: `result.byts: no key "byts" in result`},
		},
	}
	if err := r.Add(res); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(&Result{TestID: "perf/test_load.star::test_plain", TestStatus: StatusPass, StartTime: unixSeconds(start), StopTime: unixSeconds(start) + 1}); err != nil {
		t.Fatal(err)
	}
	if err := r.Finish(start.Add(31 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPlotSeries(t *testing.T) {
	set := series.NewSet()
	s, _ := set.Get("x", "ms")
	start := time.Unix(1_800_000_000, 0)
	for i := range maxPlotPoints + 1 {
		if err := s.AddAt(1, start.Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	plots := PlotSeries(set)
	if len(plots) != 1 || plots[0].Count != maxPlotPoints+1 || plots[0].Width != 1 || len(plots[0].Points) != 2 || plots[0].Unit != "ms" {
		t.Errorf("PlotSeries = %+v, want per-second means of %d points in 1.001 s", plots, maxPlotPoints+1)
	}
}

// TestHTMLDrawsSeriesAndThresholds renders a session with a performance
// test in Chromium: a chart per series with the fault shaded, and the
// thresholds listed with their verdicts.
func TestHTMLDrawsSeriesAndThresholds(t *testing.T) {
	dom := chromiumtest.DOM(t, filepath.Join(perfReport(t), "report.html"))
	if n := strings.Count(dom, `<figure class="chart">`); n != 2 {
		t.Errorf("%d charts, want 2 (one per series)", n)
	}
	for _, want := range []string{
		`<figcaption>latency_ms (mean per 1 s, of 3000 points) (ms)</figcaption>`,
		`<figcaption>ops_per_sec</figcaption>`,
		`<title>partition #1 on local1: +10 s to +20 s</title>`,
		`<section id="performance">`, `<section id="thresholds">`,
		`<tr class="threshold FAIL"><td><span class="badge FAIL">FAIL</span></td><td class="test"><a href="#case-0" class="case-link">perf/test_load.star::test_load</a></td><td><code>latency_ms.p99 &lt; 5</code></td><td class="num">6</td><td class="num">5</td><td class="message">latency_ms.p99 is 6, want &lt; 5</td></tr>`,
		`<code>ops_per_sec.mean &gt;= 1000</code></td><td class="num">1014.5</td>`,
		`<code>result.byts &gt; 0</code></td><td class="num"></td><td class="num">0</td><td class="message">result.byts: no key "byts" in result</td>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	if n := strings.Count(dom, `<g class="window partition">`); n != 2 {
		t.Errorf("%d shaded windows, want 2 (the fault on each chart)", n)
	}
	m := regexp.MustCompile(`data-name="latency_ms"`).FindAllString(dom, -1)
	pts := regexp.MustCompile(`<polyline class="line line-0" points="([^"]*)" data-name="latency_ms">`).FindStringSubmatch(dom)
	if len(m) != 1 || pts == nil || len(strings.Fields(pts[1])) != 30 {
		t.Errorf("latency_ms is drawn %d times with %v, want once from 30 means", len(m), pts)
	}
	if strings.Contains(dom, `id="series-1"`) {
		t.Error("the test without series has a chart group")
	}
}

// TestJUnitDataProperties checks that the numbers of a test's data, series
// summaries included, are properties of its file's testsuite.
func TestJUnitDataProperties(t *testing.T) {
	doc := parseJUnit(t, perfReport(t))
	var got []string
	for _, p := range doc.Suites[0].Properties.Property {
		got = append(got, p.Name+"="+p.Value)
	}
	want := "test_load: latency_ms.count=3000 test_load: latency_ms.p99=6 test_load: result.bytes=10"
	if strings.Join(got, " ") != want {
		t.Errorf("properties %q, want %q", got, want)
	}
	if _, dir := sampleReport(t); parseJUnit(t, dir).Suites[2].Properties != nil {
		t.Error("a testsuite whose cases have no data has properties")
	}
}

// A session without series or thresholds keeps both sections hidden.
func TestHTMLHidesEmptyPerformanceSections(t *testing.T) {
	_, dir := sampleReport(t)
	dom := chromiumtest.DOM(t, filepath.Join(dir, "report.html"))
	for _, want := range []string{`<section id="thresholds" hidden="">`, `<section id="performance" hidden="">`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
}
