package clients_test

import (
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestSQL runs testdata/sql.star on local nodes: the SQL client against
// PostgreSQL and MariaDB servers the tests start.
func TestSQL(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 2), "testdata/sql.star", hosttest.Options{})
}

// TestRedis runs testdata/redis.star on local nodes.
func TestRedis(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 1), "testdata/redis.star", hosttest.Options{})
}

// TestHTTP runs testdata/http.star on local nodes (nginx).
func TestHTTP(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 1), "testdata/http.star", hosttest.Options{})
}

// TestZooKeeper runs testdata/zookeeper.star on local nodes.
func TestZooKeeper(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 1), "testdata/zookeeper.star", hosttest.Options{})
}
