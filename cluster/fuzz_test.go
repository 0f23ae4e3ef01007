package cluster

import (
	"encoding/json"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"

	sshconfig "github.com/kevinburke/ssh_config"
	"golang.org/x/sys/unix"
)

// FuzzParseClusterFile checks that parseClusterFile never panics, that
// what it accepts is well formed (a host or hostname, a port in range),
// and that the nodes written back as a cluster file parse to the same
// nodes.
func FuzzParseClusterFile(f *testing.F) {
	for _, s := range []string{
		`{"nodes": [`, `{}`, `{"nodes": []}`, `{"nodes": 3}`, `{"nodes": [{"externally_routable_ip": "10.0.0.1"}]}`,
		`{"nodes": [{"ssh_config": {"host": "a"}}, {"ssh_config": {"host": "b", "port": "x"}}]}`,
		`{"nodes": [{"ssh_config": {"host": "a", "port": 70000}}]}`, `{"nodes": [{"ssh_config": {"host": "a", "user": 5}}]}`,
		`{"nodes": [{"ssh_config": {"host": "a"}, "nodetype": "x"}]}`, `{"nodes": [{"ssh_config": {"user": "u"}}]}`,
		`{"nodes": [{"ssh_config": {"host": "a", "stricthostkeychecking": "maybe"}}]}`,
		`{"nodes": [{"externally_routable_ip": "10.1.1.1", "node_type": "large", "os": "linux",
		   "ssh_config": {"host": "w1", "hostname": "192.0.2.1", "user": "ubuntu", "port": "2222", "password": null,
		                  "stricthostkeychecking": "no", "identitiesonly": "yes", "identityfile": ["k1", "k2"],
		                  "userknownhostsfile": "a b", "proxyjump": "u@j:2200,j2"}}]}`,
		`{"nodes": [{"ssh_config": {"host": "a", "port": 22.5}}]}`, `{"nodes": [{"ssh_config": {"host": "a", "port": 1e400}}]}`,
		`{"nodes": [null]}`, `{"nodes": [{"ssh_config": null}]}`, `{"nodes": [{"ssh_config": {"host": "a"}}]} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes, err := parseClusterFile(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("parseClusterFile(%q): an empty error", data)
			}
			return
		}
		for i, n := range nodes {
			if n.SSH.Host == "" && n.SSH.HostName == "" || n.SSH.Port < 0 || n.SSH.Port > 65535 {
				t.Fatalf("parseClusterFile(%q): node %d accepted: %+v", data, i, n)
			}
		}
		again, err := parseClusterFile(clusterFileOf(t, nodes))
		if err != nil || !reflect.DeepEqual(again, nodes) {
			t.Fatalf("parseClusterFile(%q) = %+v; written back, it parses to %+v, %v", data, nodes, again, err)
		}
	})
}

// clusterFileOf writes nodes as a cluster file.
func clusterFileOf(t *testing.T, nodes []SSHNode) []byte {
	var list []map[string]any
	for _, n := range nodes {
		sc := map[string]any{}
		set := func(k string, v any, empty bool) {
			if !empty {
				sc[k] = v
			}
		}
		c := n.SSH
		set("host", c.Host, c.Host == "")
		set("hostname", c.HostName, c.HostName == "")
		set("user", c.User, c.User == "")
		set("port", c.Port, c.Port == 0)
		set("identityfile", c.IdentityFiles, c.IdentityFiles == nil)
		set("password", c.Password, c.Password == "")
		set("userknownhostsfile", c.KnownHostsFiles, c.KnownHostsFiles == nil)
		set("stricthostkeychecking", c.StrictHostKeyChecking, c.StrictHostKeyChecking == "")
		set("proxyjump", c.ProxyJump, c.ProxyJump == "")
		list = append(list, map[string]any{"externally_routable_ip": n.ExternallyRoutableIP, "node_type": n.NodeType, "os": n.OS, "ssh_config": sc})
	}
	data, err := json.Marshal(map[string]any{"nodes": list})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FuzzResolveSSHConfig resolves a node against a random ~/.ssh/config:
// never a panic; what resolves can be dialled (a hostname, a user, a port
// in range, a known host-key policy), and so can each of its jump hosts,
// which have no jump hosts of their own.
func FuzzResolveSSHConfig(f *testing.F) {
	f.Add("Host node1\n  HostName 127.0.0.101\n  Port 2222\n  User u\n  IdentityFile ~/.ssh/k\n  UserKnownHostsFile %d/kh %h-%p-%r-%u\n  IdentitiesOnly yes\n", "node1", "")
	f.Add("Host *\n  ProxyJump bastion\nHost bastion\n  HostName 10.0.0.1\n", "web", "")
	f.Add("Host a\n  Port x\n", "a", "")
	f.Add("Host a\n  Port 0\n", "a", "")
	f.Add("Host j\n  ProxyJump k\n", "a", "j")
	f.Add("Host a\n  StrictHostKeyChecking maybe\n", "a", "u@h:22,none")
	f.Add("", "a", "u@@h:x")
	f.Add("", "a", "[::1]:2222, ,")
	f.Add("Match host a\n  User b\n", "a", "NONE")
	f.Add("Include nothing\nHost a b\n  HostName %h.example\n", "b", "")
	f.Fuzz(func(t *testing.T, config, alias, jump string) {
		cfg, err := sshconfig.Decode(strings.NewReader(config))
		if err != nil {
			return // the library's parse error, reported with the file's path
		}
		u := &userSSHConfig{home: "/home/fuzz", cfg: cfg}
		target, err := u.resolve(SSHConfig{Host: alias, ProxyJump: jump}, nil)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("resolve(%q, %q) with %q: an empty error", alias, jump, config)
			}
			return
		}
		check := func(what string, t2 *sshTarget) {
			if t2.hostname == "" || t2.user == "" || t2.port < 1 || t2.port > 65535 || (t2.strict != "yes" && t2.strict != "no" && t2.strict != "accept-new") {
				t.Fatalf("resolve(%q, %q) with %q: %s cannot be dialled: %+v", alias, jump, config, what, t2)
			}
		}
		check("the node", target)
		for _, hop := range target.jumps {
			check("a jump host", hop)
			if len(hop.jumps) > 0 {
				t.Fatalf("resolve(%q, %q) with %q: a jump host has jump hosts: %+v", alias, jump, config, hop)
			}
		}
	})
}

// FuzzParseJump checks that a ProxyJump hop parsed prints back as itself
// ("[user@]host[:port]") when it has a port.
func FuzzParseJump(f *testing.F) {
	for _, s := range []string{"u@h:22", "h", "h:0", "h:x", "[::1]:2222", "a@b@c:1", "", "@:", "h:65536"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, hop string) {
		c, err := parseJump(hop)
		if err != nil {
			if !strings.Contains(err.Error(), "proxyjump") {
				t.Fatalf("parseJump(%q): error %q does not say proxyjump", hop, err)
			}
			return
		}
		if c.Port < 0 || c.Port > 65535 {
			t.Fatalf("parseJump(%q) = %+v: port out of range", hop, c)
		}
		if c.Port == 0 {
			return
		}
		again, err := parseJump(hopString(c))
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("parseJump(%q) = %+v prints as %q, which parses to %+v, %v", hop, c, hopString(c), again, err)
		}
	})
}

// hopString prints a parsed hop as OpenSSH writes it.
func hopString(c SSHConfig) string {
	s := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	if c.User != "" {
		s = c.User + "@" + s
	}
	return s
}

// FuzzParseVagrantSSHConfig checks that parseVagrantSSHConfig never
// panics, that its errors say which line, and that the ports it accepts
// are in range.
func FuzzParseVagrantSSHConfig(f *testing.F) {
	f.Add("Host default\n  HostName 127.0.0.1\n  User vagrant\n  Port 2222\n  UserKnownHostsFile /dev/null\n  StrictHostKeyChecking no\n  PasswordAuthentication no\n  IdentityFile \"/v/private_key\"\n  IdentitiesOnly yes\n  LogLevel FATAL\n\nHost n2\n  Port 2200\n")
	f.Add("  Port 22\n")
	f.Add("Host a\n  Port 99999\n")
	f.Add("# only a comment\n")
	f.Fuzz(func(t *testing.T, out string) {
		nodes, err := parseVagrantSSHConfig([]byte(out))
		if err != nil {
			if err != errNoNodes && !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("parseVagrantSSHConfig(%q): error %q", out, err)
			}
			return
		}
		for _, n := range nodes {
			if n.SSH.Port < 0 || n.SSH.Port > 65535 {
				t.Fatalf("parseVagrantSSHConfig(%q) accepted port %d", out, n.SSH.Port)
			}
		}
	})
}

// FuzzParseSignal checks that a signal ParseSignal accepts is a real one
// (1 to 64) and that its name parses back to it.
func FuzzParseSignal(f *testing.F) {
	for _, s := range []string{"TERM", "sigkill", "9", "0", "65", "-1", "SIG", "", "HUP "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := ParseSignal(s)
		if err != nil {
			if !strings.Contains(err.Error(), "signal") {
				t.Fatalf("ParseSignal(%q): error %q does not say signal", s, err)
			}
			return
		}
		if sig < 1 || sig > 64 {
			t.Fatalf("ParseSignal(%q) = %d", s, sig)
		}
		if name := unix.SignalName(sig); name != "" {
			if again, err := ParseSignal(name); err != nil || again != sig {
				t.Fatalf("ParseSignal(%q) = %d named %s, which parses to %d, %v", s, sig, name, again, err)
			}
		}
	})
}
