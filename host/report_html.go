package host

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"os"
	"path/filepath"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/threshold"
	"github.com/ducktape-go/ducktape/services/faults"
)

// The report.html template and the CSS and JavaScript inlined into it, so
// the file needs nothing else (no CDN, no fonts, no network).
//
// chart.js is the one chart drawer (ducktapeChart: line series, or stacked
// bars per interval, with fault windows), loaded before the sections that
// use it: history.js (with history.css) draws the Histories section, checks
// and operations charts (bars); performance.js the series (lines) and
// thresholds sections; chart.css styles the charts.
//
//go:embed report_html
var htmlAssets embed.FS

var (
	htmlTemplate    = template.Must(template.ParseFS(htmlAssets, "report_html/report.html.tmpl"))
	htmlCSS         = template.CSS(mustAsset("report_html/report.css") + mustAsset("report_html/history.css") + mustAsset("report_html/chart.css"))
	htmlJS          = template.JS(mustAsset("report_html/report.js"))
	htmlHistoryJS   = template.JS(mustAsset("report_html/history.js"))
	htmlChartJS     = template.JS(mustAsset("report_html/chart.js"))
	htmlPerformance = template.JS(mustAsset("report_html/performance.js"))
)

// PageStyle is report.html's stylesheet (its colours, header, tables,
// status badges and charts) and ChartScript its line chart
// (ducktapeChart, chart.js), for ducktape's other pages (ducktape serve).
func PageStyle() string   { return string(htmlCSS) }
func ChartScript() string { return string(htmlChartJS) }

func mustAsset(name string) string {
	data, err := htmlAssets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(data)
}

// caseLogFiles are the files of a case's results directory that report.html
// links to, when they exist (at most 8: Report.links has a bit for each).
var caseLogFiles = []string{"test_log.info", "test_log.debug", "data.json", "report.json", "history.json"}

// htmlPage is what the template renders. Data is htmlDataMarker, in whose
// place writeHTML puts the report as JSON from encoding/json, which escapes '<', '>' and '&' (and U+2028, U+2029) in
// strings, so inside its <script type="application/json"> element no
// "</script>" or "<!--" can end it early; the page's script renders from it
// with textContent only, never as markup.
type htmlPage struct {
	Title         string
	CSS           template.CSS
	JS            template.JS
	HistoryJS     template.JS
	ChartJS       template.JS
	PerformanceJS template.JS
	Data          template.JS
}

// htmlCase is one result as report.js reads it, empty fields left out so
// that the page of a large session stays small (report.js derives the
// module and the name from the id, as caseName does). Dir and Files give
// the links, relative to the session directory.
type htmlCase struct {
	ID             string         `json:"id"`
	Params         map[string]any `json:"params,omitempty"`
	Status         Status         `json:"status"`
	Summary        string         `json:"summary,omitempty"`
	Description    string         `json:"description,omitempty"`
	StartTime      float64        `json:"start_time"`
	StopTime       float64        `json:"stop_time"`
	RunTimeSeconds float64        `json:"run_time_seconds"`
	Nodes          []string       `json:"nodes,omitempty"`
	Part           string         `json:"part,omitempty"` // in a merged session: its timeline lane group
	Dir            string         `json:"dir"`
	Files          []string       `json:"files,omitempty"`
	// Faults are shaded on the timeline, the operations chart and the
	// series' charts.
	Faults []faults.Record `json:"faults,omitempty"`
	// Checks and History fill the Histories section.
	Checks  []check.Result  `json:"checks,omitempty"`
	History *HistorySummary `json:"history,omitempty"`
	// Series are charted, thresholds listed with their verdicts.
	Series     []SeriesPlot        `json:"series,omitempty"`
	Thresholds []threshold.Verdict `json:"thresholds,omitempty"`
}

// htmlDataMarker stands for the report's data in the rendered template;
// writeHTML streams the data in its place.
const htmlDataMarker = "@@ducktape-report-data@@"

// writeHTML writes report.html: the template, with the data in place of
// htmlDataMarker as {"<summary fields>", "cases": [case, ...]}, streamed a
// case at a time.
func (r *snapshot) writeHTML(w *bufio.Writer) error {
	var page bytes.Buffer
	if err := htmlTemplate.Execute(&page, htmlPage{Title: "ducktape session " + r.SessionID, CSS: htmlCSS, JS: htmlJS, HistoryJS: htmlHistoryJS, ChartJS: htmlChartJS, PerformanceJS: htmlPerformance, Data: htmlDataMarker}); err != nil {
		return err
	}
	head, tail, ok := bytes.Cut(page.Bytes(), []byte(htmlDataMarker))
	if !ok {
		return fmt.Errorf("the report.html template lost its data marker")
	}
	summary, err := json.Marshal(r.Summary)
	if err != nil {
		return err
	}
	w.Write(head)
	w.Write(summary[:len(summary)-1]) // without "}"
	w.WriteString(`,"cases":[`)
	for i, res := range r.Results {
		if i > 0 {
			w.WriteString(",")
		}
		c, err := json.Marshal(r.htmlCase(res, r.links[i]))
		if err != nil {
			return err
		}
		w.Write(c)
	}
	w.WriteString("]}")
	_, err = w.Write(tail)
	return err
}

// linkedFiles returns which caseLogFiles exist in the results directory of
// res, a bit each. Once a result is added its directory's files are
// written, so Add asks once rather than every rewrite.
func (r *Report) linkedFiles(res *Result) uint8 {
	var links uint8
	if r.dir == "" || res.ResultsDir == "" {
		return 0
	}
	for i, f := range caseLogFiles {
		if _, err := os.Stat(filepath.Join(r.dir, res.ResultsDir, f)); err == nil {
			links |= 1 << i
		}
	}
	return links
}

// htmlCase maps one result to its row, with links to the caseLogFiles
// that links (its Report.links) names.
func (r *snapshot) htmlCase(res *Result, links uint8) htmlCase {
	c := htmlCase{
		ID: res.TestID, Params: res.InjectedArgs,
		Status: res.TestStatus, Summary: res.Summary, Description: res.Description,
		StartTime: res.StartTime, StopTime: res.StopTime, RunTimeSeconds: res.RunTimeSeconds,
		Nodes: res.Nodes, Part: res.Part, Faults: res.Faults, Checks: res.Checks, History: res.History, Series: res.Series, Thresholds: res.Thresholds,
		Dir: filepath.ToSlash(res.ResultsDir),
	}
	for i, f := range caseLogFiles {
		if links&(1<<i) != 0 {
			c.Files = append(c.Files, f)
		}
	}
	return c
}
