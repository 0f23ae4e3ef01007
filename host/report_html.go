package host

import (
	"bytes"
	"embed"
	"encoding/json"
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
// history.js (with history.css) draws the Histories section: checks and
// operations charts. chart.js is the reusable line chart (ducktapeChart);
// performance.js draws the series and thresholds sections with it;
// chart.css styles both.
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

func mustAsset(name string) string {
	data, err := htmlAssets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(data)
}

// caseLogFiles are the files of a case's results directory that report.html
// links to, when they exist.
var caseLogFiles = []string{"test_log.info", "test_log.debug", "data.json", "report.json", "history.json"}

// htmlPage is what the template renders. Data is the report as JSON from
// encoding/json, which escapes '<', '>' and '&' (and U+2028, U+2029) in
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

// htmlData is the report as report.js reads it.
type htmlData struct {
	Summary
	Cases []htmlCase `json:"cases"`
}

// htmlCase is one result as report.js reads it. Name is the id's part after
// "::" (the file's path for a load failure); Dir and Files give the links,
// relative to the session directory.
type htmlCase struct {
	ID             string         `json:"id"`
	Module         string         `json:"module"`
	Name           string         `json:"name"`
	Params         map[string]any `json:"params"`
	Status         Status         `json:"status"`
	Summary        string         `json:"summary"`
	Description    string         `json:"description"`
	StartTime      float64        `json:"start_time"`
	StopTime       float64        `json:"stop_time"`
	RunTimeSeconds float64        `json:"run_time_seconds"`
	Nodes          []string       `json:"nodes"`
	Part           string         `json:"part,omitempty"` // in a merged session: its timeline lane group
	Dir            string         `json:"dir"`
	Files          []string       `json:"files"`
	// Faults are shaded on the timeline, the operations chart and the
	// series' charts.
	Faults []faults.Record `json:"faults"`
	// Checks and History fill the Histories section.
	Checks  []check.Result  `json:"checks,omitempty"`
	History *HistorySummary `json:"history,omitempty"`
	// Series are charted, thresholds listed with their verdicts.
	Series     []SeriesPlot        `json:"series,omitempty"`
	Thresholds []threshold.Verdict `json:"thresholds,omitempty"`
}

// htmlLocked renders report.html. The caller holds r.mu.
func (r *Report) htmlLocked() ([]byte, error) {
	data := htmlData{Summary: r.Summary, Cases: make([]htmlCase, 0, len(r.Results))}
	for _, res := range r.Results {
		data.Cases = append(data.Cases, r.htmlCase(res))
	}
	js, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	page := htmlPage{Title: "ducktape session " + r.SessionID, CSS: htmlCSS, JS: htmlJS, HistoryJS: htmlHistoryJS, ChartJS: htmlChartJS, PerformanceJS: htmlPerformance, Data: template.JS(js)}
	if err := htmlTemplate.Execute(&buf, page); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// htmlCase maps one result to its row, listing the caseLogFiles that exist
// in its results directory.
func (r *Report) htmlCase(res *Result) htmlCase {
	c := htmlCase{
		ID: res.TestID, Module: res.ModuleName, Name: caseName(res), Params: res.InjectedArgs,
		Status: res.TestStatus, Summary: res.Summary, Description: res.Description,
		StartTime: res.StartTime, StopTime: res.StopTime, RunTimeSeconds: res.RunTimeSeconds,
		Nodes: res.Nodes, Part: res.Part, Faults: res.Faults, Checks: res.Checks, History: res.History, Series: res.Series, Thresholds: res.Thresholds,
		Dir: filepath.ToSlash(res.ResultsDir), Files: []string{},
	}
	if res.ResultsDir == "" {
		return c
	}
	for _, f := range caseLogFiles {
		if _, err := os.Stat(filepath.Join(r.dir, res.ResultsDir, f)); err == nil {
			c.Files = append(c.Files, f)
		}
	}
	return c
}

// writeHTMLLocked writes report.html into the session directory. The caller
// holds r.mu.
func (r *Report) writeHTMLLocked() error {
	data, err := r.htmlLocked()
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(r.dir, "report.html"), data)
}
