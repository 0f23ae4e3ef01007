package cluster_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// sshConfigOf returns the cluster-file ssh_config of node i (1-based).
func sshConfigOf(ns *sshtest.Nodes, i int) map[string]any {
	n := ns.Nodes[i-1]
	return map[string]any{"host": n.Name, "hostname": n.Addr, "port": n.Port, "user": n.User,
		"identityfile": ns.Key, "userknownhostsfile": ns.KnownHosts}
}

// openWith writes a cluster file of the given ssh_configs and opens it.
func openWith(t *testing.T, configs ...map[string]any) *cluster.Cluster {
	t.Helper()
	var nodes []map[string]any
	for _, c := range configs {
		nodes = append(nodes, map[string]any{"ssh_config": c})
	}
	data, _ := json.Marshal(map[string]any{"nodes": nodes})
	path := filepath.Join(t.TempDir(), "cluster.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := cluster.Open(cluster.Options{File: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// runOn runs cmd on the first node of c and returns its output.
func runOn(c *cluster.Cluster, cmd string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return c.Nodes()[0].Account.Output(ctx, cmd, cluster.OutputOptions{})
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error lacks %q:\n%v", p, err)
		}
	}
}

func TestSSHReconnectAfterRestart(t *testing.T) {
	ns := sshtest.Start(t, 1)
	c := openWith(t, sshConfigOf(ns, 1))
	ctx := context.Background()
	acct := c.Nodes()[0].Account
	if out, err := runOn(c, "echo before"); err != nil || out != "before\n" {
		t.Fatalf("before restart: %q, %v", out, err)
	}
	if err := acct.CreateFile(ctx, "dt-reconnect", []byte("x")); err != nil {
		t.Fatal(err)
	}
	ns.Stop(1)
	if _, err := runOn(c, "true"); err == nil {
		t.Fatal("a command succeeded while sshd was down")
	} else {
		wantErr(t, err, "node1", ns.Nodes[0].HostPort(), "connection refused")
	}
	ns.Restart(1)
	if out, err := runOn(c, "echo after"); err != nil || out != "after\n" {
		t.Fatalf("after restart: %q, %v", out, err)
	}
	if data, err := acct.ReadFile(ctx, "dt-reconnect"); err != nil || string(data) != "x" {
		t.Fatalf("SFTP after restart: %q, %v", data, err)
	}
	acct.Remove(ctx, "dt-reconnect", true)
}

func TestSSHReconnectTransparently(t *testing.T) {
	ns := sshtest.Start(t, 1)
	c := openWith(t, sshConfigOf(ns, 1))
	if _, err := runOn(c, "true"); err != nil {
		t.Fatal(err)
	}
	// The connection drops between two commands: the next one must not notice.
	ns.Stop(1)
	ns.Restart(1)
	if out, err := runOn(c, "echo ok"); err != nil || out != "ok\n" {
		t.Fatalf("first command after the connection dropped: %q, %v", out, err)
	}
}

func TestSSHHostKeyMismatch(t *testing.T) {
	ns := sshtest.Start(t, 2)
	// node2's key, filed under node1's address.
	data, err := os.ReadFile(ns.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	key := strings.SplitN(lines[1], " ", 2)[1]
	wrong := filepath.Join(t.TempDir(), "known_hosts")
	os.WriteFile(wrong, []byte(fmt.Sprintf("[%s]:%d %s\n", ns.Nodes[0].Addr, ns.Nodes[0].Port, key)), 0o644)
	cfg := sshConfigOf(ns, 1)
	cfg["userknownhostsfile"] = wrong
	_, err = runOn(openWith(t, cfg), "true")
	wantErr(t, err, "node1", ns.Nodes[0].HostPort(), "HOST KEY MISMATCH", "ssh-keygen -R", wrong+":1")
}

func TestSSHUnknownHost(t *testing.T) {
	ns := sshtest.Start(t, 1)
	cfg := sshConfigOf(ns, 1)
	cfg["userknownhostsfile"] = filepath.Join(t.TempDir(), "empty_known_hosts")
	_, err := runOn(openWith(t, cfg), "true")
	wantErr(t, err, ns.Nodes[0].HostPort(), "is not in", "ssh-keyscan -p", "stricthostkeychecking")

	cfg["stricthostkeychecking"] = "no"
	if _, err := runOn(openWith(t, cfg), "true"); err != nil {
		t.Errorf("with stricthostkeychecking no: %v", err)
	}
}

func TestSSHRefusedPort(t *testing.T) {
	ns := sshtest.Start(t, 1)
	ns.Stop(1)
	_, err := runOn(openWith(t, sshConfigOf(ns, 1)), "true")
	wantErr(t, err, "node1", ns.Nodes[0].HostPort(), "connection refused")
}

func TestSSHAuthFailure(t *testing.T) {
	ns := sshtest.Start(t, 1)
	other := sshtest.Start(t, 1) // its key is not authorized on ns
	cfg := sshConfigOf(ns, 1)
	cfg["identityfile"] = other.Key
	t.Setenv("SSH_AUTH_SOCK", "")
	_, err := runOn(openWith(t, cfg), "true")
	wantErr(t, err, ns.Nodes[0].HostPort(), "authentication failed", other.Key)
}

func TestSSHProxyJump(t *testing.T) {
	ns := sshtest.Start(t, 2)
	bastion := ns.Nodes[0]
	cfg := sshConfigOf(ns, 2)
	cfg["proxyjump"] = fmt.Sprintf("%s@%s", bastion.User, bastion.HostPort())
	c := openWith(t, cfg)
	// sshd reports the client's address: through the bastion it is the
	// bastion's own (a loopback connection from 127.0.0.1).
	out, err := runOn(c, "echo $SSH_CLIENT")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "127.0.0.1 ") {
		t.Errorf("SSH_CLIENT through the jump host = %q; want a connection from 127.0.0.1", out)
	}
	direct, err := runOn(openWith(t, sshConfigOf(ns, 2)), "echo $SSH_CLIENT")
	if err != nil || !strings.HasPrefix(direct, "127.0.0.2 ") && direct == out {
		t.Logf("direct SSH_CLIENT = %q, %v", direct, err)
	}
	ns.Stop(1)
	_, err = runOn(openWith(t, cfg), "true")
	wantErr(t, err, "jump host", bastion.HostPort(), "connection refused")
}

func TestSSHUserConfig(t *testing.T) {
	ns := sshtest.Start(t, 1)
	n := ns.Nodes[0]
	home := t.TempDir()
	os.Mkdir(filepath.Join(home, ".ssh"), 0o700)
	conf := fmt.Sprintf("Host db-*\n  HostName %s\n  Port %d\n  User %s\n  IdentityFile %s\n  UserKnownHostsFile %s\n", n.Addr, n.Port, n.User, ns.Key, ns.KnownHosts)
	os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte(conf), 0o600)
	t.Setenv("HOME", home)
	c := openWith(t, map[string]any{"host": "db-1"})
	if out, err := runOn(c, "id -un"); err != nil || strings.TrimSpace(out) != n.User {
		t.Fatalf("through ~/.ssh/config: %q, %v", out, err)
	}
	if got := c.Nodes()[0].Name; got != "db-1" {
		t.Errorf("node name = %q; want the host alias", got)
	}
	if info := c.Nodes()[0].Account.Info(); info.SSHHostname != n.Addr || info.ExternallyRoutableIP != n.Addr || info.User != n.User {
		t.Errorf("account info = %+v", info)
	}
}

func TestVagrantCluster(t *testing.T) {
	ns := sshtest.Start(t, 2)
	var conf strings.Builder
	for _, n := range ns.Nodes {
		fmt.Fprintf(&conf, "Host %s\n  HostName %s\n  User %s\n  Port %d\n  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n  PasswordAuthentication no\n  IdentityFile \"%s\"\n  IdentitiesOnly yes\n  LogLevel FATAL\n\n",
			"vm"+n.Name, n.Addr, n.User, n.Port, ns.KnownHosts, ns.Key)
	}
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "ssh-config.txt"), []byte(conf.String()), 0o644)
	script := "#!/bin/sh\n[ \"$1\" = ssh-config ] || exit 1\ncat " + filepath.Join(bin, "ssh-config.txt") + "\n"
	os.WriteFile(filepath.Join(bin, "vagrant"), []byte(script), 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	c, err := cluster.Open(cluster.Options{Provider: "vagrant"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, node := range c.Nodes() {
		if node.Name != "vmnode"+fmt.Sprint(i+1) {
			t.Errorf("node %d is named %q", i, node.Name)
		}
		out, err := node.Account.Output(context.Background(), "id -un", cluster.OutputOptions{})
		if err != nil || strings.TrimSpace(out) != ns.Nodes[i].User {
			t.Errorf("%s: id -un = %q, %v", node.Name, out, err)
		}
	}
	os.WriteFile(filepath.Join(bin, "vagrant"), []byte("#!/bin/sh\necho 'A Vagrant environment is required' >&2; exit 1\n"), 0o755)
	_, err = cluster.Open(cluster.Options{Provider: "vagrant"})
	wantErr(t, err, "--cluster vagrant", "A Vagrant environment is required")
}

// TestSSHCancelKillsTheCommandsGroup checks that cancelling a command
// kills its process group in each form a command takes on the node: a
// shell running its children, a shell that exec'd its last command, a
// shell running builtins only, a shell gone while a child of its group
// holds the output; and that a child that left for a session of its own
// (setsid) is left alone.
func TestSSHCancelKillsTheCommandsGroup(t *testing.T) {
	ns := sshtest.Start(t, 1)
	acct := openWith(t, sshConfigOf(ns, 1)).Nodes()[0].Account
	ctx := context.Background()
	running := func(pattern string) bool {
		pids, err := acct.Pids(ctx, pattern)
		if err != nil {
			t.Error(err)
			return false
		}
		return len(pids) > 0
	}
	eventually := func(t *testing.T, what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	for _, tc := range []struct {
		name, cmd, runs string // runs: a pattern of the command's process
		survivor        string // a pattern of a process that must survive, if any
	}{
		{"children", "sleep 41.1 | cat; echo never", `^sleep 41\.1$`, ""},
		{"exec", "exec sleep 41.2", `^sleep 41\.2$`, ""},
		{"builtins only", "while :; do : 41.3; done", `while :; do : 41\.3; done`, ""},
		{"the shell gone, a child holding the output", "sleep 41.4 &", `^sleep 41\.4$`, ""},
		{"a child in a session of its own", "setsid sleep 41.5 > /dev/null 2>&1 < /dev/null & sleep 41.6", `^sleep 41\.6$`, `^sleep 41\.5$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { _, err := acct.SSH(cctx, tc.cmd, false); done <- err }()
			eventually(t, "the command to run", func() bool { return running(tc.runs) })
			cancel()
			select {
			case err := <-done:
				if err == nil {
					t.Error("a cancelled command returned no error")
				}
			case <-time.After(15 * time.Second):
				t.Fatal("cancelling did not end the command")
			}
			eventually(t, "the command's processes to exit", func() bool { return !running(tc.runs) })
			if tc.survivor != "" {
				if !running(tc.survivor) {
					t.Errorf("the process of its own session (%s) was killed too", tc.survivor)
				}
				acct.KillProcess(ctx, tc.survivor, false, true)
			}
		})
	}
}
