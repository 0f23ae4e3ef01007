package host_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/chromiumtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// fakePart writes a session directory of subset i of k of a suite of n
// cases holding results
// (each result's directory gets a test_log.info and its report.json) and
// reads it back as a part.
func fakePart(t testing.TB, n, i, k int, results ...*host.Result) *host.Part {
	t.Helper()
	rep := host.SessionReport{Results: results}
	rep.SessionID, rep.StartTime, rep.StopTime = "2026-12-01--001", float64(100+i), float64(200+i)
	rep.Suite = &host.SuiteInfo{ID: "sha256:same", NumCases: n, Subsets: k, Parts: []int{i}}
	files := map[string]string{}
	for _, r := range results {
		data, _ := json.Marshal(r)
		files[filepath.Join(r.ResultsDir, "report.json")] = string(data)
		files[filepath.Join(r.ResultsDir, "test_log.info")] = "log of " + r.TestID + "\n"
	}
	data, _ := json.Marshal(rep)
	files["report.json"] = string(data)
	files["session_log.info"] = "session\n"
	dir := hosttest.WriteTree(t, files)
	p, err := host.ReadPart(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fakeResult(id, dir string, status host.Status) *host.Result {
	return &host.Result{TestID: id, ModuleName: "t.star", FunctionName: strings.TrimPrefix(id, "t.star::"), TestStatus: status, ResultsDir: dir}
}

func merge(t testing.TB, parts ...*host.Part) (*host.Report, string, []string) {
	t.Helper()
	suite, warnings, err := host.CheckParts(parts)
	if err != nil {
		t.Fatal(err)
	}
	session, err := host.NewSessionAt(filepath.Join(t.TempDir(), "merged"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { session.Log.Close() })
	rep, more, err := host.Merge(parts, suite, session)
	if err != nil {
		t.Fatal(err)
	}
	return rep, session.Dir, append(warnings, more...)
}

// TestMergeSharedResultsDir: two cases whose parameters escape to the same
// directory name, in different parts, both used run index 1; the second
// part's moves to index 2 and its report.json there says so, while the
// part's own report.json stays as it was (the merged one replaced the hard
// link). The other files are hard links of the parts' files.
func TestMergeSharedResultsDir(t *testing.T) {
	shared := filepath.Join("t.star", "test_p", "a=x.y", "1")
	p0 := fakePart(t, 2, 0, 2, fakeResult(`t.star::test_p@{"a":"x.y"}`, shared, host.StatusPass))
	p1 := fakePart(t, 2, 1, 2, fakeResult(`t.star::test_p@{"a":"x..y"}`, shared, host.StatusFail))
	rep, dir, warnings := merge(t, p1, p0)
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
	dirs := []string{rep.Results[0].ResultsDir, rep.Results[1].ResultsDir}
	if want := []string{shared, filepath.Join("t.star", "test_p", "a=x.y", "2")}; !slices.Equal(dirs, want) {
		t.Fatalf("results directories %q, want %q", dirs, want)
	}
	var moved host.Result
	data, _ := os.ReadFile(filepath.Join(dir, dirs[1], "report.json"))
	if err := json.Unmarshal(data, &moved); err != nil || moved.ResultsDir != dirs[1] || moved.TestID != `t.star::test_p@{"a":"x..y"}` {
		t.Errorf("the moved report.json: %s (%v)", data, err)
	}
	original, _ := os.ReadFile(filepath.Join(p1.Dir, shared, "report.json"))
	if !strings.Contains(string(original), `"relative_results_dir":"t.star/test_p/a=x.y/1"`) {
		t.Errorf("the part's own report.json changed: %s", original)
	}
	for _, d := range []struct{ part, merged string }{{filepath.Join(p0.Dir, shared), dirs[0]}, {filepath.Join(p1.Dir, shared), dirs[1]}} {
		a, _ := os.Stat(filepath.Join(d.part, "test_log.info"))
		b, err := os.Stat(filepath.Join(dir, d.merged, "test_log.info"))
		if err != nil || !os.SameFile(a, b) {
			t.Errorf("%s/test_log.info is not a hard link of the part's (%v)", d.merged, err)
		}
	}
	if rep.Results[0].Part != "subset 0 of 2" || rep.Results[1].Part != "subset 1 of 2" {
		t.Errorf("parts %q, %q", rep.Results[0].Part, rep.Results[1].Part)
	}
	if _, err := os.Stat(filepath.Join(dir, host.PartsDir, "subset-1", "session_log.info")); err != nil {
		t.Errorf("the part's session log: %v", err)
	}
}

// TestMergeRefusesACaseInTwoParts: parts of distinct subsets that share a
// case (as when balanced by different historical reports).
func TestMergeRefusesACaseInTwoParts(t *testing.T) {
	p0 := fakePart(t, 2, 0, 2, fakeResult("t.star::test_a", "t.star/test_a/1", host.StatusPass))
	p1 := fakePart(t, 2, 1, 2, fakeResult("t.star::test_b", "t.star/test_b/1", host.StatusPass), fakeResult("t.star::test_a", "t.star/test_a/1", host.StatusPass))
	_, _, err := host.CheckParts([]*host.Part{p0, p1})
	want := "case t.star::test_a is in part " + p0.Dir + " (subset 0 of 2) and in part " + p1.Dir + " (subset 1 of 2)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckParts: %v, want %q", err, want)
	}
}

// TestMergeWarnsOfCasesInNoPart: every subset is there, but the parts hold
// fewer cases than the suite has.
func TestMergeWarnsOfCasesInNoPart(t *testing.T) {
	p0 := fakePart(t, 3, 0, 2, fakeResult("t.star::test_a", "t.star/test_a/1", host.StatusPass))
	p1 := fakePart(t, 3, 1, 2, fakeResult("t.star::test_b", "t.star/test_b/1", host.StatusPass))
	_, warnings, err := host.CheckParts([]*host.Part{p0, p1})
	if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "the parts hold 2 of the suite's 3 cases") {
		t.Errorf("CheckParts: %v, warnings %q", err, warnings)
	}
}

// TestMergeKeepsOneLoadFailure: every part reports a file that failed to
// load; the merged session lists it once.
func TestMergeKeepsOneLoadFailure(t *testing.T) {
	broken := func() *host.Result {
		return &host.Result{TestID: "broken.star", ModuleName: "broken.star", TestStatus: host.StatusFail, ResultsDir: "broken.star/load/1"}
	}
	p0 := fakePart(t, 2, 0, 2, broken(), fakeResult("t.star::test_a", "t.star/test_a/1", host.StatusPass))
	p1 := fakePart(t, 2, 1, 2, broken(), fakeResult("t.star::test_b", "t.star/test_b/1", host.StatusPass))
	rep, _, _ := merge(t, p0, p1)
	if len(rep.Results) != 3 || rep.NumFailed != 1 || rep.NumPassed != 2 {
		t.Errorf("merged %d results, %d failed, %d passed: want 3, 1 (the load failure once), 2", len(rep.Results), rep.NumFailed, rep.NumPassed)
	}
}

// TestMergeOfMergedSessions: a merged session merges on with the parts it
// lacks, and the result names every original part.
func TestMergeOfMergedSessions(t *testing.T) {
	p0 := fakePart(t, 3, 0, 3, fakeResult("t.star::test_a", "t.star/test_a/1", host.StatusPass))
	p1 := fakePart(t, 3, 1, 3, fakeResult("t.star::test_b", "t.star/test_b/1", host.StatusPass))
	p2 := fakePart(t, 3, 2, 3, fakeResult("t.star::test_c", "t.star/test_c/1", host.StatusPass))
	_, first, warnings := merge(t, p0, p2)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "subset 1 of 3 missing") {
		t.Errorf("warnings %q, want subset 1 missing", warnings)
	}
	partial, err := host.ReadPart(first)
	if err != nil {
		t.Fatal(err)
	}
	rep, dir, warnings := merge(t, partial, p1)
	if len(warnings) > 0 || !slices.Equal(rep.Suite.Parts, []int{0, 1, 2}) || len(rep.MergedFrom) != 3 || rep.MergedFrom[1].Parts[0] != 1 || len(rep.Results) != 3 {
		t.Errorf("warnings %q, parts %v, merged from %+v, %d results", warnings, rep.Suite.Parts, rep.MergedFrom, len(rep.Results))
	}
	for _, sub := range []string{"subset-0", "subset-1", "subset-2"} {
		if _, err := os.Stat(filepath.Join(dir, host.PartsDir, sub, "report.json")); err != nil {
			t.Error(err)
		}
	}
	if p := rep.Results[0].Part; p != "subset 0 of 3" {
		t.Errorf("the first result's part is %q, want subset 0 of 3 (kept from the merged part)", p)
	}
}

func TestParseSessionReportRejects(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`[]`, "not a ducktape report.json"},
		{`{"results": []}`, "no session_id"},
		{`{"session_id": "s", "results": [null]}`, "result 1 has no test_id"},
		{`{"session_id": "s", "results": [{"test_id": "a", "relative_results_dir": "../../etc"}]}`, `relative_results_dir "../../etc" is not inside the session directory`},
		{`{"session_id": "s", "results": [{"test_id": "a", "relative_results_dir": "/etc"}]}`, "is not inside"},
		{`{"session_id": "s", "suite": {"id": "x", "subsets": 0, "parts": [0]}}`, "want subsets >= 1"},
		{`{"session_id": "s", "suite": {"id": "x", "subsets": 2, "parts": [1, 1]}}`, "want distinct subsets between 0 and 1"},
		{`{"session_id": "s", "suite": {"id": "x", "subsets": 2, "parts": [2]}}`, "want distinct subsets"},
		{`{"session_id": "s", "merged_from": [{"session_id": "p", "parts": []}]}`, `"merged_from" entry of session "p" names no parts`},
	} {
		if _, err := host.ParseSessionReport([]byte(tc.json)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseSessionReport(%s): %v, want %q", tc.json, err, tc.want)
		}
	}
}

// FuzzParseSessionReport: any input is a report or an error, never a
// panic, and what it accepts CheckParts can check.
func FuzzParseSessionReport(f *testing.F) {
	f.Add([]byte(`{"session_id": "s", "suite": {"id": "x", "num_cases": 2, "subsets": 2, "parts": [1]}, "results": [{"test_id": "a", "relative_results_dir": "a/1"}, {"test_id": "b"}]}`))
	f.Add([]byte(`{"session_id": "s", "results": [{"test_id": "a", "relative_results_dir": "../a"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := host.ParseSessionReport(data)
		if err != nil || rep.Suite == nil {
			return
		}
		if _, _, err := host.CheckParts([]*host.Part{{Dir: "p", Report: rep}}); err != nil {
			t.Errorf("CheckParts refused a lone valid part: %v", err)
		}
	})
}

// TestMergeChartsTheSeries: report.html charts a test's series, which
// report.json does not hold; merge reads them back from series.json.
func TestMergeChartsTheSeries(t *testing.T) {
	p0 := fakePart(t, 2, 0, 2, fakeResult("t.star::test_a", "t.star/test_a/1", host.StatusPass))
	p1 := fakePart(t, 2, 1, 2, fakeResult("t.star::test_b", "t.star/test_b/1", host.StatusPass))
	hosttest.WriteFile(t, p1.Dir, "t.star/test_b/1/series.json", `{"series": [{"name": "latency_ms", "unit": "ms", "summary": {"count": 2}, "points": [[100.5, 3], [101.25, 4]]}]}`)
	hosttest.WriteFile(t, p0.Dir, "t.star/test_a/1/series.json", `{"series": [`)
	rep, _, warnings := merge(t, p0, p1)
	if s := rep.Results[1].Series; len(s) != 1 || s[0].Name != "latency_ms" || s[0].Count != 2 || s[0].Points[1] != [2]float64{101.25, 4} {
		t.Errorf("the merged result's series: %+v", s)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "t.star::test_a: its series are not charted") {
		t.Errorf("warnings %q, want one for test_a's broken series.json", warnings)
	}
}

// TestMergedTimelineHasALaneGroupPerPart renders a merged report.html in
// headless Chromium: its timeline has a heading per part, each over the
// lanes of its own nodes (the parts' clusters name their nodes alike).
func TestMergedTimelineHasALaneGroupPerPart(t *testing.T) {
	ran := func(id string, start float64, nodes ...string) *host.Result {
		r := fakeResult(id, "t.star/"+strings.TrimPrefix(id, "t.star::")+"/1", host.StatusPass)
		r.StartTime, r.StopTime, r.RunTimeSeconds, r.Nodes = start, start+50, 50, nodes
		return r
	}
	p0 := fakePart(t, 3, 0, 2, ran("t.star::test_a", 100, "worker1", "worker2"), ran("t.star::test_b", 150, "worker1"))
	p1 := fakePart(t, 3, 1, 2, ran("t.star::test_c", 101, "worker1"))
	_, dir, _ := merge(t, p0, p1)
	dom := chromiumtest.DOM(t, filepath.Join(dir, "report.html"))
	timeline := dom[strings.Index(dom, `id="timeline"`):]
	timeline = timeline[:strings.Index(timeline, "</svg>")]
	var lanes []string
	for _, m := range regexp.MustCompile(`class="(part|node)"[^>]*>([^<]*)<`).FindAllStringSubmatch(timeline, -1) {
		lanes = append(lanes, m[1]+" "+m[2])
	}
	if want := []string{"part subset 0 of 2", "node worker1", "node worker2", "part subset 1 of 2", "node worker1"}; !slices.Equal(lanes, want) {
		t.Errorf("the timeline's lanes are %q, want %q", lanes, want)
	}
	if bars := strings.Count(timeline, `class="bar PASS"`); bars != 3 {
		t.Errorf("the timeline has %d bars, want 3", bars)
	}
}

// BenchmarkMerge merges 3 parts of 1,000 and of 10,000 results in all (a
// results directory of 2 small files each) and reports the cost per
// result; beside it, the file-system floor: cp -al of the same parts' trees
// (hard links, as merge makes).
func BenchmarkMerge(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("results=%d", n), func(b *testing.B) {
			var parts []*host.Part
			for i := range 3 {
				var results []*host.Result
				for k := i; k < n; k += 3 {
					id := fmt.Sprintf("t%d.star::test_%d", k%50, k)
					results = append(results, fakeResult(id, fmt.Sprintf("t%d.star/test_%d/1", k%50, k), host.StatusPass))
				}
				parts = append(parts, fakePart(b, n, i, 3, results...))
			}
			b.Run("merge", func(b *testing.B) {
				for range b.N {
					rep, _, _ := merge(b, slices.Clone(parts)...)
					if len(rep.Results) != n {
						b.Fatalf("%d results", len(rep.Results))
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/result")
			})
			b.Run("cp-al", func(b *testing.B) {
				for range b.N {
					dst := b.TempDir()
					for i, p := range parts {
						if out, err := exec.Command("cp", "-al", p.Dir, filepath.Join(dst, strconv.Itoa(i))).CombinedOutput(); err != nil {
							b.Fatalf("cp -al: %v\n%s", err, out)
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/result")
			})
		})
	}
}
