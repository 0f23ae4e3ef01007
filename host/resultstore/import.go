package resultstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Imported says what Import did with a session.
type Imported string

const (
	Added     Imported = "added"
	Updated   Imported = "updated"   // stored before from another report.json (the run had not ended): replaced
	Unchanged Imported = "unchanged" // stored before from the same report.json
	// InMerged: the session is a part of a merged session already stored,
	// which holds its results.
	InMerged Imported = "in a merged session"
)

// Import stores the session in one transaction: on any error nothing of it
// is stored (and what was stored before stays). A session stored before
// from the same report.json is left as it is; from another one (a session
// imported while it ran, then again) replaced. A merged session replaces
// the sessions it was made of, and a session that is part of a stored
// merged session is not stored again.
func (s *Store) Import(ctx context.Context, sess *Session) (Imported, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", s.wrap(err)
	}
	defer tx.Rollback()
	outcome, err := s.importTx(ctx, tx, sess)
	if err != nil {
		return "", s.wrap(fmt.Errorf("importing session %s: %w", sess.ID, err))
	}
	if err := tx.Commit(); err != nil {
		return "", s.wrap(fmt.Errorf("importing session %s: %w", sess.ID, err))
	}
	return outcome, nil
}

func (s *Store) importTx(ctx context.Context, tx *sql.Tx, sess *Session) (Imported, error) {
	var merged int64
	switch err := tx.QueryRowContext(ctx, s.dialect.rebind(`SELECT merged FROM trends_merged WHERE part = ?`), sess.Key).Scan(&merged); err {
	case nil:
		return InMerged, nil
	case sql.ErrNoRows:
	default:
		return "", err
	}
	outcome := Added
	var fingerprint string
	switch err := tx.QueryRowContext(ctx, s.dialect.rebind(`SELECT fingerprint FROM trends_sessions WHERE id = ?`), sess.Key).Scan(&fingerprint); err {
	case nil:
		if fingerprint == sess.Fingerprint {
			return Unchanged, nil
		}
		outcome = Updated
		if err := s.deleteSession(ctx, tx, sess.Key); err != nil {
			return "", err
		}
	case sql.ErrNoRows:
	default:
		return "", err
	}
	for _, part := range sess.MergedFrom {
		if err := s.deleteSession(ctx, tx, part); err != nil {
			return "", err
		}
		// A part of another merged session (merged twice) moves to this one.
		if _, err := s.exec(ctx, tx, `DELETE FROM trends_merged WHERE part = ?`, part); err != nil {
			return "", err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO trends_merged (part, merged) VALUES (?, ?)`, part, sess.Key); err != nil {
			return "", err
		}
	}
	parts := make([]string, len(sess.Parts))
	for i, p := range sess.Parts {
		parts[i] = strconv.Itoa(p)
	}
	if _, err := s.exec(ctx, tx, `INSERT INTO trends_sessions (id, session_id, start_time, stop_time, suite_id, subsets, parts, driver,
		ducktape_version, dir, fingerprint, num_results, num_passed, num_failed, num_flaky, num_ignored, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sess.Key, text(sess.ID), sess.StartTime, sess.StopTime, text(sess.SuiteID), sess.Subsets, strings.Join(parts, ","), text(sess.Driver),
		text(sess.Version), text(sess.Dir), sess.Fingerprint, len(sess.Results), sess.Counts[0], sess.Counts[1], sess.Counts[2], sess.Counts[3],
		float64(time.Now().UnixMicro())/1e6); err != nil {
		return "", err
	}
	results := s.newBatch(tx, "trends_results", "session, seq, test_id, status, run_time, start_time, summary, nodes_allocated, nodes, results_dir")
	values := s.newBatch(tx, "trends_values", "session, seq, key, value, better")
	checks := s.newBatch(tx, "trends_checks", "session, seq, n, name, model, verdict, summary")
	defer results.close()
	defer values.close()
	defer checks.close()
	for seq, r := range sess.Results {
		if err := results.add(ctx, sess.Key, seq, text(r.TestID), text(r.Status), r.RunTime, r.StartTime, text(r.Summary),
			r.NodesAllocated, text(strings.Join(r.Nodes, ",")), text(r.ResultsDir)); err != nil {
			return "", err
		}
		for _, v := range r.Values {
			if err := values.add(ctx, sess.Key, seq, text(v.Key), v.Value, string(v.Better)); err != nil {
				return "", err
			}
		}
		for n, c := range r.Checks {
			if err := checks.add(ctx, sess.Key, seq, n, text(c.Name), text(c.Model), c.Verdict, text(c.Summary)); err != nil {
				return "", err
			}
		}
	}
	for _, b := range []*batch{results, values, checks} {
		if err := b.flush(ctx); err != nil {
			return "", err
		}
	}
	return outcome, nil
}

// deleteSession deletes a session's rows from every table.
func (s *Store) deleteSession(ctx context.Context, tx *sql.Tx, key int64) error {
	for _, q := range []string{
		`DELETE FROM trends_values WHERE session = ?`,
		`DELETE FROM trends_checks WHERE session = ?`,
		`DELETE FROM trends_results WHERE session = ?`,
		`DELETE FROM trends_merged WHERE merged = ?`,
		`DELETE FROM trends_sessions WHERE id = ?`,
	} {
		if _, err := s.exec(ctx, tx, q, key); err != nil {
			return err
		}
	}
	return nil
}

// text makes s storable: PostgreSQL refuses NUL in TEXT (a report.json
// may hold \u0000).
func text(s string) string { return strings.ReplaceAll(s, "\x00", "") }

// batchRows is how many rows one INSERT carries: multi-row VALUES lists
// save a round trip (PostgreSQL) or a statement step (SQLite) per row.
const batchRows = 100

// batch inserts rows into a table batchRows at a time, with one prepared
// statement for full batches.
type batch struct {
	s       *Store
	tx      *sql.Tx
	table   string
	columns string
	width   int
	args    []any
	full    *sql.Stmt
}

func (s *Store) newBatch(tx *sql.Tx, table, columns string) *batch {
	return &batch{s: s, tx: tx, table: table, columns: columns, width: strings.Count(columns, ",") + 1}
}

func (b *batch) statement(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.width), ", ") + ")"
	return b.s.dialect.rebind("INSERT INTO " + b.table + " (" + b.columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", rows), ", "))
}

func (b *batch) add(ctx context.Context, row ...any) error {
	b.args = append(b.args, row...)
	if len(b.args) < batchRows*b.width {
		return nil
	}
	if b.full == nil {
		stmt, err := b.tx.PrepareContext(ctx, b.statement(batchRows))
		if err != nil {
			return err
		}
		b.full = stmt
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args = b.args[:0]
	return err
}

// flush inserts the rows of a partial batch.
func (b *batch) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.statement(len(b.args)/b.width), b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batch) close() {
	if b.full != nil {
		b.full.Close()
	}
}
