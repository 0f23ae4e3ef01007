package clients

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/go-zookeeper/zk"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/ducktape-go/ducktape/cluster"
)

// refused is a failure to connect, as a node's dialer reports it.
var refused = &cluster.ConnectError{Node: "n1", Address: "10.0.0.1:5432", Err: syscall.ECONNREFUSED}

// replyError is a Redis error reply, as go-redis returns them.
type replyError string

func (e replyError) Error() string { return string(e) }
func (replyError) RedisError()     {}

// TestClassification is the table of docs/checkers.md ("Outcomes of
// client calls"): which failures are definite.
func TestClassification(t *testing.T) {
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: &timeoutError{time.Second}}
	for _, c := range []struct {
		name     string
		classify func(error) bool
		err      error
		definite bool
	}{
		{"sql: refused", sqlDefinite, fmt.Errorf("wrapped: %w", refused), true},
		{"sql: serialization failure", sqlDefinite, &pgconn.PgError{Code: "40001"}, true},
		{"sql: unique violation", sqlDefinite, &pgconn.PgError{Code: "23505"}, true},
		{"sql: deadlock", sqlDefinite, &pgconn.PgError{Code: "40P01"}, true},
		{"sql: canceled by the server", sqlDefinite, &pgconn.PgError{Code: "57014"}, true},
		{"sql: admin shutdown", sqlDefinite, &pgconn.PgError{Code: "57P01"}, false},
		{"sql: connection failure", sqlDefinite, &pgconn.PgError{Code: "08006"}, false},
		{"sql: completion unknown", sqlDefinite, &pgconn.PgError{Code: "40003"}, false},
		{"sql: internal", sqlDefinite, &pgconn.PgError{Code: "XX000"}, false},
		{"mysql: duplicate key", sqlDefinite, &mysql.MySQLError{Number: 1062}, true},
		{"mysql: deadlock", sqlDefinite, &mysql.MySQLError{Number: 1213}, true},
		{"mysql: lock wait timeout", sqlDefinite, &mysql.MySQLError{Number: 1205}, true},
		{"mysql: connection killed", sqlDefinite, &mysql.MySQLError{Number: 1927}, false},
		{"mysql: server shutdown", sqlDefinite, &mysql.MySQLError{Number: 1053}, false},
		{"sql: transaction done", sqlDefinite, sql.ErrTxDone, true},
		{"sql: connection lost", sqlDefinite, io.ErrUnexpectedEOF, false},
		{"sql: invalid connection", sqlDefinite, mysql.ErrInvalidConn, false},
		{"sql: timeout", sqlDefinite, timeout, false},
		{"redis: error reply", redisDefinite, replyError("WRONGTYPE Operation against a key"), true},
		{"redis: refused", redisDefinite, refused, true},
		{"redis: closed client", redisDefinite, redis.ErrClosed, true},
		{"redis: pool timeout", redisDefinite, redis.ErrPoolTimeout, true},
		{"redis: timeout", redisDefinite, timeout, false},
		{"redis: connection lost", redisDefinite, io.EOF, false},
		{"zookeeper: no node", zkDefinite, zk.ErrNoNode, true},
		{"zookeeper: bad version", zkDefinite, zk.ErrBadVersion, true},
		{"zookeeper: node exists", zkDefinite, zk.ErrNodeExists, true},
		{"zookeeper: never sent", zkDefinite, zk.ErrNoServer, true},
		{"zookeeper: connection closed", zkDefinite, zk.ErrConnectionClosed, false},
		{"zookeeper: session expired", zkDefinite, zk.ErrSessionExpired, false},
		{"http: refused", notSent, &urlError{refused}, true},
		{"http: timeout", notSent, timeout, false},
	} {
		if got := c.classify(c.err); got != c.definite {
			t.Errorf("%s (%v): definite = %v, want %v", c.name, c.err, got, c.definite)
		}
	}
}

// urlError wraps as net/http's *url.Error does.
type urlError struct{ err error }

func (e *urlError) Error() string { return "Get \"http://x\": " + e.err.Error() }
func (e *urlError) Unwrap() error { return e.err }

// TestExplain: a call that ran out of its own timeout says so, whatever
// the library reported; the test's own cancellation is left as it is.
func TestExplain(t *testing.T) {
	ctx := context.Background()
	callCtx, cancel := callContext(ctx, 20*time.Millisecond)
	defer cancel()
	<-callCtx.Done()
	err := explain(ctx, callCtx, io.EOF)
	var te *timeoutError
	if !errors.As(err, &te) || err.Error() != "no reply within 20ms (timeout_sec); the call may or may not have taken effect (EOF)" {
		t.Errorf("explain after the timeout: %v", err)
	}
	test, stop := context.WithCancel(ctx)
	stop()
	callCtx, cancel = callContext(test, time.Hour)
	defer cancel()
	if err := explain(test, callCtx, context.Canceled); err != context.Canceled {
		t.Errorf("explain after the test's cancellation: %v", err)
	}
	callCtx, cancel = callContext(ctx, time.Hour)
	defer cancel()
	if err := explain(ctx, callCtx, io.EOF); err != io.EOF {
		t.Errorf("explain within the timeout: %v", err)
	}
}
