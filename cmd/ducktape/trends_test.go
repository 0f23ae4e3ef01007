package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/trends"
)

// nightlyDir is the nightly suite of the trends tests (host/trendsweb's
// scenario); its test ids are absolute paths, as it is outside the
// current directory.
const nightlyDir = "../../host/trendsweb/testdata/nightly"

// flakyJSON returns `trends flaky --format json` of store.
func flakyJSON(t *testing.T, store string) trends.FlakyReport {
	t.Helper()
	var rep trends.FlakyReport
	code, out, errOut := runCLI(t, "trends", "flaky", "--store", store, "--format", "json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
		t.Fatalf("trends flaky: exit %d, %v\n%s%s", code, err, out, errOut)
	}
	return rep
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs ducktape serve in-process on a free loopback port until
// t ends and returns its URL and its output so far.
func startServe(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	gs := &globalState{ctx: ctx, args: append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), stdin: strings.NewReader(""),
		stdout: out, stderr: out, getenv: func(string) string { return "" }, readFile: os.ReadFile, now: time.Now}
	done := make(chan int, 1)
	go func() { done <- execute(gs) }()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("ducktape serve: exit %d\n%s", code, out)
		}
	})
	addr := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/)`)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			return m[1], out
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("ducktape serve ended: exit %d\n%s", code, out)
		default:
		}
	}
	t.Fatalf("ducktape serve did not say where it listens:\n%s", out)
	return "", nil
}

// TestTrendsImportMergedAndBad: the parts of a split run record themselves,
// and the session ducktape merge makes of them replaces them in the store;
// a damaged report.json, or one of another tool, is refused with nothing
// stored.
func TestTrendsImportMergedAndBad(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	store := filepath.Join(dir, "trends.db")
	var parts []string
	for part := 0; part < 2; part++ {
		code, out, errOut := runCLI(t, "--results-root", results, "--store", store, "--subsets", "2", "--subset", fmt.Sprint(part), "--globals", `{"night": 1}`, nightlyDir)
		if code != exitOK {
			t.Fatalf("part %d: exit %d\n%s%s", part, code, out, errOut)
		}
		parts = append(parts, regexp.MustCompile(`results: (\S+)`).FindStringSubmatch(out)[1])
	}
	merged := filepath.Join(dir, "merged")
	if code, out, errOut := runCLI(t, "merge", "-o", merged, parts[0], parts[1]); code != exitOK {
		t.Fatalf("merge: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"1 added", "1 unchanged", "1 in a merged session"} {
		args := []string{"trends", "import", "--store", store, merged}
		if want == "1 in a merged session" {
			args[len(args)-1] = parts[1]
		}
		if code, out, errOut := runCLI(t, args...); code != exitOK || !strings.Contains(out, want) {
			t.Errorf("trends import %s: exit %d, want %q\n%s%s", args[len(args)-1], code, want, out, errOut)
		}
	}
	if rep := flakyJSON(t, store); len(rep.Sessions) != 1 || rep.Sessions[0].NumResults != 4 {
		t.Errorf("after the merged session: %+v, want it alone with 4 results", rep.Sessions)
	}
	for name, content := range map[string]string{
		"damaged": `{"session_id": "2026-12-01--001", "results": [{"test_id": "a"`,
		"k6":      `{"metrics": {"http_req_duration": {"avg": 12}}, "root_group": {}}`,
	} {
		report := filepath.Join(dir, name, "report.json")
		os.MkdirAll(filepath.Dir(report), 0o755)
		os.WriteFile(report, []byte(content), 0o644)
		code, _, errOut := runCLI(t, "trends", "import", "--store", store, filepath.Dir(report))
		if code != exitUsage || !strings.Contains(errOut, report+": not a ducktape report.json") {
			t.Errorf("importing a %s report.json: exit %d\n%s", name, code, errOut)
		}
	}
	if rep := flakyJSON(t, store); len(rep.Sessions) != 1 {
		t.Errorf("a refused import stored something: %+v", rep.Sessions)
	}
	if code, _, errOut := runCLI(t, "trends", "import", "--store", store, t.TempDir()); code != exitUsage || !strings.Contains(errOut, "no report.json in it nor in its subdirectories") {
		t.Errorf("importing a directory without sessions: exit %d\n%s", code, errOut)
	}
}
