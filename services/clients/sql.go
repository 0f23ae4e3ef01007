package clients

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// SQLOptions configure a SQL connection.
type SQLOptions struct {
	Driver   Driver // Postgres or MySQL (see ParseDriver)
	Endpoint Endpoint
	User     string
	Password string // never printed: errors and String leave it out
	Database string
	// Timeout bounds connecting and each call that gives no timeout of its
	// own.
	Timeout time.Duration
}

// SQL is one connection to a database server, as a Jepsen client holds
// one: a database/sql pool of at most one connection, so that every call
// goes to the same server session, and a connection that broke is
// replaced on the next call (database/sql retries only what was never
// sent). At most one transaction is open at a time; while it is, the
// connection's own calls are refused (use the transaction's). Calls of
// several threads wait for each other. Safe for concurrent use.
type SQL struct {
	opts SQLOptions
	reg  *Registry
	db   *sql.DB
	busy chan struct{} // held by the call in progress

	mu     sync.Mutex // guards tx and closed
	tx     *SQLTx
	closed bool
}

// ConnectSQL connects to the database that opts describe and checks that
// it answers (a failure to connect or to log in is an error now, and a
// definite one), registering the connection with reg.
func ConnectSQL(ctx context.Context, reg *Registry, opts SQLOptions) (*SQL, error) {
	c := call{client: "sql", ep: opts.Endpoint, op: "connect as " + strconv.Quote(opts.User) + " to database " + strconv.Quote(opts.Database)}
	var connector driver.Connector
	switch opts.Driver {
	case Postgres:
		cfg, err := postgresConfig(opts)
		if err != nil {
			return nil, c.definiteError(err)
		}
		connector = stdlib.GetConnector(*cfg)
	case MySQL:
		cfg, err := mysqlConfig(opts)
		if err != nil {
			return nil, c.definiteError(err)
		}
		if connector, err = mysql.NewConnector(cfg); err != nil {
			return nil, c.definiteError(err)
		}
	default:
		return nil, c.definiteError(fmt.Errorf("unknown driver %q", opts.Driver))
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	s := &SQL{opts: opts, reg: reg, db: db, busy: make(chan struct{}, 1)}
	callCtx, cancel := callContext(ctx, opts.Timeout)
	defer cancel()
	if err := db.PingContext(callCtx); err != nil {
		db.Close()
		return nil, c.fail(explain(ctx, callCtx, err), true) // nothing of the test's was sent
	}
	if err := reg.add(s); err != nil {
		db.Close()
		return nil, c.definiteError(err)
	}
	return s, nil
}

// postgresConfig is pgx's configuration of opts: no TLS (test servers
// have none, and sslmode=prefer would dial twice), no environment or
// passfile defaults for what opts set, the node's dialer, and host names
// resolved by the node's network rather than the driver's.
func postgresConfig(opts SQLOptions) (*pgx.ConnConfig, error) {
	host, port, err := splitHostPort(opts.Endpoint.Address)
	if err != nil {
		return nil, err
	}
	cfg, err := pgx.ParseConfig("sslmode=disable")
	if err != nil {
		return nil, err
	}
	cfg.Host, cfg.Port = host, port
	cfg.User, cfg.Password, cfg.Database = opts.User, opts.Password, opts.Database
	cfg.ConnectTimeout = opts.Timeout
	cfg.DialFunc = opts.Endpoint.Dial
	cfg.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	cfg.Fallbacks = nil
	return cfg, nil
}

// mysqlConfig is go-sql-driver/mysql's configuration of opts, with the
// node's dialer and no log lines of the driver's own on the runner's
// output.
func mysqlConfig(opts SQLOptions) (*mysql.Config, error) {
	cfg := mysql.NewConfig()
	cfg.Net, cfg.Addr = "tcp", opts.Endpoint.Address
	cfg.User, cfg.Passwd, cfg.DBName = opts.User, opts.Password, opts.Database
	cfg.Timeout = opts.Timeout
	cfg.DialFunc = opts.Endpoint.Dial
	cfg.Logger = mysql.Logger(silentLogger{})
	return cfg, nil
}

type silentLogger struct{}

func (silentLogger) Print(...any) {}

func splitHostPort(address string) (string, uint16, error) {
	host, p, err := net.SplitHostPort(address)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil {
		return "", 0, fmt.Errorf("bad port in %q", address)
	}
	return host, uint16(port), nil
}

// String names the connection, without its password.
func (s *SQL) String() string {
	return fmt.Sprintf("sql %s connection to %s as %q, database %q", s.opts.Driver, s.opts.Endpoint.where(), s.opts.User, s.opts.Database)
}

// Driver returns the connection's driver.
func (s *SQL) Driver() Driver { return s.opts.Driver }

// Rows are the result of a query: each row a list of column values (see
// the package doc for their types).
type Rows [][]any

// Query runs query with args (placeholders $1, $2... for PostgreSQL, ? for
// MySQL) and returns its rows. timeout 0 is the connection's.
func (s *SQL) Query(ctx context.Context, timeout time.Duration, query string, args []any) (Rows, error) {
	return s.query(ctx, call{client: "sql", ep: s.opts.Endpoint, op: "query " + quoteSQL(query)}, timeout, nil, query, args)
}

// Exec runs a statement with args and returns the number of rows it
// affected.
func (s *SQL) Exec(ctx context.Context, timeout time.Duration, query string, args []any) (int64, error) {
	return s.exec(ctx, call{client: "sql", ep: s.opts.Endpoint, op: "exec " + quoteSQL(query)}, timeout, nil, query, args)
}

// queryer is what a call runs on: the connection's pool or its open
// transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// run runs fn under the call's timeout, once the other threads' calls on
// the connection are over, on tx (when not nil: a transaction's call)
// or else on the pool. Its error is classified: a transaction's
// statements are definite (nothing commits before commit), the others by
// sqlDefinite.
func (s *SQL) run(ctx context.Context, c call, timeout time.Duration, tx *SQLTx, fn func(context.Context, queryer) error) error {
	callCtx, release, err := s.startCall(ctx, c, timeout)
	if err != nil {
		return err
	}
	defer release()
	s.mu.Lock()
	closed, open := s.closed, s.tx
	s.mu.Unlock()
	var q queryer = s.db
	switch {
	case closed:
		return c.definiteError(errors.New("the connection is closed"))
	case tx != nil && open != tx:
		return c.definiteError(errors.New("the transaction has ended (committed or rolled back)"))
	case tx != nil:
		q = tx.tx
	case open != nil:
		return c.definiteError(errors.New("a transaction is open on this connection: call the transaction's query and exec, or commit or roll it back first"))
	}
	if err = fn(callCtx, q); err == nil {
		return nil
	}
	var conv *conversionError
	switch {
	case errors.As(err, &conv):
		return c.fail(err, false) // the statement ran
	case tx != nil:
		return c.fail(explain(ctx, callCtx, err), true)
	}
	return c.fail(explain(ctx, callCtx, err), sqlDefinite(err))
}

// startCall starts a call: its context, with its timeout (0: the
// connection's), once the calls of other threads on the connection are
// over. release ends the call.
func (s *SQL) startCall(ctx context.Context, c call, timeout time.Duration) (callCtx context.Context, release func(), err error) {
	if timeout <= 0 {
		timeout = s.opts.Timeout
	}
	callCtx, cancel := callContext(ctx, timeout)
	select {
	case s.busy <- struct{}{}:
		return callCtx, func() { <-s.busy; cancel() }, nil
	case <-callCtx.Done():
		cancel()
		return nil, nil, c.definiteError(fmt.Errorf("another thread's call on this connection did not end within %s (give each thread its own connection)", timeout))
	}
}

// SQLTx is a transaction open on a SQL connection. Its statements take
// effect at Commit only: their failures are definite; Commit's is
// classified as any call's.
type SQLTx struct {
	s  *SQL
	tx *sql.Tx
	// cancel ends the context database/sql holds the transaction by: the
	// test's, so that the transaction outlives Begin's call and is rolled
	// back when the test ends.
	cancel context.CancelFunc
}

// Begin opens a transaction with the isolation level (LevelDefault: the
// server's) and read-only mode. It fails while another is open.
func (s *SQL) Begin(ctx context.Context, timeout time.Duration, iso sql.IsolationLevel, readOnly bool) (*SQLTx, error) {
	c := call{client: "sql", ep: s.opts.Endpoint, op: "begin " + IsolationName(iso)}
	var t *SQLTx
	err := s.run(ctx, c, timeout, nil, func(callCtx context.Context, _ queryer) error {
		// database/sql rolls a transaction back when the context it began
		// with ends, so it begins with the test's; the call's timeout
		// cancels that context only while BEGIN is in flight.
		txCtx, cancelTx := context.WithCancel(ctx)
		stop := context.AfterFunc(callCtx, cancelTx)
		tx, err := s.db.BeginTx(txCtx, &sql.TxOptions{Isolation: iso, ReadOnly: readOnly})
		if !stop() || err != nil {
			cancelTx()
			if err == nil {
				err = context.Cause(callCtx)
			}
			return err
		}
		t = &SQLTx{s: s, tx: tx, cancel: cancelTx}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.tx = t
	s.mu.Unlock()
	return t, nil
}

// Query runs a query in the transaction.
func (t *SQLTx) Query(ctx context.Context, timeout time.Duration, query string, args []any) (Rows, error) {
	return t.s.query(ctx, call{client: "sql", ep: t.s.opts.Endpoint, op: "query " + quoteSQL(query) + " in a transaction"}, timeout, t, query, args)
}

// Exec runs a statement in the transaction and returns the number of rows
// it affected.
func (t *SQLTx) Exec(ctx context.Context, timeout time.Duration, query string, args []any) (int64, error) {
	return t.s.exec(ctx, call{client: "sql", ep: t.s.opts.Endpoint, op: "exec " + quoteSQL(query) + " in a transaction"}, timeout, t, query, args)
}

// Commit commits the transaction. Its failure is classified as a
// statement's outside a transaction: a serialization failure is definite,
// a lost connection or a timeout is not.
func (t *SQLTx) Commit(ctx context.Context, timeout time.Duration) error {
	return t.end(ctx, timeout, "commit", func(callCtx context.Context) error {
		// database/sql's Commit takes no context: the call's timeout ends
		// the transaction's context, which makes database/sql give up.
		stop := context.AfterFunc(callCtx, t.cancel)
		defer stop()
		return t.tx.Commit()
	})
}

// Rollback rolls the transaction back; its failure is definite (nothing
// of the transaction commits).
func (t *SQLTx) Rollback(ctx context.Context, timeout time.Duration) error {
	return t.end(ctx, timeout, "rollback", func(callCtx context.Context) error {
		stop := context.AfterFunc(callCtx, t.cancel)
		defer stop()
		return t.tx.Rollback()
	})
}

// end commits or rolls back: the transaction is over whatever happens.
func (t *SQLTx) end(ctx context.Context, timeout time.Duration, op string, fn func(context.Context) error) error {
	s := t.s
	c := call{client: "sql", ep: s.opts.Endpoint, op: op}
	callCtx, release, err := s.startCall(ctx, c, timeout)
	if err != nil {
		return err
	}
	defer release()
	s.mu.Lock()
	if s.tx != t {
		s.mu.Unlock()
		return c.definiteError(errors.New("the transaction has ended already"))
	}
	s.tx = nil
	s.mu.Unlock()
	err = fn(callCtx)
	t.cancel()
	if err == nil {
		return nil
	}
	err = explain(ctx, callCtx, err)
	if op == "rollback" || errors.Is(err, sql.ErrTxDone) {
		return c.fail(err, true)
	}
	return c.fail(err, sqlDefinite(err))
}

// Close closes the connection (rolling back an open transaction).
func (s *SQL) Close() error {
	s.reg.remove(s)
	return s.close()
}

func (s *SQL) close() error {
	s.mu.Lock()
	s.closed = true
	tx := s.tx
	s.tx = nil
	s.mu.Unlock()
	if tx != nil {
		tx.cancel()
	}
	return s.db.Close()
}

// query runs a query on the pool or on tx; a bad argument fails before
// anything is sent.
func (s *SQL) query(ctx context.Context, c call, timeout time.Duration, tx *SQLTx, query string, args []any) (Rows, error) {
	goArgs, err := SQLArgs(s.opts.Driver, args)
	if err != nil {
		return nil, c.definiteError(err)
	}
	var rows Rows
	err = s.run(ctx, c, timeout, tx, func(callCtx context.Context, q queryer) error {
		var err error
		rows, err = runQuery(callCtx, q, query, goArgs)
		return err
	})
	return rows, err
}

// exec runs a statement on the pool or on tx.
func (s *SQL) exec(ctx context.Context, c call, timeout time.Duration, tx *SQLTx, query string, args []any) (int64, error) {
	goArgs, err := SQLArgs(s.opts.Driver, args)
	if err != nil {
		return 0, c.definiteError(err)
	}
	var n int64
	err = s.run(ctx, c, timeout, tx, func(callCtx context.Context, q queryer) error {
		res, err := q.ExecContext(callCtx, query, goArgs...)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// runQuery runs query on q and converts its rows.
func runQuery(ctx context.Context, q queryer, query string, args []any) (Rows, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = t.DatabaseTypeName()
	}
	out := Rows{}
	raw := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]any, len(raw))
		for i, v := range raw {
			if row[i], err = SQLValue(names[i], v); err != nil {
				return nil, &conversionError{fmt.Errorf("column %d (%s): %w", i+1, types[i].Name(), err)}
			}
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// conversionError is a reply that could not be converted: the call itself
// ran.
type conversionError struct{ err error }

func (e *conversionError) Error() string { return e.err.Error() }
func (e *conversionError) Unwrap() error { return e.err }

// quoteSQL abbreviates a statement for errors.
func quoteSQL(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 80 {
		q = q[:77] + "..."
	}
	return strconv.Quote(q)
}

// sqlDefinite classifies the failure of a statement run outside a
// transaction (autocommit) or of a commit: definite when nothing was sent
// (no connection; database/sql's retries of what was never sent ran out)
// or when the server rejected it (any server error but those of an
// interrupted server or connection); not definite for timeouts and
// connections lost after sending.
func sqlDefinite(err error) bool {
	var pgErr *pgconn.PgError
	var myErr *mysql.MySQLError
	var pgConnect *pgconn.ConnectError
	switch {
	case notSent(err), errors.As(err, &pgConnect):
		return true
	case errors.As(err, &pgErr):
		return !postgresIndefinite(pgErr.Code)
	case errors.As(err, &myErr):
		return !mysqlIndefinite(myErr.Number)
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), errors.Is(err, sql.ErrTxDone):
		return true
	case pgconn.SafeToRetry(err):
		return true
	}
	return false
}

// postgresIndefinite reports the SQLSTATEs after which a statement may
// have committed: the connection failed (class 08), the server shut down
// or crashed under it (57P01-57P03), system and internal errors (58,
// XX), and statement_completion_unknown (40003).
func postgresIndefinite(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "58"), strings.HasPrefix(code, "XX"):
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03", "40003":
		return true
	}
	return false
}

// mysqlIndefinite reports the MySQL and MariaDB error numbers after which
// a statement may have committed: the server shutting down (1053), the
// connection or query killed (1927, 1317), an error during commit
// (1180), the client's lost connections (2006, 2013).
func mysqlIndefinite(n uint16) bool {
	switch n {
	case 1053, 1180, 1317, 1927, 2006, 2013:
		return true
	}
	return false
}
