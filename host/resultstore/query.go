package resultstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/ducktape-go/ducktape/host/compare"
	"github.com/ducktape-go/ducktape/host/trends"
)

const sessionColumns = `id, session_id, start_time, driver, ducktape_version, dir, num_results, num_failed`

func scanSession(rows interface{ Scan(...any) error }) (trends.Session, error) {
	var t trends.Session
	err := rows.Scan(&t.Key, &t.ID, &t.StartTime, &t.Driver, &t.Version, &t.Dir, &t.NumResults, &t.NumFailed)
	return t, err
}

// Sessions returns the newest last sessions (every one when last <= 0),
// newest first.
func (s *Store) Sessions(ctx context.Context, last int) ([]trends.Session, error) {
	q := `SELECT ` + sessionColumns + ` FROM trends_sessions ORDER BY start_time DESC, session_id DESC`
	var args []any
	if last > 0 {
		q += ` LIMIT ?`
		args = append(args, last)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	out := []trends.Session{}
	for rows.Next() {
		t, err := scanSession(rows)
		if err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, t)
	}
	return out, s.wrap(rows.Err())
}

// Session returns the session of key; found is false when there is none.
func (s *Store) Session(ctx context.Context, key int64) (t trends.Session, found bool, err error) {
	rows, err := s.query(ctx, `SELECT `+sessionColumns+` FROM trends_sessions WHERE id = ?`, key)
	if err != nil {
		return t, false, s.wrap(err)
	}
	defer rows.Close()
	if rows.Next() {
		t, err = scanSession(rows)
		return t, err == nil, s.wrap(err)
	}
	return t, false, s.wrap(rows.Err())
}

// inSessions is the SQL condition "column is one of the sessions' keys"
// and its arguments.
func inSessions(column string, sessions []trends.Session) (string, []any) {
	if len(sessions) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(sessions))
	for i, t := range sessions {
		args[i] = t.Key
	}
	return column + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(sessions)), ", ") + ")", args
}

// Runs returns the results of the sessions, only those of test testID when
// it is not "".
func (s *Store) Runs(ctx context.Context, sessions []trends.Session, testID string) ([]trends.Run, error) {
	cond, args := inSessions("session", sessions)
	if testID != "" {
		cond += " AND test_id = ?"
		args = append(args, testID)
	}
	rows, err := s.query(ctx, `SELECT session, test_id, status, run_time, summary, results_dir FROM trends_results WHERE `+cond+` ORDER BY session, seq`, args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []trends.Run
	for rows.Next() {
		var r trends.Run
		if err := rows.Scan(&r.Session, &r.TestID, &r.Status, &r.RunTime, &r.Summary, &r.ResultsDir); err != nil {
			return nil, s.wrap(err)
		}
		out = append(out, r)
	}
	return out, s.wrap(rows.Err())
}

// Points returns the data values of the sessions' results, only those of
// test testID when it is not "".
func (s *Store) Points(ctx context.Context, sessions []trends.Session, testID string) ([]trends.Point, error) {
	cond, args := inSessions("r.session", sessions)
	if testID != "" {
		cond += " AND r.test_id = ?"
		args = append(args, testID)
	}
	rows, err := s.query(ctx, `SELECT r.session, r.test_id, v.key, v.value, v.better
		FROM trends_results r JOIN trends_values v ON v.session = r.session AND v.seq = r.seq WHERE `+cond, args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []trends.Point
	for rows.Next() {
		var p trends.Point
		var better string
		if err := rows.Scan(&p.Session, &p.TestID, &p.Key, &p.Value, &better); err != nil {
			return nil, s.wrap(err)
		}
		p.Better = compare.Direction(better)
		out = append(out, p)
	}
	return out, s.wrap(rows.Err())
}

// TestIDs returns up to limit test ids of the sessions' results that
// contain part, sorted.
func (s *Store) TestIDs(ctx context.Context, sessions []trends.Session, part string, limit int) ([]string, error) {
	cond, args := inSessions("session", sessions)
	rows, err := s.query(ctx, `SELECT DISTINCT test_id FROM trends_results WHERE `+cond+` ORDER BY test_id`, args...)
	if err != nil {
		return nil, s.wrap(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap(err)
		}
		if strings.Contains(id, part) && len(out) < limit {
			out = append(out, id)
		}
	}
	return out, s.wrap(rows.Err())
}

// CompareRun returns the stored session of key as `ducktape compare` reads
// a session: its tests in report order (a repeated id numbered "id #2"...),
// their values, and the direction stored with each value standing for the
// threshold compare would find.
func (s *Store) CompareRun(ctx context.Context, key int64) (*compare.Run, error) {
	sess, found, err := s.Session(ctx, key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("results store %s: no session with key %d", s.Location, key)
	}
	run := &compare.Run{Path: sess.Dir, SessionID: sess.ID}
	rows, err := s.query(ctx, `SELECT seq, test_id, status FROM trends_results WHERE session = ? ORDER BY seq`, key)
	if err != nil {
		return nil, s.wrap(err)
	}
	bySeq := map[int]int{}
	seen := map[string]int{}
	err = eachRow(rows, func() error {
		var seq int
		var id, status string
		if err := rows.Scan(&seq, &id, &status); err != nil {
			return err
		}
		seen[id]++
		if n := seen[id]; n > 1 {
			id += " #" + strconv.Itoa(n)
		}
		bySeq[seq] = len(run.Tests)
		run.Tests = append(run.Tests, compare.Test{ID: id, Status: status, Values: map[string]float64{}, Thresholds: map[string]compare.Direction{}})
		return nil
	})
	if err != nil {
		return nil, s.wrap(err)
	}
	rows, err = s.query(ctx, `SELECT seq, key, value, better FROM trends_values WHERE session = ?`, key)
	if err != nil {
		return nil, s.wrap(err)
	}
	err = eachRow(rows, func() error {
		var seq int
		var k, better string
		var v float64
		if err := rows.Scan(&seq, &k, &v, &better); err != nil {
			return err
		}
		if i, ok := bySeq[seq]; ok {
			run.Tests[i].Values[k] = v
			run.Tests[i].Thresholds[k] = compare.Direction(better)
		}
		return nil
	})
	return run, s.wrap(err)
}

// eachRow calls scan for every row, then closes rows.
func eachRow(rows *sql.Rows, scan func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := scan(); err != nil {
			return err
		}
	}
	return rows.Err()
}
