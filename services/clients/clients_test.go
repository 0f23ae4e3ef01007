package clients_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestSQL runs testdata/sql.star on local nodes: the SQL client against
// PostgreSQL and MariaDB servers the tests start.
func TestSQL(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 2), "testdata/sql.star", hosttest.Options{})
}

// TestRedis runs testdata/redis.star on local nodes, and checks the
// history that test_history_complete recorded with h.complete.
func TestRedis(t *testing.T) {
	_, dir := hosttest.RunFile(t, hosttest.LocalCluster(t, 1), "testdata/redis.star", hosttest.Options{})
	var files []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "history.json" && strings.Contains(path, "test_history_complete") {
			files = append(files, path)
		}
		return err
	})
	if len(files) != 1 {
		t.Fatalf("history.json of test_history_complete: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Events []struct {
			Type  string `json:"type"`
			Value any    `json:"value"`
		} `json:"events"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h.Events {
		if e.Type != "invoke" {
			got = append(got, fmt.Sprintf("%s %v", e.Type, e.Value))
		}
	}
	want := []string{"ok 1", "ok [1]", "fail 2", "info 3", "info 4"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("completions %q, want %q", got, want)
	}
}

// TestHTTP runs testdata/http.star on local nodes (nginx).
func TestHTTP(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 1), "testdata/http.star", hosttest.Options{})
}

// TestZooKeeper runs testdata/zookeeper.star on local nodes.
func TestZooKeeper(t *testing.T) {
	hosttest.RunFile(t, hosttest.LocalCluster(t, 1), "testdata/zookeeper.star", hosttest.Options{})
}

// TestClientsOnDocker runs testdata/nodes.star on docker nodes: every
// client and service, and the paused server.
func TestClientsOnDocker(t *testing.T) {
	hosttest.RunFile(t, dockertest.Start(t, 2, docker.Options{}), "testdata/nodes.star", hosttest.Options{})
}

// TestClientsOnSSH runs the Redis, HTTP and pause tests of
// testdata/nodes.star on sshd nodes: plain ones, whose services the driver
// dials directly, and ones behind a jump host, dialled through their SSH
// connections.
func TestClientsOnSSH(t *testing.T) {
	ns := sshtest.Start(t, 3)
	direct, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	behindJump := openBehindJump(t, ns)
	for _, c := range []struct {
		cl    *cluster.Cluster
		route cluster.Route
	}{{direct, cluster.RouteDirect}, {behindJump, cluster.RouteSSH}} {
		for _, n := range c.cl.Nodes() {
			if got := n.Account.Route(); got != c.route {
				t.Fatalf("%s: route %s, want %s", n.Name, got, c.route)
			}
		}
		for _, name := range []string{"test_redis", "test_http", "test_pause"} {
			hosttest.RunFile(t, c.cl, "testdata/nodes.star::"+name, hosttest.Options{})
		}
	}
}

// openBehindJump opens a cluster of nodes 2 and 3 of ns, each reached
// through node 1 as its jump host.
func openBehindJump(t *testing.T, ns *sshtest.Nodes) *cluster.Cluster {
	t.Helper()
	data, err := os.ReadFile(ns.ClusterFile)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Nodes []map[string]any `json:"nodes"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	jump := ns.Nodes[0]
	file.Nodes = file.Nodes[1:]
	for _, n := range file.Nodes {
		n["ssh_config"].(map[string]any)["proxyjump"] = fmt.Sprintf("%s@%s:%d", jump.User, jump.Addr, jump.Port)
	}
	data, _ = json.Marshal(file)
	path := hosttest.WriteFile(t, t.TempDir(), "cluster.json", string(data))
	cl, err := cluster.Open(cluster.Options{File: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}
