package services_test

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host"
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

// TestCollectPolicies checks each log's "collect" policy after a pass and a
// failure, copied as they are and, with --compress, packed on the node.
func TestCollectPolicies(t *testing.T) {
	cl := hosttest.LocalCluster(t, 1)
	for _, compress := range []bool{false, true} {
		rep, session := hosttest.RunFile(t, cl, "testdata/test_collect_policy.star", hosttest.Options{
			Configure: func(r *host.Runner) { r.Compress = compress },
		})
		ext := ""
		if compress {
			ext = ".tgz"
		}
		for test, want := range map[string]map[string]bool{
			"test_pass": {"always.log": true, "never.log": false, "onfail.log": false, "data": true},
			"test_fail": {"always.log": true, "never.log": false, "onfail.log": true, "data": true},
		} {
			dir := filepath.Join(session, hosttest.Result(t, rep, test).ResultsDir, "app-1", "local1")
			for log, collected := range want {
				info, err := os.Stat(filepath.Join(dir, log+ext))
				if (err == nil) != collected || (err == nil && compress && info.IsDir()) {
					t.Errorf("compress %v, %s: %s%s collected: %v, want %v", compress, test, log, ext, err == nil, collected)
				}
				if err == nil && compress {
					if names := tgzNames(t, filepath.Join(dir, log+ext)); !slices.Contains(names, log) {
						t.Errorf("%s%s holds %v, want %s", log, ext, names, log)
					}
				}
			}
		}
	}
}

// tgzNames lists the entries of a gzipped tar file, without trailing slashes.
func tgzNames(t *testing.T, path string) []string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var names []string
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		names = append(names, strings.TrimSuffix(h.Name, "/"))
	}
}

// TestSharedNodes checks services that share nodes (nodes = other.nodes):
// their lifecycle side by side, teardown stopping the newest first, and
// each collecting its own logs, also when one fails to start.
func TestSharedNodes(t *testing.T) {
	cl := hosttest.LocalCluster(t, 3)
	rep, session := hosttest.RunFile(t, cl, "testdata/test_shared_nodes.star", hosttest.Options{})
	assertNoProcesses(t, cl, "sleep 30")
	var stops []string
	for _, n := range cl.Nodes() {
		if s, err := n.Account.ReadFile(t.Context(), "stops.txt"); err == nil {
			stops = append(stops, strings.Fields(string(s))...)
		}
	}
	if want := []string{"second-1", "first-1"}; !slices.Equal(stops, want) {
		t.Errorf("teardown stopped %v, want %v (newest first)", stops, want)
	}
	dir := filepath.Join(session, hosttest.Result(t, rep, "test_failed_start_beside_a_service").ResultsDir)
	for _, svc := range []string{"main-1", "broken-1"} {
		logs, _ := filepath.Glob(filepath.Join(dir, svc, "local*", "out.log"))
		if len(logs) != 1 {
			t.Errorf("%s's out.log collected %d times, want once: %v", svc, len(logs), logs)
			continue
		}
		if b, _ := os.ReadFile(logs[0]); !strings.Contains(string(b), strings.TrimSuffix(svc, "-1")) {
			t.Errorf("%s holds %q, not the service's own output", logs[0], b)
		}
	}
}
