package resultstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ducktape-go/ducktape/host/trends"
)

// The speed of the store (docs/performance.md, "Results store"): importing
// sessions of benchResults results each, at 10k, 100k and 1M results in
// all, beside a plain INSERT loop of as many rows on the same kind of
// database (the floor), and answering `trends flaky --last 30` from the 1M
// store.
//
//	go test ./host/resultstore -run '^$' -bench . -benchtime 1x

const benchResults = 1000

// benchReport is session i's report.json: benchResults results, one in
// ten flaky, each with three data values.
func benchReport(i int) []byte {
	results := make([]map[string]any, benchResults)
	for j := range results {
		status := "PASS"
		if j%10 == 0 && (i+j)%3 == 0 {
			status = "FAIL"
		}
		results[j] = map[string]any{"test_id": fmt.Sprintf("suite/test_%03d.star::test_case@{\"n\": %d}", j/10, j), "test_status": status,
			"run_time_seconds": 1.5, "start_time": 1e9, "summary": "ok", "nodes_allocated": 3, "nodes": []string{"n1", "n2", "n3"},
			"relative_results_dir": fmt.Sprintf("suite/test_%d/1", j),
			"data":                 map[string]any{"latency_ms": map[string]any{"p50": 3 + i%5, "p99": 9 + i%7}, "ops_per_sec": 1000 + i%11}}
	}
	data, _ := json.Marshal(map[string]any{"session_id": fmt.Sprintf("2026-01-01--%04d", i), "start_time": 1e9 + float64(i)*86400, "results": results})
	return data
}

// importSessions imports n sessions into a new store at path (making the
// store is not timed).
func importSessions(b *testing.B, path string, n int) *Store {
	b.StopTimer()
	s, err := Open(ctx, path, true)
	if err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	for i := 0; i < n; i++ {
		b.StopTimer()
		data := benchReport(i)
		b.StartTimer()
		sess, err := ParseReport(data, "/results/x")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(ctx, sess); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

var sizes = []int{10_000, 100_000, 1_000_000}

func sizeName(results int) string { return fmt.Sprintf("results=%dk", results/1000) }

// BenchmarkImport imports sessions from their report.json bytes (parsing
// included) into SQLite: its ns/result should stay flat as the store
// grows.
func BenchmarkImport(b *testing.B) {
	for _, results := range sizes {
		b.Run(sizeName(results), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				importSessions(b, filepath.Join(b.TempDir(), "trends.db"), results/benchResults).Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*results), "ns/result")
		})
	}
}

// BenchmarkInsertFloor is the floor: a plain loop of single-row INSERTs of
// as many result rows (no values, no parsing) into one table of the same
// columns, a transaction per benchResults rows, on SQLite opened as the
// store opens it.
func BenchmarkInsertFloor(b *testing.B) {
	for _, results := range sizes {
		b.Run(sizeName(results), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := Open(ctx, filepath.Join(b.TempDir(), "floor.db"), true)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := insertLoop(s.db, results); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*results), "ns/result")
		})
	}
}

func insertLoop(db *sql.DB, rows int) error {
	if _, err := db.Exec(`CREATE TABLE floor (session BIGINT, seq INTEGER, test_id TEXT, status TEXT, run_time DOUBLE PRECISION,
		start_time DOUBLE PRECISION, summary TEXT, nodes_allocated INTEGER, nodes TEXT, results_dir TEXT, PRIMARY KEY (session, seq))`); err != nil {
		return err
	}
	for session := 0; session < rows/benchResults; session++ {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		for seq := 0; seq < benchResults; seq++ {
			if _, err := tx.Exec(`INSERT INTO floor VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, session, seq,
				fmt.Sprintf("suite/test_%03d.star::test_case@{\"n\": %d}", seq/10, seq), "PASS", 1.5, 1e9, "ok", 3, "n1,n2,n3", "suite/test/1"); err != nil {
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkFlaky answers `trends flaky --last 30` (its queries and the
// analysis) from a store of 1,000 sessions of 1,000 results.
func BenchmarkFlaky(b *testing.B) {
	b.StopTimer()
	s := importSessions(b, filepath.Join(b.TempDir(), "trends.db"), 1000)
	defer s.Close()
	b.StartTimer()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sessions, err := s.Sessions(ctx, 30)
		if err != nil {
			b.Fatal(err)
		}
		runs, err := s.Runs(ctx, sessions, "")
		if err != nil {
			b.Fatal(err)
		}
		if rep := trends.Flaky(sessions, runs); len(rep.Flaky) == 0 {
			b.Fatal("no flaky test found")
		}
	}
}
