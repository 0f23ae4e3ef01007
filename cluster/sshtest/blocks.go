package sshtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"golang.org/x/crypto/ssh"
)

// The building blocks of an sshd node, shared with other test helpers that
// place nodes differently (cluster/netnstest puts each in a network
// namespace).

// SSHDConfig returns an sshd_config for a test node listening on
// addr:port (see cluster.SSHDConfig), logging errors only.
func SSHDConfig(addr string, port int, hostKey, authorizedKeys string) string {
	return cluster.SSHDConfig(addr, port, hostKey, authorizedKeys, "ERROR")
}

// WriteKey writes a new ed25519 private key to path in OpenSSH format and
// returns its public key.
func WriteKey(tb testing.TB, path string) ssh.PublicKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		tb.Fatal(err)
	}
	WriteFile(tb, path, pem.EncodeToMemory(block), 0o600)
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return sshPub
}

// WriteFile writes data to path or fails tb.
func WriteFile(tb testing.TB, path string, data []byte, perm os.FileMode) {
	if err := os.WriteFile(path, data, perm); err != nil {
		tb.Fatal(err)
	}
}

// RandomHex returns 6 random hex digits, to name users and namespaces.
func RandomHex(tb testing.TB) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// UserDB runs a user-database command (useradd, userdel), retrying while
// another process (a test package running in parallel) holds the lock on
// /etc/passwd.
func UserDB(name string, args ...string) ([]byte, error) {
	for try := 0; ; try++ {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err == nil || try == 50 || !strings.Contains(string(out), "lock") {
			return out, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
