package resultstore

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzImport imports random report.json files into a SQLite store: never a
// panic; a report ParseReport refuses leaves the store as it was; one it
// reads imports, and importing it again changes nothing.
func FuzzImport(f *testing.F) {
	f.Add(string(report("s1", 1000, res{id: "a", status: "PASS", data: map[string]any{"x_ms": 1, "l": []any{1, "x", nil}}, thresholds: []string{"x_ms < 3", "bad <"}})))
	f.Add(string(report("s2", 1000, res{id: "a\x00b", status: "FLAKY", checks: []map[string]any{{"name": "set", "ok": true}}})))
	for _, s := range []string{
		`{"session_id": "m", "start_time": 5, "merged_from": [{"session_id": "m", "start_time": 5, "parts": [0]}, {"session_id": "p", "start_time": 1, "parts": [1]}, {"session_id": "p", "start_time": 1, "parts": [1]}]}`,
		`{"session_id": "x", "results": [{"test_id": "a", "data": {"v": 1e308, "w": -1e308}}, {"test_id": "a", "summary": "` + strings.Repeat("é\n", 600) + `"}]}`,
		`{"session_id": "x", "results": [null]}`, `{"session_id": "", "results": []}`, `{"results": "no"}`, `[]`, ``, `{"session_id": "y", "results": [{"test_id": "z", "relative_results_dir": "../out"}]}`,
		`{"num_passed": 3, "session_context": {"session_id": "python"}, "results": [{"test_id": "x", "cls_name": "T"}]}`,
	} {
		f.Add(s)
	}
	s, err := Open(ctx, filepath.Join(f.TempDir(), "trends.db"), true)
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	f.Fuzz(func(t *testing.T, data string) {
		before := count(t, s, "trends_results")
		sess, err := ParseReport([]byte(data), "/results/fuzz")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			if n := count(t, s, "trends_results"); n != before {
				t.Fatalf("a refused report changed the store: %d results, then %d", before, n)
			}
			return
		}
		if _, err := s.Import(ctx, sess); err != nil {
			t.Fatalf("report %q: Import: %v", data, err)
		}
		if got, err := s.Import(ctx, sess); err != nil || (got != Unchanged && got != InMerged) {
			t.Fatalf("report %q: importing again = %q, %v", data, got, err)
		}
	})
}
