package cluster_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
)

func TestClusterFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, body, want string }{
		{"not json", `{"nodes": [`, "not a JSON object"},
		{"no nodes key", `{}`, `no "nodes" list`},
		{"empty", `{"nodes": []}`, "no nodes"},
		{"nodes not a list", `{"nodes": 3}`, `"nodes" must be a list`},
		{"no ssh_config", `{"nodes": [{"externally_routable_ip": "10.0.0.1"}]}`, "nodes[0]: missing ssh_config"},
		{"bad port", `{"nodes": [{"ssh_config": {"host": "a"}}, {"ssh_config": {"host": "b", "port": "x"}}]}`, `nodes[1].ssh_config.port: want a port number from 1 to 65535, got "x"`},
		{"port range", `{"nodes": [{"ssh_config": {"host": "a", "port": 70000}}]}`, "nodes[0].ssh_config.port"},
		{"bad password", `{"nodes": [{"ssh_config": {"host": "a", "password": 424242}}]}`, "nodes[0].ssh_config.password: want a string (the value is not shown: it is a secret)"},
		{"bad user", `{"nodes": [{"ssh_config": {"host": "a", "user": 5}}]}`, "nodes[0].ssh_config.user: want a string, got 5"},
		{"unknown node field", `{"nodes": [{"ssh_config": {"host": "a"}, "nodetype": "x"}]}`, "nodes[0].nodetype: unknown field"},
		{"unknown ssh field", `{"nodes": [{"ssh_config": {"host": "a", "identity_file": "k"}}]}`, "nodes[0].ssh_config.identity_file: unknown field"},
		{"no host", `{"nodes": [{"ssh_config": {"user": "u"}}]}`, "nodes[0].ssh_config: needs host or hostname"},
		{"connect timeout", `{"nodes": [{"ssh_config": {"host": "a", "connecttimeout": "soon"}}]}`, `nodes[0].ssh_config.connecttimeout: want a positive number of seconds, got "soon"`},
		{"connect timeout zero", `{"nodes": [{"ssh_config": {"host": "a", "connecttimeout": 0}}]}`, `nodes[0].ssh_config.connecttimeout: want a positive number of seconds, got 0`},
		{"strict", `{"nodes": [{"ssh_config": {"host": "a", "stricthostkeychecking": "maybe"}}]}`, "nodes[0].ssh_config.stricthostkeychecking"},
		{"duplicate", `{"nodes": [{"ssh_config": {"host": "a", "identityfile": "/dev/null/k"}}, {"ssh_config": {"host": "a"}}]}`, "nodes[0].ssh_config: identityfile"},
		{"duplicate names", `{"nodes": [{"ssh_config": {"host": "a", "stricthostkeychecking": "no"}}, {"ssh_config": {"host": "a", "stricthostkeychecking": "no"}}]}`, `nodes[1].ssh_config.host: "a" is also nodes[0]'s`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "c.json")
			os.WriteFile(path, []byte(tc.body), 0o644)
			c, err := cluster.Open(cluster.Options{File: path})
			if err == nil {
				c.Close()
			}
			wantErr(t, err, path, tc.want)
		})
	}
	if _, err := cluster.Open(cluster.Options{File: filepath.Join(dir, "missing.json")}); err == nil {
		t.Error("a missing cluster file opened")
	}
}

func TestClusterFileFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(path, []byte(`{"nodes": [
	  {"externally_routable_ip": "10.1.1.1", "node_type": "large", "os": "linux",
	   "ssh_config": {"host": "w1", "hostname": "192.0.2.1", "user": "ubuntu", "port": "2222", "password": null,
	                  "stricthostkeychecking": "no", "identitiesonly": "yes"}},
	  {"ssh_config": {"hostname": "192.0.2.2", "user": "u", "stricthostkeychecking": "no"}}]}`), 0o644)
	c, err := cluster.Open(cluster.Options{Provider: "json", File: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := c.Nodes()
	if n[0].Name != "w1" || n[0].NodeType != "large" || n[0].OS != "linux" {
		t.Errorf("node 0 = %+v", n[0])
	}
	want := cluster.AccountInfo{Hostname: "w1", SSHHostname: "192.0.2.1", User: "ubuntu", ExternallyRoutableIP: "10.1.1.1"}
	if got := n[0].Account.Info(); got != want {
		t.Errorf("node 0 info = %+v; want %+v", got, want)
	}
	if n[1].Name != "192.0.2.2" || n[1].Account.Info().ExternallyRoutableIP != "192.0.2.2" || n[1].OS != "linux" {
		t.Errorf("node 1 = %+v, %+v", n[1], n[1].Account.Info())
	}
	if _, err := cluster.Open(cluster.Options{Provider: "json"}); err == nil {
		t.Error("--cluster json without a file opened")
	}
}
