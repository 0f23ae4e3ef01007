package faults_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/services/faults"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs/lazyfstest"
)

// TestMain lets this test binary be the lazyfs helper on the nodes.
func TestMain(m *testing.M) {
	lazyfs.MainIfHelper()
	os.Exit(m.Run())
}

// TestStorageFaultsLocal runs testdata/test_storage.star on local nodes
// (which mount as root, like this test).
func TestStorageFaultsLocal(t *testing.T) {
	lazyfstest.Require(t, lazyfs.Probe)
	cl, err := cluster.NewLocal(2)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rep, dir := run(t, cl, storageTests)
	checkStorageFaults(t, cl, rep.Results)
	t.Run("timeline", func(t *testing.T) {
		assertShaded(t, filepath.Join(dir, "report.html"), "lose_unsynced", "disk_errors", "slow_disk", "corrupt")
	})
}

// storageTests are the Starlark tests of the storage faults.
const storageTests = "testdata/test_storage.star"

// TestStorageFaultsDocker runs the tests of the storage faults that act on
// a node on docker nodes, which get /dev/fuse and SYS_ADMIN, and a copy of
// the helper (the tests of bad input, which fail in the driver or the
// same helper code, run on local nodes only).
func TestStorageFaultsDocker(t *testing.T) {
	lazyfstest.Require(t, lazyfs.Probe) // the engine's host is this machine
	cl := dockertest.Start(t, 2, docker.Options{})
	var results []*host.Result
	for _, name := range []string{"test_lose_unsynced", "test_sync", "test_disk_errors", "test_slow_disk", "test_corrupt",
		"test_history_and_checks", "test_fails_while_mounted", "test_mount_out_of_reach", "test_unsupported_storage"} {
		rep, _ := run(t, cl, storageTests+"::"+name)
		results = append(results, rep.Results...)
	}
	checkStorageFaults(t, cl, results)
}

// TestStorageNeedsRoot: on SSH nodes whose login users are neither root
// nor allowed sudo (sshtest's, when this test runs as root), mounting fails
// naming the node and what it lacks, and corrupt still works.
func TestStorageNeedsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("sshtest gives nodes users of their own only to root")
	}
	cl, err := cluster.Open(cluster.Options{File: sshtest.Start(t, 2).ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	copied, err := faults.HelperCopy()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(copied) // the nodes are this machine: a test binary's copy is never used again
	run(t, cl, "testdata/test_storage_nonroot.star")
	if tmp, _ := filepath.Glob(copied + ".*.tmp"); len(tmp) > 0 {
		t.Errorf("copies left behind: %v", tmp)
	}
}

// checkStorageFaults checks, after tests of testdata/test_storage.star ran
// on cl (each checked against its expectation), that their faults are in
// their results and in the visualization of their history's check, and
// that no node holds a mount or a helper any more.
func checkStorageFaults(t *testing.T, cl *cluster.Cluster, results []*host.Result) {
	byName := map[string]*host.Result{}
	for _, res := range results {
		byName[res.FunctionName] = res
		t.Logf("%s: %s in %.1f s", res.FunctionName, res.TestStatus, res.RunTimeSeconds)
	}
	kinds := func(name string) string {
		var k []string
		for _, f := range byName[name].Faults {
			k = append(k, f.Kind)
		}
		return strings.Join(k, " ")
	}
	for name, want := range map[string]string{
		"test_lose_unsynced":       "lose_unsynced",
		"test_disk_errors":         "disk_errors disk_errors",
		"test_history_and_checks":  "slow_disk disk_errors lose_unsynced corrupt",
		"test_fails_while_mounted": "slow_disk",
	} {
		if got := kinds(name); got != want {
			t.Errorf("%s recorded faults %q, want %q", name, got, want)
		}
	}
	var data struct{ Visualization string }
	if err := json.Unmarshal(byName["test_history_and_checks"].Data, &data); err != nil || data.Visualization == "" {
		t.Fatalf("test_history_and_checks returned %s (%v)", byName["test_history_and_checks"].Data, err)
	}
	html, err := os.ReadFile(data.Visualization)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"slow_disk", "disk_errors", "lose_unsynced", "corrupt"} {
		if !strings.Contains(string(html), kind) {
			t.Errorf("the visualization's faults row lacks %s", kind)
		}
	}
	assertNoStorageLeft(t, cl)
}

// assertNoStorageLeft fails when a node of cl still has a lazy file system
// mounted (below its working directory, on a local node: the machine's
// other mounts are not the cluster's) or runs a helper.
func assertNoStorageLeft(t *testing.T, cl *cluster.Cluster) {
	t.Helper()
	ctx := context.Background()
	for _, n := range cl.Nodes() {
		below := "/"
		if fsys, err := n.Account.Account().FS(ctx); err == nil {
			if dir, ok := fsys.(cluster.LocalFS); ok {
				below = string(dir)
			}
		}
		out, err := n.Account.Output(ctx, "cat /proc/self/mountinfo", cluster.OutputOptions{})
		if err != nil {
			t.Fatal(err)
		}
		mounts, err := lazyfs.ParseMountinfo(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mounts {
			if m.Type == "fuse."+lazyfs.TypeName && strings.HasPrefix(m.Point, below) {
				t.Errorf("%s: %s is still mounted (%s)", n.Name, m.Point, m.Source)
			}
		}
		if pids, err := n.Account.Pids(ctx, "lazyfs serve"); err != nil || len(pids) > 0 {
			t.Errorf("%s: lazyfs helpers %v still run (%v)", n.Name, pids, err)
		}
	}
}
