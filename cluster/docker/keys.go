package docker

import (
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
// reaches each container's /etc/ducktape through its start command.

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

// nodeEnv returns the environment of every node's start command: its
// sshd files, which the command writes to /etc/ducktape before it starts
// sshd (one engine call fewer per node than copying them in, which costs
// about half a second each on a busy machine). The host key is visible to
// whoever can inspect the containers, that is whoever controls the engine
// and so the nodes anyway; it is the cluster's own and dies with it.
func (c *credentials) nodeEnv() []string {
	return []string{
		"DUCKTAPE_SSHD_CONFIG=" + sshdConfig,
		"DUCKTAPE_HOST_KEY=" + string(c.hostKeyPEM),
		"DUCKTAPE_AUTHORIZED_KEYS=" + string(c.authorized),
	}
}

// sshdCommand writes the node's sshd files from its environment (see
// nodeEnv), drops them from the environment and starts sshd in the
// foreground, wherever the image has it.
var sshdCommand = []string{"/bin/sh", "-c", strings.Join([]string{
	"umask 077",
	"mkdir -p /etc/ducktape /run/sshd",
	`printf '%s' "$DUCKTAPE_SSHD_CONFIG" > /etc/ducktape/sshd_config`,
	`printf '%s' "$DUCKTAPE_HOST_KEY" > /etc/ducktape/host_key`,
	`printf '%s' "$DUCKTAPE_AUTHORIZED_KEYS" > /etc/ducktape/authorized_keys`,
	"chmod 644 /etc/ducktape/sshd_config /etc/ducktape/authorized_keys",
	"chmod 755 /run/sshd /etc/ducktape",
	"unset DUCKTAPE_SSHD_CONFIG DUCKTAPE_HOST_KEY DUCKTAPE_AUTHORIZED_KEYS",
	`sshd=$(command -v sshd || echo /usr/sbin/sshd)`,
	`[ -x "$sshd" ] || { echo "ducktape: this image has no sshd (install openssh-server in it, or use the default image)" >&2; exit 127; }`,
	`exec "$sshd" -D -e -f /etc/ducktape/sshd_config`,
}, "; ")}
