package host

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/chromiumtest"
)

func readHTML(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var reportDataRE = regexp.MustCompile(`(?s)<script type="application/json" id="report-data">(.*?)</script>`)

func TestHTMLIsSelfContained(t *testing.T) {
	_, dir := sampleReport(t)
	// The SVG namespace is a name, not a fetch.
	page := strings.ReplaceAll(readHTML(t, dir), `"http://www.w3.org/2000/svg"`, "")
	for _, external := range []string{"<link", " src=", "@import", "url(", "http://", "https://"} {
		if strings.Contains(page, external) {
			t.Errorf("report.html contains %q: it must need no other file", external)
		}
	}
	if !strings.Contains(page, "<style>") || !strings.Contains(page, "renderTimeline") {
		t.Error("report.html does not inline its CSS and JavaScript")
	}
}

func TestHTMLEscapesTestText(t *testing.T) {
	_, dir := sampleReport(t)
	page := readHTML(t, dir)
	// The sample's id and summary hold "</script>" and "<b>": neither may
	// reach the page as markup, so only the page's own scripts close.
	if n, own := strings.Count(page, "</script>"), strings.Count(page, "<script"); n != own {
		t.Errorf("report.html has %d </script> tags for %d scripts (test text leaked as markup)", n, own)
	}
	if strings.Contains(page, "<b>") {
		t.Error("report.html contains a test's <b> as markup")
	}
	m := reportDataRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("report.html has no #report-data element")
	}
	var data struct {
		Summary
		Cases []htmlCase `json:"cases"`
	}
	if err := json.Unmarshal([]byte(m[1]), &data); err != nil {
		t.Fatalf("#report-data is not JSON: %v", err)
	}
	if len(data.Cases) != 5 || data.Cases[2].ID != sampleFailID || data.Cases[2].Summary != sampleFailSum {
		t.Errorf("#report-data does not round-trip the results: %+v", data.Cases)
	}
	if data.NumPassed != 1 || data.NumFailed != 2 || data.NumFlaky != 1 || data.NumIgnored != 1 || data.SessionID != "2026-11-24--001" {
		t.Errorf("#report-data counts = %+v", data)
	}
}

func TestHTMLLinksOnlyExistingFiles(t *testing.T) {
	r, _ := sampleReport(t)
	want := map[string][]string{
		"suite/test_a.star::test_ok": {"test_log.info", "test_log.debug", "data.json", "report.json"},
		sampleFailID:                 {"test_log.info", "test_log.debug", "report.json"},
		sampleLoadFile:               {"test_log.info", "report.json"},
		sampleIgnoredID:              {},
	}
	snap := r.snapshotLocked(time.Now())
	for i, res := range snap.Results {
		w, ok := want[res.TestID]
		if !ok {
			continue
		}
		c := snap.htmlCase(res, snap.links[i])
		if strings.Join(c.Files, " ") != strings.Join(w, " ") {
			t.Errorf("%s links %v, want %v", res.TestID, c.Files, w)
		}
	}
}

// TestHTMLRendersInChromium opens report.html in headless Chromium and
// checks the DOM its script built: counts, one row per result, escaped
// text, links, and one timeline bar per node a case ran on.
func TestHTMLRendersInChromium(t *testing.T) {
	_, dir := sampleReport(t)
	dom := chromiumtest.DOM(t, filepath.Join(dir, "report.html"))
	for id, want := range map[string]string{"count-passed": "1", "count-failed": "2", "count-flaky": "1", "count-ignored": "1", "count-total": "5", "session-id": "2026-11-24--001"} {
		m := regexp.MustCompile(`id="` + id + `"[^>]*>([^<]*)<`).FindStringSubmatch(dom)
		if m == nil || m[1] != want {
			t.Errorf("#%s shows %v, want %q", id, m, want)
		}
	}
	if n := len(regexp.MustCompile(`<tr id="case-\d+"`).FindAllString(dom, -1)); n != 5 {
		t.Errorf("the table has %d rows, want 5", n)
	}
	for _, want := range []string{
		`test_bad@{"msg":"&lt;b&gt;&amp;\"q\"&lt;/script&gt;"}`, // the id, as text
		`assertion failed: 1 &lt; 2 &amp; "x" &lt;/script&gt;`,  // the summary, as text
		`href="suite/test_a.star/test_ok/1/data.json"`,
		`href="suite/test_broken.star/load/1/test_log.info"`,
		`<span class="badge FLAKY">FLAKY</span>`,
		`<summary>could not load suite/test_broken.star: suite/test_broken.star:3:1: got '&lt;', want primary expression</summary>`,
		`<section id="histories" hidden="">`, // no test has a history
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %s", want)
		}
	}
	if n := len(regexp.MustCompile(`<g class="bar (PASS|FAIL|FLAKY)">`).FindAllString(dom, -1)); n != 3 {
		t.Errorf("the timeline has %d bars' groups, want 3 (the cases that ran on nodes)", n)
	}
	for _, node := range []string{"local1", "local2", "local3", "local10"} {
		if !strings.Contains(dom, `class="node" text-anchor="end">`+node+`<`) {
			t.Errorf("the timeline lacks a row for %s", node)
		}
	}
}

// largeReport writes the reports of a session of n results into a
// temporary directory: case k has parameter k, runs k ms on one of 16
// nodes, and every tenth fails. It returns the session directory.
func largeReport(tb testing.TB, n int) string {
	dir := tb.TempDir()
	start := time.Now()
	r := NewReport("0.1.0", "2026-12-01--001", dir, start)
	for k := 0; k < n; k++ {
		status, summary := StatusPass, ""
		if k%10 == 0 {
			status, summary = StatusFail, fmt.Sprintf("case %d failed", k)
		}
		at := unixSeconds(start) + float64(k)*0.001
		r.Add(&Result{TestID: fmt.Sprintf(`suite/test_t.star::test_t@{"k":%d}`, k), ModuleName: "suite/test_t.star", FunctionName: "test_t",
			InjectedArgs: map[string]any{"k": k}, TestStatus: status, Summary: summary, StartTime: at, StopTime: at + float64(k)/1000,
			RunTimeSeconds: float64(k) / 1000, Nodes: []string{fmt.Sprintf("local%d", k%16+1)}, Services: []any{},
			ResultsDir: fmt.Sprintf("suite/test_t.star/test_t/k=%d/1", k)})
	}
	if err := r.Finish(time.Now()); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// TestHTMLOfTenThousandTests renders the report.html of 10,000 results
// in headless Chromium: it shows one page of the table with a pager, its
// size per result stays small, and a view in its address (status filter,
// sort, page) selects and orders the rows over all results.
func TestHTMLOfTenThousandTests(t *testing.T) {
	const n = 10000
	dir := largeReport(t, n)
	page := filepath.Join(dir, "report.html")
	info, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	if perCase := (info.Size() - 100<<10) / n; perCase > 400 {
		t.Errorf("report.html takes %d bytes per result, want at most 400", perCase)
	}
	rowRE := regexp.MustCompile(`<tr id="case-(\d+)" class="row (\w+)"`)
	rows := func(dom string) (ids []int, statuses []string) {
		for _, m := range rowRE.FindAllStringSubmatch(dom, -1) {
			k, _ := strconv.Atoi(m[1])
			ids, statuses = append(ids, k), append(statuses, m[2])
		}
		return ids, statuses
	}
	pageInfo := regexp.MustCompile(`id="page-info">([^<]*)<`)

	// One load (Chromium starts slowly): the failed cases (every tenth),
	// longest first, second page: cases 7990 down to 6000.
	dom := chromiumtest.DOM(t, page+"#view?status=FAIL&sort=duration&desc=1&page=2")
	ids, statuses := rows(dom)
	if len(ids) != 200 || ids[0] != 7990 || ids[199] != 6000 || slices.ContainsFunc(statuses, func(s string) bool { return s != "FAIL" }) {
		t.Errorf("the failed cases by duration, page 2: %d rows from %v to %v, statuses %v", len(ids), ids[:min(len(ids), 1)], ids[max(len(ids)-1, 0):], slices.Compact(statuses))
	}
	if m := pageInfo.FindStringSubmatch(dom); m == nil || m[1] != "rows 201–400 of 1000 (page 2 of 5)" {
		t.Errorf("the pager says %v", m)
	}
}
