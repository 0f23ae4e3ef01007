package host

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The ids and summaries of the sample session: every status, a load
// failure, and text that needs escaping in XML, HTML and YAML.
const (
	sampleFailID    = `suite/test_a.star::test_bad@{"msg":"<b>&\"q\"</script>"}`
	sampleFailSum   = "assertion failed: 1 < 2 & \"x\" </script>\nTraceback:\n  suite/test_a.star:12:5: in test_bad"
	sampleLoadFile  = "suite/test_broken.star"
	sampleLoadSum   = "could not load suite/test_broken.star:\nsuite/test_broken.star:3:1: got '<', want primary expression"
	sampleFlakyID   = "suite/test_b.star::test_flaky"
	sampleIgnoredID = `suite/test_b.star::test_skip@{"acks":0}`
)

// sampleReport writes a finished session with one result of each status
// and a load failure into a temporary directory, through Report.Add and
// Finish, and returns the session directory. The failed case's
// test_log.info has 60 lines, "log line 1" to "log line 60".
func sampleReport(t *testing.T) (*Report, string) {
	t.Helper()
	dir := t.TempDir()
	start := time.Date(2026, 11, 24, 10, 0, 0, 0, time.Local)
	r := NewReport("0.1.0", "2026-11-24--001", dir, start)
	at := func(sec float64) float64 { return unixSeconds(start) + sec }
	caseDir := func(rel string, files ...string) string {
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, rel, f), []byte("x\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return rel
	}
	var log strings.Builder
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&log, "[INFO    2026-11-24 10:00:01.000] log line %d\n", i)
	}
	failDir := caseDir("suite/test_a.star/test_bad/msg=_b_/1", "test_log.debug", "report.json")
	if err := os.WriteFile(filepath.Join(dir, failDir, "test_log.info"), []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	results := []*Result{
		{TestID: sampleLoadFile, ModuleName: sampleLoadFile, TestStatus: StatusFail, Summary: sampleLoadSum,
			StartTime: at(0), StopTime: at(0), ResultsDir: caseDir("suite/test_broken.star/load/1", "test_log.info", "report.json")},
		{TestID: "suite/test_a.star::test_ok", ModuleName: "suite/test_a.star", FunctionName: "test_ok", TestStatus: StatusPass,
			StartTime: at(0.1), StopTime: at(1.6), RunTimeSeconds: 1.5, Nodes: []string{"local1", "local2"}, Data: []byte(`{"mb_per_sec":12.5}`),
			ResultsDir: caseDir("suite/test_a.star/test_ok/1", "test_log.info", "test_log.debug", "report.json", "data.json")},
		{TestID: sampleFailID, ModuleName: "suite/test_a.star", FunctionName: "test_bad", InjectedArgs: map[string]any{"msg": `<b>&"q"</script>`},
			TestStatus: StatusFail, Summary: sampleFailSum, StartTime: at(1.6), StopTime: at(3.85), RunTimeSeconds: 2.25,
			Nodes: []string{"local10", "local2"}, ResultsDir: failDir},
		{TestID: sampleFlakyID, ModuleName: "suite/test_b.star", FunctionName: "test_flaky", TestStatus: StatusFlaky,
			Summary: "attempt 1: timed out", StartTime: at(1.2), StopTime: at(4), RunTimeSeconds: 2.8, Nodes: []string{"local3"},
			ResultsDir: caseDir("suite/test_b.star/test_flaky/1", "test_log.info", "test_log.debug", "report.json")},
		{TestID: sampleIgnoredID, ModuleName: "suite/test_b.star", FunctionName: "test_skip", InjectedArgs: map[string]any{"acks": 0},
			TestStatus: StatusIgnore, StartTime: at(0.5), StopTime: at(0.5)},
	}
	for _, res := range results {
		if err := r.Add(res); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Finish(start.Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return r, dir
}

// parseJUnit reads the session's report.xml back.
func parseJUnit(t *testing.T, dir string) junitSuites {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "report.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "<?xml") {
		t.Errorf("report.xml does not start with an XML declaration: %.40q", data)
	}
	var doc junitSuites
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("report.xml is not XML: %v", err)
	}
	return doc
}

func TestJUnitSuitesPerFileAndCounts(t *testing.T) {
	_, dir := sampleReport(t)
	doc := parseJUnit(t, dir)
	if doc.Tests != 5 || doc.Failures != 2 || doc.Errors != 0 || doc.Time != "5.000" {
		t.Errorf("testsuites: tests=%d failures=%d errors=%d time=%s, want 5, 2, 0, 5.000", doc.Tests, doc.Failures, doc.Errors, doc.Time)
	}
	type counts struct {
		name                     string
		tests, failures, skipped int
		time                     string
	}
	want := []counts{
		{sampleLoadFile, 1, 1, 0, "0.000"},
		{"suite/test_a.star", 2, 1, 0, "3.750"},
		{"suite/test_b.star", 2, 0, 1, "2.800"},
	}
	if len(doc.Suites) != len(want) {
		t.Fatalf("got %d testsuites, want %d (one per file)", len(doc.Suites), len(want))
	}
	for i, w := range want {
		s := doc.Suites[i]
		got := counts{s.Name, s.Tests, s.Failures, s.Skipped, s.Time}
		if got != w {
			t.Errorf("testsuite %d = %+v, want %+v", i, got, w)
		}
		// Every file's earliest case started in the session's first second.
		if want := "2026-11-24T10:00:00"; s.Timestamp != want {
			t.Errorf("testsuite %s timestamp %q, want %q", s.Name, s.Timestamp, want)
		}
	}
}

func TestJUnitCaseMapping(t *testing.T) {
	_, dir := sampleReport(t)
	doc := parseJUnit(t, dir)
	cases := map[string]*junitCase{}
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Classname != s.Name {
				t.Errorf("testcase %q: classname %q, want its file %q", c.Name, c.Classname, s.Name)
			}
			cases[c.Name] = c
		}
	}

	pass := cases["test_ok"]
	if pass == nil || pass.Failure != nil || pass.Skipped != nil || pass.SystemOut != nil || pass.Time != "1.500" {
		t.Errorf("PASS case = %+v, want a plain testcase with time 1.500", pass)
	}

	fail := cases[`test_bad@{"msg":"<b>&\"q\"</script>"}`]
	if fail == nil || fail.Failure == nil {
		t.Fatalf("FAIL case missing or without <failure>: %+v", fail)
	}
	if fail.Failure.Message != "assertion failed: 1 < 2 & \"x\" </script>" {
		t.Errorf("failure message = %q, want the summary's first line", fail.Failure.Message)
	}
	text := fail.Failure.Text
	if !strings.HasPrefix(text, sampleFailSum) {
		t.Errorf("failure text does not start with the full summary:\n%s", text)
	}
	if !strings.Contains(text, "log line 11\n") || !strings.HasSuffix(text, "log line 60") || strings.Contains(text, "log line 10\n") {
		t.Errorf("failure text should end with exactly lines 11-60 of test_log.info:\n%s", text)
	}

	flaky := cases["test_flaky"]
	if flaky == nil || flaky.Failure != nil || flaky.Skipped != nil || flaky.SystemOut == nil ||
		!strings.HasPrefix(flaky.SystemOut.Text, "FLAKY") || !strings.Contains(flaky.SystemOut.Text, "attempt 1: timed out") {
		t.Errorf("FLAKY case = %+v, want a passed testcase with a FLAKY note and its summary in <system-out>", flaky)
	}

	ignored := cases[`test_skip@{"acks":0}`]
	if ignored == nil || ignored.Skipped == nil || ignored.Failure != nil {
		t.Errorf("IGNORE case = %+v, want <skipped/>", ignored)
	}

	load := cases[sampleLoadFile]
	if load == nil || load.Failure == nil || load.Classname != sampleLoadFile {
		t.Fatalf("load failure = %+v, want a failed testcase named after the file", load)
	}
	if load.Failure.Message != "could not load suite/test_broken.star: suite/test_broken.star:3:1: got '<', want primary expression" || !strings.Contains(load.Failure.Text, "got '<', want primary expression") {
		t.Errorf("load failure's <failure> = %+v", load.Failure)
	}
}

func TestJUnitEscapesInvalidXMLCharacters(t *testing.T) {
	r := NewReport("0.1.0", "s", t.TempDir(), time.Now())
	if err := r.Add(&Result{TestID: "f.star::test_x", ModuleName: "f.star", FunctionName: "test_x", TestStatus: StatusFail,
		Summary: "colour \x1b[31mred\x1b[0m, a NUL \x00, bad UTF-8 \xff and a CDATA end ]]> here"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Finish(time.Now()); err != nil {
		t.Fatal(err)
	}
	doc := parseJUnit(t, r.dir)
	got := doc.Suites[0].Cases[0].Failure.Text
	if want := "colour \uFFFD[31mred\uFFFD[0m, a NUL \uFFFD, bad UTF-8 \uFFFD and a CDATA end ]]> here"; got != want {
		t.Errorf("failure text = %q, want %q (characters XML cannot hold become U+FFFD)", got, want)
	}
}

// TestJUnitSchema validates report.xml against the JUnit schema in
// testdata (the layout Jenkins, GitLab and GitHub reporters read).
func TestJUnitSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not found: install Debian's libxml2-utils to check report.xml against testdata/junit-10.xsd")
	}
	_, dir := sampleReport(t)
	out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit-10.xsd", filepath.Join(dir, "report.xml")).CombinedOutput()
	if err != nil {
		t.Fatalf("report.xml does not validate: %v\n%s", err, out)
	}

	// The check can fail: a testcase without its required name does not validate.
	bad := filepath.Join(t.TempDir(), "bad.xml")
	os.WriteFile(bad, []byte(`<testsuites><testsuite name="x" tests="1"><testcase time="1"/></testsuite></testsuites>`), 0o644)
	if out, err := exec.Command(xmllint, "--noout", "--schema", "testdata/junit-10.xsd", bad).CombinedOutput(); err == nil {
		t.Errorf("a testcase without a name validated:\n%s", out)
	}
}

func TestTailLines(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	os.WriteFile(path, []byte("a\nb\nc\n"), 0o644)
	if got := tailLines(path, 2); got != "b\nc" {
		t.Errorf("tailLines(2) = %q, want %q", got, "b\nc")
	}
	if got := tailLines(path, 10); got != "a\nb\nc" {
		t.Errorf("tailLines(10) = %q, want %q", got, "a\nb\nc")
	}
	if got := tailLines(filepath.Join(dir, "missing"), 10); got != "" {
		t.Errorf("tailLines of a missing file = %q, want empty", got)
	}
	// A log longer than the window: the line cut by the window is dropped.
	long := strings.Repeat("x", tailWindow) + "\nlast\n"
	os.WriteFile(path, []byte("first\n"+long), 0o644)
	if got := tailLines(path, 3); got != "last" {
		t.Errorf("tailLines of a long log = %.20q, want %q", got, "last")
	}
}

func TestHeadline(t *testing.T) {
	for _, tc := range []struct{ summary, want string }{
		{"plain error", "plain error"},
		{"\nfirst\nsecond", "first"},
		{"Traceback (most recent call last):\n  a.star:8:14: in test_bad\nError in assert.eq: 1 != 2\nmore", "Error in assert.eq: 1 != 2"},
		{"could not load f.star:\nf.star:2:1: got newline, want ':'", "could not load f.star: f.star:2:1: got newline, want ':'"},
		{"setup failed: \nTraceback (most recent call last):\n  a.star:3:1: in setup\nError: boom", "setup failed: Error: boom"},
		{"Traceback (most recent call last):\n  a.star:1:1: in f", "Traceback (most recent call last):"},
		{"ends with:", "ends with:"},
	} {
		if got := headline(tc.summary); got != tc.want {
			t.Errorf("headline(%q) = %q, want %q", tc.summary, got, tc.want)
		}
	}
}
