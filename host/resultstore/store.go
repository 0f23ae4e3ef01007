// Package resultstore is the results store of `ducktape trends` and
// `ducktape serve`: sessions (their report.json, data values and series
// summaries flattened to key = number, check verdicts) kept in a SQLite file
// (modernc.org/sqlite, pure Go) or a PostgreSQL database (pgx), through
// database/sql. One schema, created and upgraded by versioned migrations
// (schema.go), and the same SQL on both: the only difference, the
// placeholders, is made in one place (dialect.rebind).
//
// Each session is imported in one transaction, so a failure leaves nothing
// of it behind; importing a session again is idempotent. The analyses over
// what a store holds are in host/trends.
//
// A Store is safe for concurrent use (database/sql pools its connections).
package resultstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// Store is an open results store.
type Store struct {
	db      *sql.DB
	dialect dialect
	// Location is where the store is, as messages show it: the SQLite
	// file, or the PostgreSQL URL with its password replaced by "xxxxx".
	Location string
	secrets  []string // the password, raw and escaped: never in an error
}

// dialect is what differs between the databases.
type dialect struct {
	driver string
	// numbered placeholders: PostgreSQL's $1, $2... for SQLite's ?.
	numbered bool
}

var (
	sqliteDialect   = dialect{driver: "sqlite"}
	postgresDialect = dialect{driver: "pgx", numbered: true}
)

// rebind writes the ?s of query (none is inside a string literal in this
// package's SQL) as the dialect's placeholders.
func (d dialect) rebind(query string) string {
	if !d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// IsPostgres reports whether location names a PostgreSQL database
// (postgres:// or postgresql://) rather than a SQLite file.
func IsPostgres(location string) bool {
	return strings.HasPrefix(location, "postgres://") || strings.HasPrefix(location, "postgresql://")
}

// Redact returns location with the password of a PostgreSQL URL replaced by
// "xxxxx", for messages and pages.
func Redact(location string) string {
	if !IsPostgres(location) {
		return location
	}
	u, err := url.Parse(location)
	if err != nil {
		return "a PostgreSQL URL that does not parse"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// ErrNoStore is returned by Open without create when a SQLite store's file
// does not exist.
var ErrNoStore = errors.New("no results store")

// Open opens the store at location: a PostgreSQL URL (postgres://...) or
// the path of a SQLite file. Without create a missing SQLite file is
// ErrNoStore; with it the file (and its directory) is made. It creates or
// upgrades the schema, and refuses a file that is not a store and a store
// of a newer schema than this ducktape knows.
func Open(ctx context.Context, location string, create bool) (*Store, error) {
	s := &Store{Location: Redact(location)}
	var dsn string
	switch {
	case IsPostgres(location):
		s.dialect, dsn = postgresDialect, location
		if u, err := url.Parse(location); err == nil {
			if pw, ok := u.User.Password(); ok && pw != "" {
				s.secrets = append(s.secrets, pw, url.QueryEscape(pw), url.PathEscape(pw))
			}
			if pw := u.Query().Get("password"); pw != "" {
				s.secrets = append(s.secrets, pw, url.QueryEscape(pw))
			}
		}
	case strings.Contains(location, "://"):
		return nil, fmt.Errorf("results store %s: want a postgres:// URL or the path of a SQLite file", s.Location)
	default:
		path, err := filepath.Abs(location)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			if !create {
				return nil, fmt.Errorf("%w at %s: import sessions into it first (ducktape trends import)", ErrNoStore, location)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, fmt.Errorf("results store %s: %v", location, err)
			}
		}
		s.dialect = sqliteDialect
		// WAL: readers (ducktape serve) never wait for an import; an
		// immediate transaction takes the write lock at BEGIN, so two
		// writers queue (busy_timeout) instead of failing to upgrade.
		dsn = "file:" + (&url.URL{Path: path}).EscapedPath() +
			"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	}
	db, err := sql.Open(s.dialect.driver, dsn)
	if err != nil {
		return nil, s.wrap(err)
	}
	s.db = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// wrap names the store in err and takes the password out of it.
func (s *Store) wrap(err error) error {
	if err == nil {
		return nil
	}
	return &storeError{msg: s.scrub("results store " + s.Location + ": " + err.Error()), err: err}
}

func (s *Store) scrub(msg string) string {
	for _, secret := range s.secrets {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "xxxxx")
		}
	}
	return msg
}

// storeError is an error of the store, its message without the password.
// It unwraps to the driver's error (for errors.Is on context errors).
type storeError struct {
	msg string
	err error
}

func (e *storeError) Error() string { return e.msg }
func (e *storeError) Unwrap() error { return e.err }

// exec, query and queryRow run SQL written with ? placeholders.
func (s *Store) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	return tx.ExecContext(ctx, s.dialect.rebind(query), args...)
}

func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.rebind(query), args...)
}
