package compare

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	redis  = "suite/test_perf.star::test_redis"
	edges  = "suite/test_perf.star::test_edges"
	tenPct = 0.1
)

func load(t *testing.T, name string) *Run {
	t.Helper()
	run, err := Load(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func compareFixtures(t *testing.T, old, new string, tolerance float64) *Comparison {
	t.Helper()
	return Compare(load(t, old), load(t, new), Options{Tolerance: tolerance})
}

func row(t *testing.T, c *Comparison, id, key string) Row {
	t.Helper()
	for _, tc := range c.Tests {
		if tc.ID != id {
			continue
		}
		for _, r := range tc.Rows {
			if r.Key == key {
				return r
			}
		}
	}
	t.Fatalf("no row %s %s", id, key)
	return Row{}
}

type want struct {
	key       string
	direction Direction
	verdict   string
	change    string // as printed
}

func checkRows(t *testing.T, c *Comparison, id string, rows []want) {
	t.Helper()
	for _, w := range rows {
		r := row(t, c, id, w.key)
		if r.Direction != w.direction || r.Verdict != w.verdict || change(r) != w.change {
			t.Errorf("%s %s: direction %q verdict %q change %q; want %q %q %q", id, w.key, r.Direction, r.Verdict, change(r), w.direction, w.verdict, w.change)
		}
	}
}

func TestImproved(t *testing.T) {
	c := compareFixtures(t, "base", "improved", tenPct)
	checkRows(t, c, redis, []want{
		{"latency_ms.p99", LowerIsBetter, Improved, "-25.0%"},
		{"latency_ms.mean", LowerIsBetter, Improved, "-20.0%"},
		{"latency_ms.min", LowerIsBetter, "", "+0.0%"},
		{"latency_ms.count", Neutral, "", "+100.0%"}, // the number of points says nothing
		{"ops_per_sec.mean", HigherIsBetter, Improved, "+25.0%"},
		{"result.bytes", HigherIsBetter, Improved, "+20.0%"}, // from the threshold "result.bytes > 0"
	})
	// Every change the wrong way is at most the tolerance.
	checkRows(t, c, edges, []want{
		{"edge_ms", LowerIsBetter, "", "+10.0%"},
		{"rate_per_sec", HigherIsBetter, "", "-10.0%"},
		{"custom", LowerIsBetter, "", "+10.0%"}, // from the threshold "custom < 50"
		{"neutral", Neutral, "", "+900.0%"},
		{"from_zero_ms", LowerIsBetter, "", "+0.0%"},
		{"sizes.1", Neutral, "", "+150.0%"},
		{"gone_ms", LowerIsBetter, "", ""},
		{"new_ms", LowerIsBetter, "", ""},
	})
	if r := row(t, c, edges, "gone_ms"); r.Old == nil || r.New != nil {
		t.Errorf("gone_ms (old only) = %+v", r)
	}
	if c.Regressions != 0 {
		t.Errorf("%d regressions, want 0", c.Regressions)
	}
	for _, r := range c.Tests[1].Rows {
		if r.Key == "flag" {
			t.Error("a boolean was compared")
		}
	}
	if strings.Join(c.OnlyOld, ",") != "suite/test_perf.star::test_removed" || strings.Join(c.OnlyNew, ",") != "suite/test_perf.star::test_added" {
		t.Errorf("only old %v, only new %v", c.OnlyOld, c.OnlyNew)
	}
	if len(c.Tests) != 3 || c.Tests[2].ID != "suite/test_perf.star::test_ignored" || len(c.Tests[2].Rows) != 0 {
		t.Errorf("tests compared: %+v", c.Tests)
	}
}

func TestRegressed(t *testing.T) {
	c := compareFixtures(t, "base", "regressed", tenPct)
	checkRows(t, c, redis, []want{
		{"latency_ms.p99", LowerIsBetter, Regressed, "+50.0%"},
		{"latency_ms.mean", LowerIsBetter, "", "+0.0%"},
		{"ops_per_sec.mean", HigherIsBetter, Regressed, "-20.0%"},
		{"result.bytes", HigherIsBetter, Regressed, "-20.0%"},
	})
	checkRows(t, c, edges, []want{
		{"edge_ms", LowerIsBetter, Regressed, "+10.5%"},
		{"from_zero_ms", LowerIsBetter, Regressed, "from 0"},
		{"zero_ms", LowerIsBetter, "", "+0.0%"},
	})
	// latency_ms max, p90, p95, p99; ops_per_sec max, mean, p50, p90, p95,
	// p99; result.bytes; edge_ms; from_zero_ms.
	if c.Regressions != 13 {
		t.Errorf("%d regressions, want 13", c.Regressions)
	}
	if c.Tests[0].OldStatus != "PASS" || c.Tests[0].NewStatus != "FAIL" {
		t.Errorf("statuses %+v", c.Tests[0])
	}
	if strings.Join(c.OnlyOld, ",") != "suite/test_perf.star::test_ignored" || len(c.OnlyNew) != 0 {
		t.Errorf("only old %v, only new %v", c.OnlyOld, c.OnlyNew)
	}
	// With a 60% tolerance only the move from zero is beyond it.
	if c := compareFixtures(t, "base", "regressed", 0.6); c.Regressions != 1 {
		t.Errorf("60%% tolerance: %d regressions, want 1 (from_zero_ms)", c.Regressions)
	}
	// With 0% any move the wrong way is one.
	if c := compareFixtures(t, "base", "improved", 0); c.Regressions != 3 {
		t.Errorf("0%% tolerance: %d regressions, want 3 (edge_ms, rate_per_sec, custom)", c.Regressions)
	}
}

func TestKeysFilter(t *testing.T) {
	c := Compare(load(t, "base"), load(t, "regressed"), Options{Tolerance: tenPct, Keys: []string{"*.mean", "edge_ms"}})
	var got []string
	for _, tc := range c.Tests {
		for _, r := range tc.Rows {
			got = append(got, r.Key)
		}
	}
	if strings.Join(got, " ") != "latency_ms.mean ops_per_sec.mean edge_ms" || c.Regressions != 2 {
		t.Errorf("rows %v with %d regressions, want latency_ms.mean ops_per_sec.mean edge_ms with 2", got, c.Regressions)
	}
	if err := CheckKeys([]string{"ok.*", "[bad"}); err == nil || !strings.Contains(err.Error(), `key pattern "[bad"`) {
		t.Errorf("CheckKeys = %v", err)
	}
}

func TestDirectionOf(t *testing.T) {
	for key, want := range map[string]Direction{
		"latency_ms.p99": LowerIsBetter, "latency_ms.count": Neutral, "p99_latency": LowerIsBetter,
		"write.latency.mean": LowerIsBetter, "rtt_us": LowerIsBetter, "gc_ns": LowerIsBetter,
		"ops_per_sec.mean": HigherIsBetter, "Throughput": HigherIsBetter, "msgs_per_second": HigherIsBetter,
		"bytes": Neutral, "count": Neutral, "ms": Neutral, "result.errors": Neutral,
	} {
		if got := DirectionOf(key); got != want {
			t.Errorf("DirectionOf(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestParseTolerance(t *testing.T) {
	for s, want := range map[string]float64{"10%": 0.1, "10": 0.1, "0": 0, " 2.5% ": 0.025, "150%": 1.5} {
		if got, err := ParseTolerance(s); err != nil || got != want {
			t.Errorf("ParseTolerance(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-5%", "ten", "10%%", "inf", "NaN"} {
		if _, err := ParseTolerance(s); err == nil {
			t.Errorf("ParseTolerance(%q) accepted", s)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	report := func(s string) string {
		p := filepath.Join(dir, "report.json")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A file works as well as its directory; repeated ids are numbered.
	run, err := Load(report(`{"session_id":"s","results":[{"test_id":"a","data":{"x_ms":1}},{"test_id":"a","data":{"x_ms":2}}]}`))
	if err != nil || len(run.Tests) != 2 || run.Tests[1].ID != "a #2" || run.Tests[1].Values["x_ms"] != 2 {
		t.Errorf("Load = %+v, %v", run, err)
	}
	for body, msg := range map[string]string{
		`{"results":[{"data":{}}]}`: "a result has no test_id",
		`[1, 2]`:                    "not a ducktape report.json",
	} {
		if _, err := Load(report(body)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Load(%s) = %v, want %q", body, err, msg)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestFormats(t *testing.T) {
	c := compareFixtures(t, "base", "regressed", tenPct)
	write := func(format string) string {
		var b bytes.Buffer
		if err := c.Write(&b, format); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	text := write("text")
	for _, s := range []string{
		"tolerance: 10%", redis + "  (PASS -> FAIL)",
		"  latency_ms.p99       20    30  +50.0%  lower is better   REGRESSED\n",
		"only in old (not compared):\n  suite/test_perf.star::test_ignored",
		"13 values regressed beyond 10%",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("text output lacks %q:\n%s", s, text)
		}
	}
	md := write("markdown")
	for _, s := range []string{
		"## suite/test\\_perf.star::test\\_redis (PASS → FAIL)",
		"| latency\\_ms.p99 | 20 | 30 | +50.0% | lower is better | **REGRESSED** |",
		"| edge\\_ms | 100 | 110.5 | +10.5% | lower is better | **REGRESSED** |",
		"**13 values regressed beyond 10%**",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("markdown output lacks %q:\n%s", s, md)
		}
	}
	var back Comparison
	if err := json.Unmarshal([]byte(write("json")), &back); err != nil || back.Regressions != 13 || len(back.Tests) != 3 || back.Tests[1].Rows[0].Key != "custom" {
		t.Errorf("JSON output does not round-trip: %+v, %v", back, err)
	}
	if err := c.Write(&bytes.Buffer{}, "html"); err == nil || !strings.Contains(err.Error(), "text, json, markdown") {
		t.Errorf("unknown format: %v", err)
	}
	if line := compareFixtures(t, "base", "base", tenPct).VerdictLine(); line != "no value regressed beyond 10%" {
		t.Errorf("verdict line %q", line)
	}
}
