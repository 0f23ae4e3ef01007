package starlib

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/services/clients"
)

// sqlBuiltins declare the sql module and its values.
func sqlBuiltins() []Builtin {
	return []Builtin{
		module("sql", "SQL clients (PostgreSQL with pgx, MySQL and MariaDB with go-sql-driver/mysql): `load(\"@ducktape//clients\", \"sql\")`."),
		function("sql.connect", "sql.connect(node, driver, port = None, user = None, password = None, database = None, timeout_sec = 5)",
			"Connects to the database server on node (at its externally routable IP) and checks that it answers; returns a connection. driver: \"postgres\" or \"mysql\" (MariaDB too). Defaults: port 5432 or 3306, user \"postgres\" or \"root\", database \"postgres\" or none. timeout_sec bounds connecting and every call. The password never appears in logs or errors.",
			sqlConnect),
		attribute("sql.connection.query", "sql.connection.query(sql, *args, timeout_sec = None)", "Runs a query and returns its rows, each a list of values. Placeholders: $1, $2... (PostgreSQL), ? (MySQL). Values both ways: int, float, bool, string, bytes, None; PostgreSQL arrays as lists."),
		attribute("sql.connection.exec", "sql.connection.exec(sql, *args, timeout_sec = None)", "Runs a statement and returns the number of rows it affected."),
		attribute("sql.connection.begin", "sql.connection.begin(isolation = \"default\", read_only = False, timeout_sec = None)", "Opens a transaction: isolation \"read-uncommitted\", \"read-committed\", \"repeatable-read\", \"serializable\" or \"default\" (the server's). One at a time per connection; meanwhile use its own query and exec."),
		attribute("sql.connection.close", "sql.connection.close()", "Closes the connection (rolling back an open transaction). What a test leaves open is closed when it ends."),
		attribute("sql.transaction.query", "sql.transaction.query(sql, *args, timeout_sec = None)", "Runs a query in the transaction."),
		attribute("sql.transaction.exec", "sql.transaction.exec(sql, *args, timeout_sec = None)", "Runs a statement in the transaction; returns the rows affected."),
		attribute("sql.transaction.commit", "sql.transaction.commit(timeout_sec = None)", "Commits the transaction. A serialization failure is a definite error; a timeout or a lost connection is not (the commit may have happened)."),
		attribute("sql.transaction.rollback", "sql.transaction.rollback(timeout_sec = None)", "Rolls the transaction back."),
	}
}

// sqlConnect is sql.connect(...).
func sqlConnect(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var nodeV, timeoutV starlark.Value
	var driverName string
	var port int
	var user, password, database starlark.Value = starlark.None, starlark.None, starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "node", &nodeV, "driver", &driverName, "port?", &port,
		"user?", &user, "password?", &password, "database?", &database, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	node, err := clientNode(b.Name(), nodeV)
	if err != nil {
		return nil, err
	}
	d, err := clients.ParseDriver(driverName)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	defaults := map[clients.Driver]struct {
		port           int
		user, database string
	}{clients.Postgres: {5432, "postgres", "postgres"}, clients.MySQL: {3306, "root", ""}}[d]
	if port == 0 {
		port = defaults.port
	}
	if err := clientPort(b.Name(), port); err != nil {
		return nil, err
	}
	opts := clients.SQLOptions{Driver: d}
	for _, f := range []struct {
		name string
		v    starlark.Value
		dst  *string
		def  string
	}{{"user", user, &opts.User, defaults.user}, {"password", password, &opts.Password, ""}, {"database", database, &opts.Database, defaults.database}} {
		*f.dst = f.def
		if f.v == starlark.None {
			continue
		}
		s, ok := starlark.AsString(f.v)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a string or None, not %s", b.Name(), f.name, f.v.Type())
		}
		*f.dst = s
	}
	if opts.Timeout, err = clientTimeout(b.Name(), timeoutV, defaultClientTimeout); err != nil {
		return nil, err
	}
	reg, err := clientRegistry(thread, b.Name())
	if err != nil {
		return nil, err
	}
	opts.Endpoint = clients.NodeEndpoint(node, port)
	conn, err := Blocking(thread, func(ctx context.Context) (*clients.SQL, error) {
		return clients.ConnectSQL(ctx, reg, opts)
	})
	if err != nil {
		return nil, err
	}
	return &sqlConnValue{clientValue{"sql.connection"}, conn}, nil
}

// sqlConnValue is a SQL connection.
type sqlConnValue struct {
	clientValue
	c *clients.SQL
}

func (v *sqlConnValue) String() string { return "<" + v.c.String() + ">" }
func (v *sqlConnValue) AttrNames() []string {
	return []string{"begin", "close", "exec", "query"}
}

func (v *sqlConnValue) Attr(name string) (starlark.Value, error) {
	m := sqlStatements(v.c)
	m["begin"] = v.begin
	m["close"] = func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return closeClient(thread, b, args, kwargs, v.c.Close)
	}
	return methods(v.typ, name, m)
}

// begin is db.begin(isolation = "default", read_only = False, timeout_sec = None).
func (v *sqlConnValue) begin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	isolation := "default"
	var readOnly bool
	var timeoutV starlark.Value
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "isolation?", &isolation, "read_only?", &readOnly, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	level, err := clients.ParseIsolation(isolation)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	timeout, err := clientTimeout(b.Name(), timeoutV, 0)
	if err != nil {
		return nil, err
	}
	tx, err := Blocking(thread, func(ctx context.Context) (*clients.SQLTx, error) {
		return v.c.Begin(ctx, timeout, sql.IsolationLevel(level), readOnly)
	})
	if err != nil {
		return nil, err
	}
	return &sqlTxValue{clientValue{"sql.transaction"}, tx, v.c.String(), clients.IsolationName(level)}, nil
}

// sqlTxValue is an open (or ended) transaction.
type sqlTxValue struct {
	clientValue
	tx        *clients.SQLTx
	conn      string
	isolation string
}

func (v *sqlTxValue) String() string {
	return fmt.Sprintf("<%s transaction on %s>", v.isolation, v.conn)
}
func (v *sqlTxValue) AttrNames() []string { return []string{"commit", "exec", "query", "rollback"} }

func (v *sqlTxValue) Attr(name string) (starlark.Value, error) {
	m := sqlStatements(v.tx)
	m["commit"] = sqlEnd(v.tx.Commit)
	m["rollback"] = sqlEnd(v.tx.Rollback)
	return methods(v.typ, name, m)
}

// sqlRunner is what query and exec run on: a connection, or its
// transaction.
type sqlRunner interface {
	Query(ctx context.Context, timeout time.Duration, query string, args []any) (clients.Rows, error)
	Exec(ctx context.Context, timeout time.Duration, query string, args []any) (int64, error)
}

// sqlStatements are the query and exec methods of r.
func sqlStatements(r sqlRunner) map[string]builtinFunc {
	return map[string]builtinFunc{
		"query": sqlStatement(func(ctx context.Context, d time.Duration, q string, a []any) (any, error) {
			rows, err := r.Query(ctx, d, q, a)
			return rowsValue(rows), err
		}),
		"exec": sqlStatement(func(ctx context.Context, d time.Duration, q string, a []any) (any, error) {
			return r.Exec(ctx, d, q, a)
		}),
	}
}

// sqlStatement makes query and exec: (sql, *args, timeout_sec = None),
// run by fn with the lock released; its result (a value of package
// clients) is converted once the lock is back.
func sqlStatement(fn func(ctx context.Context, timeout time.Duration, query string, args []any) (any, error)) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var timeoutV starlark.Value
		if err := starlark.UnpackArgs(b.Name(), nil, kwargs, "timeout_sec?", &timeoutV); err != nil {
			return nil, err
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: missing the statement", b.Name())
		}
		query, ok := starlark.AsString(args[0])
		if !ok {
			return nil, fmt.Errorf("%s: the statement must be a string, not %s", b.Name(), args[0].Type())
		}
		values, err := toClientValues(b.Name(), args[1:])
		if err != nil {
			return nil, err
		}
		timeout, err := clientTimeout(b.Name(), timeoutV, 0)
		if err != nil {
			return nil, err
		}
		result, err := Blocking(thread, func(ctx context.Context) (any, error) { return fn(ctx, timeout, query, values) })
		if err != nil {
			return nil, err
		}
		return fromClientValue(result), nil
	}
}

// sqlEnd makes commit and rollback: (timeout_sec = None).
func sqlEnd(fn func(ctx context.Context, timeout time.Duration) error) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var timeoutV starlark.Value
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, "timeout_sec?", &timeoutV); err != nil {
			return nil, err
		}
		timeout, err := clientTimeout(b.Name(), timeoutV, 0)
		if err != nil {
			return nil, err
		}
		_, err = Blocking(thread, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx, timeout) })
		if err != nil {
			return nil, err
		}
		return starlark.None, nil
	}
}

// rowsValue is a query's rows as a value of package clients: a list of
// lists.
func rowsValue(rows clients.Rows) any {
	out := make([]any, len(rows))
	for i, r := range rows {
		out[i] = r
	}
	return out
}

// closeClient is the close() of every client.
func closeClient(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, close func() error) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	_, err := Blocking(thread, func(context.Context) (struct{}, error) { return struct{}{}, close() })
	if err != nil {
		return nil, err
	}
	return starlark.None, nil
}
