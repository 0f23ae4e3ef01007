package services_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

func TestBackground(t *testing.T) {
	cl := hosttest.LocalCluster(t, 4)
	hosttest.RunFile(t, cl, "testdata/test_background.star", hosttest.Options{})
	assertNoProcesses(t, cl, "sleep")
}

// TestTeardown checks what teardown leaves: no processes on the nodes, and
// the logs each outcome collects, in <case dir>/<service id>/<node>/.
func TestTeardown(t *testing.T) {
	cl := hosttest.LocalCluster(t, 4)
	rep, session := hosttest.RunFile(t, cl, "testdata/test_teardown.star", hosttest.Options{})
	assertNoProcesses(t, cl, "sleep 300")
	exists := func(name, rel string) bool {
		_, err := os.Stat(filepath.Join(session, hosttest.Result(t, rep, name).ResultsDir, rel))
		return err == nil
	}
	for _, c := range []struct {
		test, file string
		want       bool
	}{
		{"test_pass_collects_default_logs", "app-1/local1/out.log", true},
		{"test_pass_collects_default_logs", "app-1/local2/out.log", true},
		{"test_pass_collects_default_logs", "app-1/local1/trace.log", false},
		{"test_pass_collects_marked_logs", "app-1/local1/trace.log", true},
		{"test_fail_collects_all_logs", "app-1/local2/trace.log", true},
		{"test_fail_collects_all_logs", "app-2/local3/out.log", true},
		{"test_fail_collects_all_logs", "app-2/local3/trace.log", true},
	} {
		if got := exists(c.test, c.file); got != c.want {
			t.Errorf("%s: %s collected: %v, want %v", c.test, c.file, got, c.want)
		}
	}
	if s := hosttest.Result(t, rep, "test_fail_collects_all_logs").Services; len(s) != 2 {
		t.Errorf("report lists services %v, want app-1 and app-2", s)
	}
	for _, n := range cl.Nodes() {
		if ok, _ := n.Account.Exists(t.Context(), "app"); ok {
			t.Errorf("%s: app/ not cleaned", n.Name)
		}
	}
}
