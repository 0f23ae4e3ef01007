package examples_test

import (
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// transactionSuites are the transactional examples: each test runs the
// list-append workload at one isolation level and asserts what Jepsen
// published for it (examples/postgres, examples/mariadb).
var transactionSuites = []string{"postgres/test_postgres.star", "mariadb/test_mariadb.star"}

// runTransactionSuites runs both suites on cl, two tests at once (three
// servers starting at once on the loaded 2-core machine once took MariaDB
// past its 60 s start timeout), and
// checks each test's report: PASS, one list-append check that saw
// transactions, and the anomaly types in its data.
func runTransactionSuites(t *testing.T, cl *cluster.Cluster) {
	t.Helper()
	for _, suite := range transactionSuites {
		rep, _ := hosttest.RunFile(t, cl, suite, hosttest.Options{Configure: func(r *host.Runner) { r.MaxParallel = 2 }})
		if len(rep.Results) != 3 {
			t.Errorf("%s: %d tests, want one per isolation level", suite, len(rep.Results))
		}
		for _, res := range rep.Results {
			t.Logf("%s: %s in %.1f s: %s", res.TestID, res.TestStatus, res.RunTimeSeconds, res.Data)
			if len(res.Checks) != 1 || res.Checks[0].Name != "list-append" || res.History == nil || res.History.Events < 400 {
				t.Errorf("%s: checks %+v, history %+v; want one list-append check of at least 200 transactions", res.TestID, res.Checks, res.History)
			}
		}
	}
}

// TestTransactionExamplesOnLocalNodes runs the PostgreSQL and MariaDB
// suites on local nodes.
func TestTransactionExamplesOnLocalNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs PostgreSQL and MariaDB servers")
	}
	need(t, "apt-get install -y postgresql mariadb-server", "/usr/lib/postgresql/15/bin/postgres", "/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db")
	runTransactionSuites(t, hosttest.LocalCluster(t, 3))
}

// TestTransactionExamplesOnDocker runs them on docker nodes (the default
// image has both servers).
func TestTransactionExamplesOnDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("runs PostgreSQL and MariaDB servers in containers")
	}
	runTransactionSuites(t, dockertest.Start(t, 2, docker.Options{}))
}
