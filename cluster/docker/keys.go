package docker

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ducktape-go/ducktape/cluster"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// A cluster's SSH credentials, made for it and never reused: the driver's
// login key, and one host key that every node of the cluster presents. The
// driver's side lives in a private directory of the driver; the nodes' side
// is copied into each container's /etc/ducktape before it starts.

// credentials of one cluster.
type credentials struct {
	dir           string // driver side: id_ed25519, known_hosts
	clientKeyPath string
	knownHosts    string
	hostKeyPEM    []byte
	authorized    []byte // the client's public key, authorized_keys format
	hostPublic    ssh.PublicKey
}

// newCredentials makes a cluster's keys in a new private directory.
func newCredentials(name string) (*credentials, error) {
	dir, err := os.MkdirTemp("", name+"-ssh-")
	if err != nil {
		return nil, fmt.Errorf("a directory for the cluster's SSH keys: %w", err)
	}
	c := &credentials{dir: dir, clientKeyPath: filepath.Join(dir, "id_ed25519"), knownHosts: filepath.Join(dir, "known_hosts")}
	clientPEM, clientPub, err := newKey()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if c.hostKeyPEM, c.hostPublic, err = newKey(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.authorized = ssh.MarshalAuthorizedKey(clientPub)
	if err := os.WriteFile(c.clientKeyPath, clientPEM, 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// newKey makes an ed25519 key: the private key in OpenSSH PEM form and
// its public key.
func newKey() ([]byte, ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		return nil, nil, err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(block), sshPub, nil
}

// writeKnownHosts records the nodes' addresses ("host" or "[host]:port")
// as presenting the cluster's host key.
func (c *credentials) writeKnownHosts(addrs []string) error {
	line := knownhosts.Line(addrs, c.hostPublic) + "\n"
	return os.WriteFile(c.knownHosts, []byte(line), 0o600)
}

// sshdConfig is a node's sshd configuration: every address, port 22, the
// cluster's keys from /etc/ducktape, and log lines on stderr (sshd runs with
// -e), which are the container's log.
var sshdConfig = cluster.SSHDConfig("", 22, "/etc/ducktape/host_key", "/etc/ducktape/authorized_keys", "INFO")

// nodeFiles returns the tar stream copied into every container before it
// starts: /etc/ducktape with the sshd configuration and keys.
func (c *credentials) nodeFiles() ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"etc/ducktape/sshd_config", 0o644, []byte(sshdConfig)},
		{"etc/ducktape/host_key", 0o600, c.hostKeyPEM},
		{"etc/ducktape/authorized_keys", 0o644, c.authorized},
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "etc/ducktape/", Mode: 0o755}); err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sshdCommand starts sshd in the foreground wherever the image has it.
var sshdCommand = []string{"/bin/sh", "-c", strings.Join([]string{
	"mkdir -p /run/sshd",
	`sshd=$(command -v sshd || echo /usr/sbin/sshd)`,
	`[ -x "$sshd" ] || { echo "ducktape: this image has no sshd (install openssh-server in it, or use the default image)" >&2; exit 127; }`,
	`exec "$sshd" -D -e -f /etc/ducktape/sshd_config`,
}, "; ")}
