package host

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/starlib"
)

// TestLogFilesBufferOnlyDebugLines checks when each line reaches its
// files: INFO lines at once, in both files, after the DEBUG lines logged
// before them; DEBUG lines alone within the flush delay, and at Close.
func TestLogFilesBufferOnlyDebugLines(t *testing.T) {
	dir := t.TempDir()
	l, err := OpenLogFiles(dir, "test_log")
	if err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	at := time.Date(2026, 12, 1, 20, 0, 0, 5e6, time.Local)
	l.Log(starlib.Record{Time: at, Level: starlib.LevelDebug, Pos: "test_x.star:3", Msg: "local1$ true"})
	l.Log(starlib.Record{Time: at, Level: starlib.LevelInfo, Msg: "running"})
	want := "[DEBUG   2026-12-01 20:00:00.005 test_x.star:3] local1$ true\n[INFO    2026-12-01 20:00:00.005] running\n"
	if got := read("test_log.debug"); got != want {
		t.Errorf("test_log.debug after an INFO line:\n%q\nwant\n%q", got, want)
	}
	if got := read("test_log.info"); got != "[INFO    2026-12-01 20:00:00.005] running\n" {
		t.Errorf("test_log.info: %q", got)
	}
	l.Log(starlib.Record{Time: at, Level: starlib.LevelDebug, Msg: "later"})
	for deadline := time.Now().Add(10 * time.Second); !strings.HasSuffix(read("test_log.debug"), "] later\n"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a DEBUG line was not written within 10 s:\n%s", read("test_log.debug"))
		}
	}
	l.Log(starlib.Record{Time: at, Level: starlib.LevelDebug, Msg: "last"})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if got := read("test_log.debug"); !strings.HasSuffix(got, "] later\n[DEBUG   2026-12-01 20:00:00.005] last\n") {
		t.Errorf("Close did not write the last DEBUG line:\n%s", got)
	}
}
