package services_test

import (
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestPortingExample runs examples/porting, the Kafka-shaped suite of
// docs/porting.md, on the local cluster: every case passes and leaves no
// Redis behind.
func TestPortingExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Redis")
	}
	needRedis(t)
	cl := hosttest.LocalCluster(t, 4)
	rep, _ := hosttest.RunFile(t, cl, "../examples/porting/test_kv_replication.star", hosttest.Options{})
	if len(rep.Results) != 4 || rep.NumPassed != 4 {
		t.Errorf("%d of %d cases passed", rep.NumPassed, len(rep.Results))
	}
	for _, r := range rep.Results {
		if len(r.Data) == 0 || r.Description == "" {
			t.Errorf("%s: data %s, description %q", r.TestID, r.Data, r.Description)
		}
	}
	assertNoProcesses(t, cl, "redis-server")
}
