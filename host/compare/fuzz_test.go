package compare

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCompare compares the base fixture with a random report.json, as
// `ducktape compare` does: never a panic; a report Load refuses gives an
// error naming the file; one it reads compares and writes in every format,
// the JSON one valid JSON.
func FuzzCompare(f *testing.F) {
	for _, name := range []string{"base", "improved", "regressed"} {
		data, err := os.ReadFile(filepath.Join("testdata", name, "report.json"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	for _, s := range []string{
		`{"results": [{"test_id": "a", "data": {"x": 1e308}}]}`,
		`{"results": [{"test_id": "suite/test_perf.star::test_redis", "data": {"latency_ms": {"mean": -1.7e308, "p99": 5e-324}}}]}`, `{"results": [{"test_id": ""}]}`, `{"results": [null]}`,
		`{"results": [{"test_id": "a", "data": "text", "thresholds": [{"expr": "x < "}]}]}`, `[]`, ``,
	} {
		f.Add(s)
	}
	base, err := Load(filepath.Join("testdata", "base", "report.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, report string) {
		path := filepath.Join(t.TempDir(), "report.json")
		if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
		run, err := Load(path)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path+": ") {
				t.Fatalf("Load(%q): error %q does not name the file", report, err)
			}
			return
		}
		for _, pair := range [][2]*Run{{base, run}, {run, base}} {
			c := Compare(pair[0], pair[1], Options{Tolerance: 0.1})
			for _, format := range Formats {
				var out bytes.Buffer
				if err := c.Write(&out, format); err != nil {
					t.Fatalf("report %q: writing the comparison as %s: %v", report, format, err)
				}
				if format == "json" && !json.Valid(out.Bytes()) {
					t.Fatalf("report %q: the JSON comparison is not JSON:\n%s", report, out.Bytes())
				}
			}
		}
	})
}
