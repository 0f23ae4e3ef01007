package host_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/host/series"
)

const performanceFile = "testdata/test_performance.star"

// TestSeriesAndThresholds runs testdata/test_performance.star: its
// expectations are the thresholds' verdicts; then the files and reports
// each test left.
func TestSeriesAndThresholds(t *testing.T) {
	rep, dir := hosttest.RunFile(t, hosttest.LocalCluster(t, 2), performanceFile, hosttest.Options{})
	caseDir := func(name string) string { return filepath.Join(dir, hosttest.Result(t, rep, name).ResultsDir) }

	// Every test with series saved them, whatever its outcome.
	for _, name := range []string{"test_thresholds_pass", "test_threshold_violated", "test_failed_keeps_series", "test_timed_out_keeps_series", "test_series_and_a_list"} {
		file, err := series.Load(caseDir(name))
		if err != nil || len(file.Series) != 1 || file.Series[0].Name != "latency_ms" || len(file.Series[0].Points) != 100 {
			t.Errorf("%s: series.json = %+v, %v", name, file, err)
		}
		if _, err := os.Stat(filepath.Join(caseDir(name), "series-latency_ms.csv")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(caseDir("test_threshold_without_data"), series.FileName)); !os.IsNotExist(err) {
		t.Errorf("a test without series wrote %s: %v", series.FileName, err)
	}

	// The summary is merged into data.json, next to the returned data;
	// a failed test's data.json holds the summaries alone.
	for name, want := range map[string]string{
		"test_thresholds_pass":        `{"latency_ms":{"count":100,"max":100,"mean":50.5,"min":1,"p50":50.5,"p90":90.10000000000001,"p95":95.05,"p99":99.01},"result":{"bytes":10}}`,
		"test_failed_keeps_series":    `{"latency_ms":{"count":100,"max":100,"mean":50.5,"min":1,"p50":50.5,"p90":90.10000000000001,"p95":95.05,"p99":99.01}}`,
		"test_series_and_a_list":      `[1,2]`,
		"test_timed_out_keeps_series": `{"latency_ms":{"count":100,"max":100,"mean":50.5,"min":1,"p50":50.5,"p90":90.10000000000001,"p95":95.05,"p99":99.01}}`,
	} {
		data, err := os.ReadFile(filepath.Join(caseDir(name), "data.json"))
		if err != nil || compact(t, data) != want {
			t.Errorf("%s: data.json = %s, %v; want %s", name, data, err, want)
		}
	}

	// The verdicts are in report.json, per case and in the session's.
	res := hosttest.Result(t, rep, "test_threshold_violated")
	if len(res.Thresholds) != 2 || res.Thresholds[0].OK || *res.Thresholds[0].Actual != 99.01 || res.Thresholds[0].Limit != 50 || !res.Thresholds[1].OK {
		t.Errorf("verdicts %+v", res.Thresholds)
	}
	for _, path := range []string{filepath.Join(caseDir("test_threshold_violated"), "report.json"), filepath.Join(dir, "report.json")} {
		data, err := os.ReadFile(path)
		verdict := regexp.MustCompile(`"expr": "latency_ms.p99 \\u003c 50",\s+"ok": false,\s+"actual": 99.01,\s+"limit": 50,`)
		if err != nil || !verdict.Match(data) {
			t.Errorf("%s lacks the verdict: %v\n%s", path, err, data)
		}
	}
	if res := hosttest.Result(t, rep, "test_failed_keeps_series"); res.Thresholds != nil {
		t.Errorf("the thresholds of a test that failed were checked: %+v", res.Thresholds)
	}
	if res := hosttest.Result(t, rep, "test_thresholds_pass"); len(res.Thresholds) != 3 || len(res.Series) != 1 || res.Series[0].Count != 100 {
		t.Errorf("test_thresholds_pass: thresholds %+v, series %+v", res.Thresholds, res.Series)
	}
}

func compact(t *testing.T, data []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// TestBadThresholdIsALoadError checks that an expression that does not
// parse fails the file's loading, at the mark's file:line.
func TestBadThresholdIsALoadError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "test_bad.star")
	src := "def test_a(ctx):\n    pass\n\nthreshold(test_a, \"latency_ms.p99 < 50\", \"latency_ms.p99 = 50\")\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, _ := hosttest.Run(t, hosttest.LocalCluster(t, 1), []string{file}, hosttest.Options{})
	if len(rep.Results) != 1 || rep.Results[0].TestStatus != host.StatusFail {
		t.Fatalf("results %+v", rep.Results)
	}
	sum := rep.Results[0].Summary
	for _, want := range []string{"could not load", "test_bad.star:4:10", `threshold(test_a): threshold "latency_ms.p99 = 50", column 16: want an operator`} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
}
