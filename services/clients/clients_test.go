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
