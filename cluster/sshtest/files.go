package sshtest

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Files are the files that describe a set of test nodes to ducktape and
// to OpenSSH: NewFiles makes the directory and the client key that every
// node accepts, WriteNode each node's sshd files, WriteCluster the cluster
// file and known_hosts once the nodes are known. Both sshtest and
// cluster/netnstest describe their nodes with them.
type Files struct {
	Dir            string // holds every file below; removed at cleanup
	ClusterFile    string // ducktape cluster file naming every node
	KnownHosts     string // known_hosts with each node's host key
	Key            string // private key (ed25519, no passphrase) that every node accepts
	AuthorizedKeys string // Key's public half, the nodes' AuthorizedKeysFile
}

// Host is one node as the cluster file and known_hosts name it.
type Host struct {
	Name    string // ssh_config host alias
	Addr    string
	Port    int
	User    string
	HostKey ssh.PublicKey
}

// NewFiles makes a new temporary directory, traversable by the nodes'
// login users (sshd reads authorized_keys as them), with the client key
// and authorized_keys.
func NewFiles(tb testing.TB) Files {
	tb.Helper()
	dir := tb.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	f := Files{
		Dir:            dir,
		ClusterFile:    filepath.Join(dir, "cluster.json"),
		KnownHosts:     filepath.Join(dir, "known_hosts"),
		Key:            filepath.Join(dir, "id_ed25519"),
		AuthorizedKeys: filepath.Join(dir, "authorized_keys"),
	}
	pub := WriteKey(tb, f.Key)
	WriteFile(tb, f.AuthorizedKeys, ssh.MarshalAuthorizedKey(pub), 0o644)
	return f
}

// WriteNode creates nodeDir with a node's host key (hostkey) and its
// sshd_config (listening on addr:port), and returns the host key.
func (f Files) WriteNode(tb testing.TB, nodeDir, addr string, port int) ssh.PublicKey {
	tb.Helper()
	if err := os.Mkdir(nodeDir, 0o755); err != nil {
		tb.Fatal(err)
	}
	hostKey := filepath.Join(nodeDir, "hostkey")
	pub := WriteKey(tb, hostKey)
	WriteFile(tb, filepath.Join(nodeDir, "sshd_config"), []byte(SSHDConfig(addr, port, hostKey, f.AuthorizedKeys)), 0o644)
	return pub
}

// WriteCluster writes known_hosts and the ducktape cluster file naming
// hosts, in order.
func (f Files) WriteCluster(tb testing.TB, hosts []Host) {
	tb.Helper()
	var known strings.Builder
	nodes := make([]map[string]any, len(hosts))
	for i, h := range hosts {
		known.WriteString(knownhosts.Line([]string{net.JoinHostPort(h.Addr, strconv.Itoa(h.Port))}, h.HostKey) + "\n")
		nodes[i] = map[string]any{
			"externally_routable_ip": h.Addr,
			"ssh_config": map[string]any{
				"host": h.Name, "hostname": h.Addr, "port": h.Port, "user": h.User,
				"identityfile": f.Key, "userknownhostsfile": f.KnownHosts, "password": nil,
			},
		}
	}
	WriteFile(tb, f.KnownHosts, []byte(known.String()), 0o644)
	data, err := json.MarshalIndent(map[string]any{"nodes": nodes}, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	WriteFile(tb, f.ClusterFile, append(data, '\n'), 0o644)
}

// WaitListening waits up to 10 s until the sshd of node name accepts TCP
// connections on hostPort. It fails early, quoting logPath, when exited
// is closed (sshd exited).
func WaitListening(name, hostPort string, exited <-chan struct{}, logPath string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", hostPort, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("sshd for %s exited: %s", name, log)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("sshd for %s did not listen on %s within 10s: %v", name, hostPort, err)
		}
	}
}
