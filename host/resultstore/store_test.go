package resultstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/compare"
	"github.com/ducktape-go/ducktape/host/pgtest"
	"github.com/ducktape-go/ducktape/host/trends"
)

var ctx = context.Background()

// res is a result of a fixture report.
type res struct {
	id, status string
	data       any
	thresholds []string
	checks     []map[string]any
}

// report is a fixture report.json of session id started at start.
func report(id string, start float64, results ...res) []byte {
	var rs []map[string]any
	for i, r := range results {
		m := map[string]any{"test_id": r.id, "test_status": r.status, "data": r.data, "run_time_seconds": float64(i + 1),
			"summary": "line 1\nline 2", "nodes": []string{"node1"}, "nodes_allocated": 1, "relative_results_dir": "t/" + r.id}
		var ths []map[string]any
		for _, e := range r.thresholds {
			ths = append(ths, map[string]any{"expr": e, "ok": true})
		}
		m["thresholds"], m["checks"] = ths, r.checks
		rs = append(rs, m)
	}
	data, err := json.Marshal(map[string]any{"ducktape_version": "0.1.0", "session_id": id, "start_time": start, "stop_time": start + 10,
		"driver": "drv", "num_passed": 1, "results": rs, "suite": map[string]any{"id": "sha256:ab", "num_cases": 2, "subsets": 1, "parts": []int{0}}})
	if err != nil {
		panic(err)
	}
	return data
}

func parse(t testing.TB, data []byte) *Session {
	t.Helper()
	s, err := ParseReport(data, "/results/x")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// backend opens stores of one kind.
type backend struct {
	name string
	// location returns the location of a new, empty store.
	location func(t *testing.T) string
}

// backends are SQLite, and PostgreSQL on a server started for the test
// (each store a database of its own).
func backends(t *testing.T) []backend {
	bs := []backend{{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "trends.db") }}}
	server := pgtest.Start(t)
	n := 0
	bs = append(bs, backend{"postgres", func(t *testing.T) string {
		n++
		return server.CreateDatabase(t, fmt.Sprintf("store%d", n))
	}})
	return bs
}

func open(t *testing.T, location string) *Store {
	t.Helper()
	s, err := Open(ctx, location, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustImport(t *testing.T, s *Store, data []byte, want Imported) {
	t.Helper()
	got, err := s.Import(ctx, parse(t, data))
	if err != nil || got != want {
		t.Fatalf("Import = %q, %v; want %q", got, err, want)
	}
}

// count returns the number of rows of table.
func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStore runs the same checks on SQLite and PostgreSQL.
func TestStore(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name+"/import and query", func(t *testing.T) { testImportQuery(t, open(t, b.location(t))) })
		t.Run(b.name+"/idempotent", func(t *testing.T) { testIdempotent(t, open(t, b.location(t))) })
		t.Run(b.name+"/merged", func(t *testing.T) { testMerged(t, open(t, b.location(t))) })
		t.Run(b.name+"/newer schema", func(t *testing.T) { testNewerSchema(t, b.location(t)) })
	}
}

func testImportQuery(t *testing.T, s *Store) {
	perf := res{id: "a.star::test_perf", status: "PASS", data: map[string]any{"latency_ms": map[string]any{"p99": 12.5, "count": 100}, "score": 3, "name": "x"},
		thresholds: []string{"score > 1"}, checks: []map[string]any{{"name": "linearizable", "model": "kv", "ok": true, "summary": "fine"}, {"name": "set", "ok": false, "unknown": true}}}
	fail := res{id: "a.star::test_fail", status: "FAIL"}
	mustImport(t, s, report("2026-12-01--001", 1000, perf, fail), Added)
	mustImport(t, s, report("2026-12-02--001", 2000, perf, res{id: "a.star::test_fail", status: "PASS"}), Added)
	// The same session id on another driver (another start): a session of its own.
	mustImport(t, s, report("2026-12-01--001", 1500, perf), Added)

	all, err := s.Sessions(ctx, 0)
	if err != nil || len(all) != 3 {
		t.Fatalf("Sessions = %v, %v", all, err)
	}
	if all[0].ID != "2026-12-02--001" || all[1].StartTime != 1500 || all[2].StartTime != 1000 || all[0].Driver != "drv" || all[0].NumResults != 2 || all[0].Dir != "/results/x" {
		t.Errorf("sessions (newest first) %+v", all)
	}
	last2, _ := s.Sessions(ctx, 2)
	if len(last2) != 2 || last2[1].StartTime != 1500 {
		t.Errorf("last 2: %+v", last2)
	}
	runs, err := s.Runs(ctx, last2, "")
	if err != nil || len(runs) != 3 {
		t.Fatalf("Runs = %+v, %v", runs, err)
	}
	runs, _ = s.Runs(ctx, all, "a.star::test_fail")
	if len(runs) != 2 || runs[0].Status+runs[1].Status != "FAILPASS" && runs[0].Status+runs[1].Status != "PASSFAIL" || runs[0].Summary != "line 1\nline 2" || runs[0].ResultsDir != "t/a.star::test_fail" {
		t.Errorf("runs of test_fail: %+v", runs)
	}
	pts, err := s.Points(ctx, all[2:], "a.star::test_perf")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range pts {
		got[p.Key] = fmt.Sprint(p.Value, " ", p.Better)
	}
	if fmt.Sprint(got) != "map[latency_ms.count:100  latency_ms.p99:12.5 lower score:3 higher]" {
		t.Errorf("points %v", got)
	}
	if n := count(t, s, "trends_checks"); n != 6 {
		t.Errorf("%d check rows, want 6", n)
	}
	var verdicts string
	s.db.QueryRow(`SELECT min(verdict) || max(verdict) FROM trends_checks`).Scan(&verdicts)
	if verdicts != "okunknown" {
		t.Errorf("verdicts %q", verdicts)
	}
	if ids, err := s.TestIDs(ctx, all, "fai", 10); err != nil || fmt.Sprint(ids) != "[a.star::test_fail]" {
		t.Errorf("TestIDs = %v, %v", ids, err)
	}
	if sess, found, err := s.Session(ctx, all[0].Key); err != nil || !found || sess.ID != "2026-12-02--001" {
		t.Errorf("Session = %+v, %v, %v", sess, found, err)
	}
	if _, found, err := s.Session(ctx, 42); err != nil || found {
		t.Errorf("Session(42) = %v, %v", found, err)
	}
	// The stored sessions compare as their report.json files do.
	old, err := s.CompareRun(ctx, all[2].Key)
	if err != nil {
		t.Fatal(err)
	}
	newer, _ := s.CompareRun(ctx, all[0].Key)
	c := compare.Compare(old, newer, compare.Options{Tolerance: 0.1})
	if len(c.Tests) != 2 || c.Tests[1].OldStatus != "FAIL" || c.Tests[1].NewStatus != "PASS" || c.Regressions != 0 || len(c.Tests[0].Rows) != 3 {
		t.Errorf("comparison %+v", c)
	}
	// The analyses run over what the store returns.
	rep := trends.Flaky(all, mustRuns(t, s, all))
	if len(rep.Flaky) != 0 || len(rep.Steps) != 1 || rep.Steps[0].TestID != "a.star::test_fail" {
		t.Errorf("flaky report %+v", rep)
	}
}

func mustRuns(t *testing.T, s *Store, sessions []trends.Session) []trends.Run {
	t.Helper()
	runs, err := s.Runs(ctx, sessions, "")
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

func testIdempotent(t *testing.T, s *Store) {
	partial := report("2026-12-01--001", 1000, res{id: "a", status: "PASS", data: map[string]any{"x_ms": 1}})
	mustImport(t, s, partial, Added)
	mustImport(t, s, partial, Unchanged)
	// The run went on: its final report.json replaces what was stored.
	final := report("2026-12-01--001", 1000, res{id: "a", status: "PASS", data: map[string]any{"x_ms": 1}}, res{id: "b", status: "FAIL"})
	mustImport(t, s, final, Updated)
	mustImport(t, s, final, Unchanged)
	for table, want := range map[string]int{"trends_sessions": 1, "trends_results": 2, "trends_values": 1} {
		if n := count(t, s, table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
}

func testMerged(t *testing.T, s *Store) {
	part0 := report("2026-12-01--001", 1000, res{id: "a", status: "PASS"})
	part1 := report("2026-12-01--001", 1001, res{id: "b", status: "FAIL"})
	mustImport(t, s, part0, Added)
	mustImport(t, s, part1, Added)
	var m map[string]any
	json.Unmarshal(report("2026-12-01--002", 1000, res{id: "a", status: "PASS"}, res{id: "b", status: "FAIL"}), &m)
	m["merged_from"] = []map[string]any{
		{"dir": "p0", "session_id": "2026-12-01--001", "parts": []int{0}, "start_time": 1000},
		{"dir": "p1", "session_id": "2026-12-01--001", "parts": []int{1}, "start_time": 1001},
	}
	merged, _ := json.Marshal(m)
	mustImport(t, s, merged, Added)
	sessions, _ := s.Sessions(ctx, 0)
	if len(sessions) != 1 || sessions[0].ID != "2026-12-01--002" || count(t, s, "trends_results") != 2 {
		t.Fatalf("after importing the merged session: %+v, %d results", sessions, count(t, s, "trends_results"))
	}
	// A part imported again (its driver recording itself late, an import
	// of a whole results directory) stays in the merged session.
	mustImport(t, s, part1, InMerged)
	mustImport(t, s, merged, Unchanged)
	if n := count(t, s, "trends_sessions"); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

func testNewerSchema(t *testing.T, location string) {
	s := open(t, location)
	if _, err := s.db.Exec(`UPDATE trends_schema SET version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(ctx, location, true)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("its schema is version 99, newer than this ducktape's (%d)", SchemaVersion)) {
		t.Errorf("opening a store of a newer schema: %v", err)
	}
}

// TestNotAStore: a missing file is not created by a reader; a file that is
// no database, and another program's database, are refused and left as
// they were.
func TestNotAStore(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "sub", "trends.db")
	if _, err := Open(ctx, missing, false); !errors.Is(err, ErrNoStore) {
		t.Errorf("Open(missing) = %v, want ErrNoStore", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("a reader created %s", filepath.Dir(missing))
	}
	junk := filepath.Join(dir, "junk.db")
	content := strings.Repeat("not a database at all\n", 300)
	os.WriteFile(junk, []byte(content), 0o644)
	if _, err := Open(ctx, junk, true); err == nil || !strings.Contains(err.Error(), "not a results store: the file is not a SQLite database") {
		t.Errorf("Open(junk) = %v", err)
	}
	if data, _ := os.ReadFile(junk); string(data) != content {
		t.Error("the junk file was changed")
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err == nil {
		_, err = db.Exec(`CREATE TABLE customers (id INTEGER)`)
		db.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, other, true); err == nil || !strings.Contains(err.Error(), "a SQLite database, but not a ducktape results store (it has tables customers)") {
		t.Errorf("Open(other) = %v", err)
	}
	if _, err := Open(ctx, "mysql://db/x", true); err == nil || !strings.Contains(err.Error(), "want a postgres:// URL or the path of a SQLite file") {
		t.Errorf("Open(mysql://) = %v", err)
	}
}

// TestRollback: an import that fails part way (here a trigger refuses one
// value) leaves nothing of the session, and the store as it was.
func TestRollback(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "trends.db"))
	mustImport(t, s, report("s1", 1000, res{id: "a", status: "PASS"}), Added)
	if _, err := s.db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON trends_values WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END`); err != nil {
		t.Fatal(err)
	}
	var many []res
	for i := 0; i < 250; i++ {
		many = append(many, res{id: fmt.Sprint("t", i), status: "PASS", data: map[string]any{"ok": 1}})
	}
	many = append(many, res{id: "last", status: "PASS", data: map[string]any{"boom": 1}})
	_, err := s.Import(ctx, parse(t, report("s2", 2000, many...)))
	if err == nil || !strings.Contains(err.Error(), "importing session s2") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Import = %v", err)
	}
	for table, want := range map[string]int{"trends_sessions": 1, "trends_results": 1, "trends_values": 0} {
		if n := count(t, s, table); n != want {
			t.Errorf("%s: %d rows after the failed import, want %d", table, n, want)
		}
	}
}

// TestPostgresGoesAway kills the server while an import waits on a lock
// part way through (its session and results written, its check verdicts
// not): the import fails with an error that names the store without its
// password, and once the server is back the session is not there; imported
// again, it is whole.
func TestPostgresGoesAway(t *testing.T) {
	server := pgtest.Start(t)
	location := server.CreateDatabase(t, "away")
	s := open(t, location)
	blocker, err := sql.Open("pgx", location)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Close()
	tx, err := blocker.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`LOCK TABLE trends_checks IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var many []res
	for i := 0; i < 300; i++ {
		many = append(many, res{id: fmt.Sprint("t", i), status: "PASS", data: map[string]any{"x_ms": i}})
	}
	many = append(many, res{id: "checked", status: "PASS", checks: []map[string]any{{"name": "set", "ok": true}}})
	sess := parse(t, report("s1", 1000, many...))
	done := make(chan error, 1)
	go func() { _, err := s.Import(ctx, sess); done <- err }()
	// Wait until the import waits for the lock.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		blocker.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO trends_checks%'`).Scan(&waiting)
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import never reached the check verdicts")
		}
		time.Sleep(20 * time.Millisecond)
	}
	server.Kill()
	select {
	case err = <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the import did not return after the server died")
	}
	if err == nil || !strings.Contains(err.Error(), "importing session s1") || !strings.Contains(err.Error(), Redact(location)) || strings.Contains(err.Error(), server.Password) {
		t.Errorf("import error: %v", err)
	}
	server.Restart(t)
	s2 := open(t, location)
	for table, want := range map[string]int{"trends_sessions": 0, "trends_results": 0, "trends_values": 0} {
		if n := count(t, s2, table); n != want {
			t.Errorf("%s: %d rows after the server died mid-import, want %d", table, n, want)
		}
	}
	mustImport(t, s2, report("s1", 1000, many...), Added)
	if n := count(t, s2, "trends_results"); n != 301 {
		t.Errorf("%d results after importing again, want 301", n)
	}
}

// TestPasswordNotInErrors: a wrong password, and a server that is not
// there, give errors that name the store without the password.
func TestPasswordNotInErrors(t *testing.T) {
	server := pgtest.Start(t)
	wrong := strings.Replace(server.URL("postgres"), server.Password, "s3cr3t-wr0ng-pw", 1)
	_, err := Open(ctx, wrong, true)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-wr0ng-pw") || !strings.Contains(err.Error(), "password authentication failed") || !strings.Contains(err.Error(), "postgres:xxxxx@") {
		t.Errorf("wrong password: %v", err)
	}
	location := server.URL("postgres")
	server.Kill()
	_, err = Open(ctx, location, true)
	if err == nil || strings.Contains(err.Error(), server.Password) || !strings.Contains(err.Error(), "connect") {
		t.Errorf("no server: %v", err)
	}
	if r := Redact("postgres://u:p%40ss@h/db?password=other&sslmode=disable"); r != "postgres://u:xxxxx@h/db?password=xxxxx&sslmode=disable" {
		t.Errorf("Redact = %s", r)
	}
}

// TestGist: the end of a summary is kept (a backtrace ends with its error),
// bounded in lines and bytes, cut on a character boundary.
func TestGist(t *testing.T) {
	long := "Traceback (most recent call last):\n" + strings.Repeat("  frame\n", 20) + "Error in fail: fail: broken\n"
	if g := gist(long); g != "  frame\n  frame\n  frame\n  frame\nError in fail: fail: broken" {
		t.Errorf("gist = %q", g)
	}
	if g := gist(strings.Repeat("é", 600)); len(g) != summaryBytes || g != strings.Repeat("é", 500) {
		t.Errorf("gist of a long line: %d bytes", len(g))
	}
	if r := (trends.Run{Summary: "a\nb\n"}); r.Gist() != "b" {
		t.Errorf("Gist = %q", r.Gist())
	}
}
