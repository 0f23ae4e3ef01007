package trendsweb_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/chromiumtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/host/pgtest"
	"github.com/ducktape-go/ducktape/host/trends"
)

// The scenario, end to end through the ducktape binary: the
// nightly suite of testdata/nightly run seven times, recorded, asked and
// served. (It runs the binary, not the CLI in-process, so that it costs
// cmd/ducktape's test binary nothing.)

const (
	nightly    = "testdata/nightly/test_nightly.star"
	testFlaky  = nightly + "::test_flaky"
	testBreaks = nightly + "::test_breaks"
	testPerf   = nightly + "::test_perf"
)

// Exit statuses of the binary (docs/cli.md).
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

var bin string // the ducktape binary, built once

// ducktape runs the binary with args in the package directory and returns
// its exit status and output.
func ducktape(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	if bin == "" {
		bin = hosttest.BuildDucktape(t)
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// startServe runs ducktape serve on a free loopback port until t ends and
// returns its URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		found <- line
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-found:
		if m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(line); m != nil {
			return m[1]
		}
		t.Fatalf("ducktape serve said %q\n%s", line, errOut.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("ducktape serve did not say where it listens\n%s", errOut.String())
	}
	return ""
}

// runNights runs the nightly suite (testdata/trends) for nights 1 to 7
// into results, each session recording itself in store; it returns the
// session ids, oldest first.
func runNights(t *testing.T, results, store string) []string {
	t.Helper()
	var ids []string
	for night := 1; night <= 7; night++ {
		code, out, errOut := ducktape(t, "--results-root", results, "--store", store, "--globals", fmt.Sprintf(`{"night": %d}`, night), "testdata/nightly")
		want := exitFailed
		if night == 1 || night == 3 || night == 4 {
			want = exitOK
		}
		if code != want || !strings.Contains(out, "recorded in the results store") {
			t.Fatalf("night %d: exit %d, want %d:\n%s%s", night, code, want, out, errOut)
		}
		id := regexp.MustCompile(`session (\S+):`).FindStringSubmatch(out)
		if id == nil {
			t.Fatalf("night %d: no session id in\n%s", night, out)
		}
		ids = append(ids, id[1])
	}
	return ids
}

// trendsJSON runs a trends command with --format json and decodes its
// output into v; it returns the exit status.
func trendsJSON(t *testing.T, store string, v any, args ...string) int {
	t.Helper()
	code, out, errOut := ducktape(t, append([]string{"trends", "--store", store, "--format", "json"}, args...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("trends %v: exit %d, output is not JSON (%v):\n%s%s", args, code, err, out, errOut)
	}
	return code
}

// TestScenario is issue 24's "done when": seven sessions of a suite
// with a flaky test, a test that breaks and a value that steps up, run for
// real and recorded in SQLite as they end, imported into PostgreSQL, give
// the same right answers from the three commands on both stores, and from
// the page ducktape serve makes of each, in Chromium.
func TestScenario(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	sqlite := filepath.Join(results, "trends.db")
	ids := runNights(t, results, sqlite)
	server := pgtest.Start(t)
	postgres := server.CreateDatabase(t, "trends")
	for _, want := range []string{"7 added, 0 updated, 0 unchanged", "0 added, 0 updated, 7 unchanged"} {
		code, out, errOut := ducktape(t, "trends", "import", "--store", postgres, results)
		if code != exitOK || !strings.Contains(out, want) {
			t.Fatalf("trends import: exit %d, want %q:\n%s%s", code, want, out, errOut)
		}
	}
	for name, store := range map[string]string{"sqlite": sqlite, "postgres": postgres} {
		t.Run(name, func(t *testing.T) {
			checkFlaky(t, store, ids)
			checkTest(t, store, ids)
			checkRegressions(t, store, ids)
			checkPages(t, store, results, ids)
		})
	}
}

func checkFlaky(t *testing.T, store string, ids []string) {
	var rep trends.FlakyReport
	if code := trendsJSON(t, store, &rep, "flaky", "--last", "7"); code != exitOK {
		t.Errorf("trends flaky: exit %d", code)
	}
	if len(rep.Sessions) != 7 || rep.Sessions[0].ID != ids[0] || rep.Sessions[6].ID != ids[6] {
		t.Errorf("window %+v, want %v", rep.Sessions, ids)
	}
	if len(rep.Flaky) != 1 {
		t.Fatalf("flaky tests %+v, want test_flaky only", rep.Flaky)
	}
	f := rep.Flaky[0]
	if f.TestID != testFlaky || f.Pass != 4 || f.Fail != 3 || f.Flaky != 0 || f.Changes != 5 || fmt.Sprintf("%.3f", f.Rate) != "0.429" {
		t.Errorf("flaky test %+v", f)
	}
	if len(rep.Steps) != 1 || rep.Steps[0] != (trends.Step{TestID: testBreaks, Broke: true, Session: ids[4]}) {
		t.Errorf("steps %+v, want test_breaks broke in %s", rep.Steps, ids[4])
	}
	// Over the last three sessions test_flaky changed twice, test_breaks never.
	if trendsJSON(t, store, &rep, "flaky", "--last", "3"); len(rep.Flaky) != 1 || len(rep.Steps) != 0 || rep.Flaky[0].Pass != 1 {
		t.Errorf("--last 3: %+v", rep)
	}
	code, out, _ := ducktape(t, "trends", "flaky", "--store", store)
	for _, want := range []string{"over the last 7 sessions (" + ids[0] + " to " + ids[6] + ")", "1 flaky test, worst first", testFlaky, "43%", "PFPPFPF", testBreaks + "  broke in session " + ids[4]} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("trends flaky: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

func checkTest(t *testing.T, store string, ids []string) {
	var rep trends.TestReport
	if code := trendsJSON(t, store, &rep, "test", testBreaks); code != exitOK || rep.FirstFailure != ids[4] || len(rep.Sessions) != 7 || rep.Sessions[4].Outcome != trends.OutcomeFail {
		t.Errorf("trends test test_breaks: exit %d, %+v", code, rep)
	}
	if trendsJSON(t, store, &rep, "test", testFlaky); rep.FirstFailure != ids[1] {
		t.Errorf("test_flaky first failed in %q, want %s", rep.FirstFailure, ids[1])
	}
	trendsJSON(t, store, &rep, "test", testPerf)
	verdicts := map[string]string{}
	for _, v := range rep.Values {
		verdicts[v.Key] = v.Judgement.Verdict
		if len(v.Points) != 7 {
			t.Errorf("%s has %d points, want 7", v.Key, len(v.Points))
		}
	}
	if verdicts["latency_ms.p99"] != trends.Regressed || verdicts["latency_ms.mean"] != trends.Regressed || verdicts["ops_per_sec"] != "" || verdicts["latency_ms.count"] != "" || len(verdicts) != 9 {
		t.Errorf("test_perf's verdicts %v", verdicts)
	}
	if rep.FirstFailure != "" || len(rep.RunTime.Points) != 7 {
		t.Errorf("test_perf: %+v", rep)
	}
	code, out, _ := ducktape(t, "trends", "test", "--store", store, testBreaks)
	for _, want := range []string{"first failed after a pass in session " + ids[4], ids[6] + "  ", "FAIL", "broken since night 5"} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("trends test: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	code, _, errOut := ducktape(t, "trends", "test", "--store", store, "test_perf")
	if code != exitUsage || !strings.Contains(errOut, `no test "test_perf" in the newest 7 sessions`) || !strings.Contains(errOut, "tests whose id contains it:\n  "+testPerf) {
		t.Errorf("trends test of an unknown id: exit %d\n%s", code, errOut)
	}
}

func checkRegressions(t *testing.T, store string, ids []string) {
	var rep struct {
		Sessions    int                 `json:"sessions"`
		Regressions []trends.Regression `json:"regressions"`
	}
	if code := trendsJSON(t, store, &rep, "regressions"); code != exitFailed {
		t.Errorf("trends regressions: exit %d, want %d", code, exitFailed)
	}
	var keys []string
	for _, r := range rep.Regressions {
		keys = append(keys, r.Key)
		if r.TestID != testPerf || r.Session != ids[6] || r.Since != ids[5] || r.Better != "lower" || r.Baseline != 6 {
			t.Errorf("regression %+v, want test_perf's since %s", r, ids[5])
		}
	}
	if len(keys) != 7 || !strings.Contains(strings.Join(keys, " "), "latency_ms.p99") || strings.Contains(strings.Join(keys, " "), "count") {
		t.Errorf("regressed keys %v, want latency_ms's max, mean, min, p50, p90, p95, p99", keys)
	}
	// Before the step (nights 1 to 5), nothing regressed: the night-to-night
	// noise (±3%) is within the band.
	code, out, _ := ducktape(t, "trends", "regressions", "--store", store, "--last", "0")
	if code != exitFailed || !strings.Contains(out, "7 values regressed beyond their noise over the last 7 sessions") || !strings.Contains(out, "+45.1%") {
		t.Errorf("trends regressions: exit %d\n%s", code, out)
	}
	if code, _, errOut := ducktape(t, "trends", "regressions", "--store", store, "--min-change", "60%"); code != exitOK {
		t.Errorf("with --min-change 60%%: exit %d\n%s", code, errOut)
	}
}

// checkPages loads the overview and test_perf's page in Chromium, and
// test_breaks' page.
func checkPages(t *testing.T, store, results string, ids []string) {
	base := startServe(t, "--store", store, "--results-root", results)
	dom := chromiumtest.DOMAt(t, base)
	for _, want := range []string{
		`href="/test?id=` + url.QueryEscape(testFlaky) + `">` + testFlaky + `</a>`, `<td class="num">43%</td>`,
		`<title>` + ids[1] + `: fail</title>`, "BROKE", `<td class="mono">latency_ms.p99</td>`,
		`<a href="/results/` + ids[6] + `/report.html">report.html</a>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the overview lacks %q:\n%s", want, dom)
		}
	}
	if n := strings.Count(dom, `report.html</a>`); n != 7 {
		t.Errorf("%d sessions link their report.html, want 7", n)
	}
	dom = chromiumtest.DOMAt(t, base+"test?id="+url.QueryEscape(testPerf))
	// The run time and nine values charted, by chart.js, as SVG; the
	// seven regressed values with their step shaded.
	if n := strings.Count(dom, `<polyline class="line line-0"`); n != 10 {
		t.Errorf("%d trend charts, want 10:\n%s", n, dom)
	}
	if n := strings.Count(dom, `<g class="window">`); n != 7 {
		t.Errorf("%d shaded steps, want 7", n)
	}
	for _, want := range []string{">12-" /* an axis label */, `class="verdict regressed"`, `<title>` + ids[6] + `: pass</title>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("test_perf's page lacks %q:\n%s", want, dom)
		}
	}
	// The page is rendered on the server: no browser needed to read it.
	resp, err := http.Get(base + "test?id=" + url.QueryEscape(testBreaks))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "First failed after a pass in session <b class=\"mono\">"+ids[4]+"</b>") {
		t.Errorf("test_breaks's page lacks its first failure:\n%s", body)
	}
}
