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

func TestRerunListsExactlyTheFailedIDs(t *testing.T) {
	_, dir := sampleReport(t)
	got := readRerun(t, dir)
	want := []string{sampleLoadFile, sampleFailID}
	if len(got) != 1 || strings.Join(got["failed"], "\n") != strings.Join(want, "\n") {
		t.Errorf("%s = %q, want {failed: %q}", RerunFileName, got, want)
	}
	// Each id is a symbol that selects its case again.
	for _, id := range got["failed"] {
		if _, err := ParseSymbol(id); err != nil {
			t.Errorf("%q: %v", id, err)
		}
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
	if got := readRerun(t, r.dir)["failed"]; len(got) != 1 || got[0] != `a.star::test_x@{"m":"a: b #c, [d]"}` {
		t.Errorf("failed = %q, want the id once", got)
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
