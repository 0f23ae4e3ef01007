// Package clients is the protocol logic of the clients a test uses from
// the driver: SQL (database/sql with github.com/jackc/pgx/v5's stdlib and
// github.com/go-sql-driver/mysql), Redis (github.com/redis/go-redis/v9),
// HTTP (net/http) and ZooKeeper (github.com/go-zookeeper/zk). It holds no
// Starlark: package starlib binds these clients to the
// load("@ducktape//clients", ...) module (docs/clients.md).
//
// # Connections
//
// Every connection is opened with a node's dialer ([cluster.RemoteAccount.Dial]):
// directly, or through the node's SSH connection where the driver cannot
// reach the node's address (docs/clusters.md, "How the driver reaches
// services"). Every client belongs to one test's [Registry], which closes
// what the test left open when it ends; [OpenConnections] counts the
// connections open in the whole process, for tests that prove none leak.
//
// # Calls
//
// Every call takes the test's context and a timeout: it returns when
// either ends, and it never retries on its own (a retried write could
// apply twice). A failed call is an *[Error] that says whether the call
// certainly had no effect (Definite: Jepsen's fail) or may have had one
// (a timeout, a connection lost after the request was sent: Jepsen's
// info). The classification of each protocol's errors is in its file and
// in docs/checkers.md.
//
// # Values
//
// Replies are converted to a few plain Go types, which starlib turns into
// Starlark values: nil, bool, int64, uint64, float64, string (valid UTF-8
// text), []byte, and []any (arrays, lists of replies). Text that is not
// valid UTF-8 is an error that says so, unless the caller asked for
// bytes.
//
// # Files
//
//   - registry.go: Registry, the connection count; endpoint.go: Endpoint,
//     the counted dial; errors.go: Error and the helpers of every
//     protocol's classification;
//   - sql.go (connections, transactions), sql_values.go (column values,
//     arguments, isolation levels and driver names);
//   - redis.go, http.go, zookeeper.go.
//
// Clients are safe for concurrent use; a call waits for the calls of
// other threads on the same client to end first (one connection each).
package clients
