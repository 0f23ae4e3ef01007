package host

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// readRerun parses the session's rerun-failed.yml as a suite file.
func readRerun(t *testing.T, dir string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, RerunFileName))
	if err != nil {
		t.Fatal(err)
	}
	var suites map[string][]string
	if err := yaml.Unmarshal(data, &suites); err != nil {
		t.Fatalf("%s is not a YAML suite file: %v\n%s", RerunFileName, err, data)
	}
	return suites
}

// resolveSuiteSymbol resolves a suite file's symbol as the suite reader
// does (its path relative to the suite file's directory) and returns the
// path as an absolute path, and the rest of the symbol.
func resolveSuiteSymbol(t *testing.T, suiteDir, symbol string) (string, string) {
	t.Helper()
	path, rest := symbol, ""
	if i := strings.Index(symbol, "::"); i >= 0 {
		path, rest = symbol[:i], symbol[i:]
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(suiteDir, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs, rest
}

func TestRerunListsExactlyTheFailedCases(t *testing.T) {
	_, dir := sampleReport(t)
	got := readRerun(t, dir)["failed"]
	want := []string{sampleLoadFile, sampleFailID}
	if len(got) != len(want) {
		t.Fatalf("%s lists %q, want the cases %q", RerunFileName, got, want)
	}
	// Each symbol selects the failed case again: the same file (its path
	// relative to the suite file's directory) and the same test@params.
	for i, symbol := range got {
		if _, err := ParseSymbol(symbol); err != nil {
			t.Errorf("%q: %v", symbol, err)
		}
		gotPath, gotRest := resolveSuiteSymbol(t, dir, symbol)
		wantPath, wantRest := resolveSuiteSymbol(t, ".", want[i])
		if gotPath != wantPath || gotRest != wantRest {
			t.Errorf("symbol %q selects %s%s, want %s%s", symbol, gotPath, gotRest, wantPath, wantRest)
		}
	}
}

func TestRerunPathsClimbOutOfTheResultsRoot(t *testing.T) {
	t.Chdir(t.TempDir())
	dir := filepath.Join("results", "2026-11-24--001")
	os.MkdirAll(dir, 0o755)
	r := NewReport("0.1.0", "2026-11-24--001", dir, time.Now())
	r.Add(&Result{TestID: `suite/a.star::test_x@{"k":1}`, ModuleName: "suite/a.star", FunctionName: "test_x", TestStatus: StatusFail})
	r.Add(&Result{TestID: "/abs/b.star::test_y", ModuleName: "/abs/b.star", FunctionName: "test_y", TestStatus: StatusFail})
	if err := r.Finish(time.Now()); err != nil {
		t.Fatal(err)
	}
	want := []string{`../../suite/a.star::test_x@{"k":1}`, "/abs/b.star::test_y"}
	if got := readRerun(t, dir)["failed"]; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failed = %q, want %q (paths relative to the session directory; absolute ones kept)", got, want)
	}
}

func TestRerunListsRepeatedFailuresOnce(t *testing.T) {
	r := NewReport("0.1.0", "s", t.TempDir(), time.Now())
	for _, st := range []Status{StatusFail, StatusPass, StatusFail} {
		r.Add(&Result{TestID: `a.star::test_x@{"m":"a: b #c, [d]"}`, ModuleName: "a.star", FunctionName: "test_x", TestStatus: st})
	}
	if err := r.Finish(time.Now()); err != nil {
		t.Fatal(err)
	}
	got := readRerun(t, r.dir)["failed"]
	if len(got) != 1 || !strings.HasSuffix(got[0], `/a.star::test_x@{"m":"a: b #c, [d]"}`) {
		t.Errorf("failed = %q, want the case once", got)
	}
}

func TestRerunRemovedWhenNothingFailed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, RerunFileName)
	os.WriteFile(path, []byte("failed: [stale.star]\n"), 0o644) // from an earlier write
	r := NewReport("0.1.0", "s", dir, time.Now())
	for _, st := range []Status{StatusPass, StatusFlaky, StatusIgnore} {
		r.Add(&Result{TestID: "a.star::test_" + string(st), ModuleName: "a.star", FunctionName: "test_x", TestStatus: st})
	}
	if err := r.Finish(time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists after a session where nothing failed (stat: %v)", RerunFileName, err)
	}
}
