package host_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/chromiumtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestTransactionCheckInReports runs testdata/test_txn.star: a write skew
// fails its test with the check's summary; report.json's "checks" carries
// the anomaly types and the models ruled out, report.txt the check: line,
// report.html a link to the visualization, and the visualization draws the
// cycle (two transaction boxes, two rw arrows) in headless Chromium, every
// text within its box.
func TestTransactionCheckInReports(t *testing.T) {
	rep, dir := hosttest.RunFile(t, hosttest.LocalCluster(t, 1), "testdata/test_txn.star", hosttest.Options{})
	res := hosttest.Result(t, rep, "test_write_skew")
	caseDir := filepath.Join(dir, res.ResultsDir)
	var saved struct {
		Checks []map[string]any `json:"checks"`
	}
	readJSON(t, filepath.Join(caseDir, "report.json"), &saved)
	if len(saved.Checks) != 1 {
		t.Fatalf("report.json checks: %v", saved.Checks)
	}
	c := saved.Checks[0]
	if c["name"] != "list-append" || c["model"] != "serializable" || c["ok"] != false || c["visualization"] != "txn-list-append.html" ||
		strings.Join(toStrings(c["anomaly_types"]), ",") != "G2-item" ||
		strings.Join(toStrings(c["violates"]), ",") != "repeatable-read,serializable,strict-serializable" {
		t.Errorf("report.json check: %v", c)
	}
	txt, err := os.ReadFile(filepath.Join(dir, "report.txt"))
	if err != nil || !strings.Contains(string(txt), "check:      list-append (serializable) FAIL: G2-item (1) in 3 transactions") {
		t.Errorf("report.txt lacks the check (%v):\n%s", err, txt)
	}
	dom := chromiumtest.DOM(t, filepath.Join(dir, "report.html"))
	if !strings.Contains(dom, `href="`+filepath.ToSlash(res.ResultsDir)+`/txn-list-append.html"`) {
		t.Errorf("report.html does not link the visualization:\n%s", dom)
	}

	// The picture, with a script (added for this test only) that measures
	// each box's texts as Chromium lays them out.
	page, err := os.ReadFile(filepath.Join(caseDir, "txn-list-append.html"))
	if err != nil {
		t.Fatal(err)
	}
	measured := filepath.Join(t.TempDir(), "measured.html")
	probe := `<script>document.querySelectorAll("g.txn").forEach(function (g) {
  var box = g.querySelector("rect").getBBox();
  g.querySelectorAll("text").forEach(function (t) {
    var b = t.getBBox();
    t.setAttribute("data-fits", b.x >= box.x && b.x + b.width <= box.x + box.width && b.y >= box.y && b.y + b.height <= box.y + box.height);
  });
});</script></body>`
	if err := os.WriteFile(measured, []byte(strings.Replace(string(page), "</body>", probe, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom = chromiumtest.DOM(t, measured)
	count := func(re string) int { return len(regexp.MustCompile(re).FindAllString(dom, -1)) }
	if n := count(`<svg class="cycle"`); n != 1 {
		t.Errorf("%d cycles drawn, want 1", n)
	}
	if n := count(`<g class="txn">`); n != 2 {
		t.Errorf("%d transaction boxes, want 2", n)
	}
	if n := count(`<path class="edge rw"`); n != 2 {
		t.Errorf("%d rw arrows, want 2", n)
	}
	if n, fit := count(`data-fits=`), count(`data-fits="true"`); n != 4 || fit != n {
		t.Errorf("%d of %d box texts fit their box", fit, n)
	}
	for _, want := range []string{`>rw "y"</text>`, `>rw "x"</text>`, `T1 · process 1 · ok`,
		`<li>T1 &lt; T2 (<span class="rel" style="color: #c0392b">rw</span>): T1 read "y" as empty, and T2's append of 1 was the first to "y"</li>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the picture lacks %s", want)
		}
	}
}

func toStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, len(l))
	for i, x := range l {
		out[i], _ = x.(string)
	}
	return out
}
