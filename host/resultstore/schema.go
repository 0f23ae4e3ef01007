package resultstore

import (
	"context"
	"fmt"
	"strings"
)

// migrations are the schema's versions: migrations[i] takes a store from
// version i to i+1. Never edit one that was released; add the next. Every
// statement must mean the same on SQLite and PostgreSQL: types both accept
// (BIGINT, INTEGER, DOUBLE PRECISION, TEXT), no auto-increment (keys are
// computed: sessionKey), no foreign keys (deletes are explicit, in
// deleteSession). The tables are prefixed trends_, so a team's PostgreSQL
// database can hold other things too.
var migrations = [][]string{
	{
		// One row per session. id is sessionKey(session_id, start_time);
		// fingerprint is the SHA-256 of the report.json it was imported
		// from (the same session imported again is unchanged).
		`CREATE TABLE trends_sessions (
			id BIGINT PRIMARY KEY,
			session_id TEXT NOT NULL,
			start_time DOUBLE PRECISION NOT NULL,
			stop_time DOUBLE PRECISION NOT NULL,
			suite_id TEXT NOT NULL,
			subsets INTEGER NOT NULL,
			parts TEXT NOT NULL,
			driver TEXT NOT NULL,
			ducktape_version TEXT NOT NULL,
			dir TEXT NOT NULL,
			fingerprint TEXT NOT NULL,
			num_results INTEGER NOT NULL,
			num_passed INTEGER NOT NULL,
			num_failed INTEGER NOT NULL,
			num_flaky INTEGER NOT NULL,
			num_ignored INTEGER NOT NULL,
			imported_at DOUBLE PRECISION NOT NULL
		)`,
		`CREATE INDEX trends_sessions_start ON trends_sessions (start_time)`,
		// The sessions a merged session was made of (ducktape merge), by
		// their keys: importing one of them later is a no-op.
		`CREATE TABLE trends_merged (
			part BIGINT PRIMARY KEY,
			merged BIGINT NOT NULL
		)`,
		`CREATE INDEX trends_merged_merged ON trends_merged (merged)`,
		// One row per result; seq is its place in report.json. Every
		// query names the sessions (a window of the newest), so the primary
		// key is the only index: one on test_id would be updated at a
		// thousand places per session, which is what made an import's cost
		// grow with the store.
		`CREATE TABLE trends_results (
			session BIGINT NOT NULL,
			seq INTEGER NOT NULL,
			test_id TEXT NOT NULL,
			status TEXT NOT NULL,
			run_time DOUBLE PRECISION NOT NULL,
			start_time DOUBLE PRECISION NOT NULL,
			summary TEXT NOT NULL,
			nodes_allocated INTEGER NOT NULL,
			nodes TEXT NOT NULL,
			results_dir TEXT NOT NULL,
			PRIMARY KEY (session, seq)
		)`,
		// A result's data values and series summaries, flattened; better
		// is the direction compare takes for the key ("lower", "higher",
		// "").
		`CREATE TABLE trends_values (
			session BIGINT NOT NULL,
			seq INTEGER NOT NULL,
			key TEXT NOT NULL,
			value DOUBLE PRECISION NOT NULL,
			better TEXT NOT NULL,
			PRIMARY KEY (session, seq, key)
		)`,
		// A result's check verdicts: verdict is "ok", "failed" or "unknown".
		`CREATE TABLE trends_checks (
			session BIGINT NOT NULL,
			seq INTEGER NOT NULL,
			n INTEGER NOT NULL,
			name TEXT NOT NULL,
			model TEXT NOT NULL,
			verdict TEXT NOT NULL,
			summary TEXT NOT NULL,
			PRIMARY KEY (session, seq, n)
		)`,
	},
}

// SchemaVersion is the schema version this ducktape writes.
var SchemaVersion = len(migrations)

// migrate brings the schema up to SchemaVersion, in one transaction that
// holds the version row's lock (so two ducktapes opening a new store at
// once do not both create it).
func (s *Store) migrate(ctx context.Context) error {
	if err := s.checkForeign(ctx); err != nil {
		return err
	}
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS trends_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)`,
		`INSERT INTO trends_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return s.wrap(notAStore(err))
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE trends_schema SET version = version WHERE id = 1`); err != nil {
		return s.wrap(err)
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT version FROM trends_schema WHERE id = 1`).Scan(&version); err != nil {
		return s.wrap(err)
	}
	if version > SchemaVersion {
		return s.wrap(fmt.Errorf("its schema is version %d, newer than this ducktape's (%d): use the ducktape that wrote it, or a newer one", version, SchemaVersion))
	}
	if version == SchemaVersion {
		return nil
	}
	for v := version; v < SchemaVersion; v++ {
		for _, q := range migrations[v] {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return s.wrap(fmt.Errorf("upgrading its schema to version %d: %w", v+1, err))
			}
		}
	}
	if _, err := s.exec(ctx, tx, `UPDATE trends_schema SET version = ? WHERE id = 1`, SchemaVersion); err != nil {
		return s.wrap(err)
	}
	return s.wrap(tx.Commit())
}

// checkForeign refuses a SQLite file that holds tables but not a store's:
// another program's database is left alone.
func (s *Store) checkForeign(ctx context.Context) error {
	if s.dialect != sqliteDialect {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return s.wrap(notAStore(err))
	}
	defer rows.Close()
	var foreign []string
	ours := false
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return s.wrap(err)
		}
		if name == "trends_schema" {
			ours = true
		} else if !strings.HasPrefix(name, "trends_") {
			foreign = append(foreign, name)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap(notAStore(err))
	}
	if !ours && len(foreign) > 0 {
		return s.wrap(fmt.Errorf("a SQLite database, but not a ducktape results store (it has tables %s): give another --store", strings.Join(foreign, ", ")))
	}
	return nil
}

// notAStore explains SQLite's answer to a file that is no database.
func notAStore(err error) error {
	if strings.Contains(err.Error(), "file is not a database") {
		return fmt.Errorf("not a results store: the file is not a SQLite database (%v)", err)
	}
	return err
}
