package cluster

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeyCheck verifies a target's host key against its known_hosts files,
// with errors that say what to do.
type hostKeyCheck struct {
	callback ssh.HostKeyCallback
	// algorithms are the key types known_hosts holds for the target, so the
	// server is asked for a key we can check (nil: the client's defaults).
	algorithms []string
}

// knownHostsFiles parses each set of known_hosts files once, so that the
// nodes of a cluster, which usually share one file, do not each read it:
// that made opening a cluster of n nodes cost O(n²). Safe for concurrent
// use; the zero value is ready.
type knownHostsFiles struct {
	mu  sync.Mutex
	dbs map[string]ssh.HostKeyCallback // by the files' names, NUL-joined
}

// db returns the host key callback of the known_hosts files that exist
// among names. Missing files are skipped; with none at all every host is
// unknown.
func (k *knownHostsFiles) db(names []string) (ssh.HostKeyCallback, error) {
	var files []string
	for _, f := range names {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("userknownhostsfile: %w", err)
		}
	}
	if len(files) == 0 {
		return func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }, nil
	}
	key := strings.Join(files, "\x00")
	k.mu.Lock()
	defer k.mu.Unlock()
	if db, ok := k.dbs[key]; ok {
		return db, nil
	}
	db, err := knownhosts.New(files...)
	if err != nil {
		return nil, fmt.Errorf("reading known hosts: %w", err)
	}
	if k.dbs == nil {
		k.dbs = map[string]ssh.HostKeyCallback{}
	}
	k.dbs[key] = db
	return db, nil
}

// newHostKeyCheck builds t's host key check from its known_hosts files,
// parsed through known.
func newHostKeyCheck(t *sshTarget, known *knownHostsFiles) (*hostKeyCheck, error) {
	if t.strict == "no" {
		return &hostKeyCheck{callback: ssh.InsecureIgnoreHostKey()}, nil
	}
	db, err := known.db(t.knownHosts)
	if err != nil {
		return nil, err
	}
	h := &hostKeyCheck{algorithms: knownAlgorithms(db, t.addr())}
	h.callback = func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := db(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case errors.As(err, &ke) && len(ke.Want) == 0 && t.strict == "accept-new":
			return nil
		case errors.As(err, &ke) && len(ke.Want) == 0:
			return fmt.Errorf("host key verification failed: %s (%s %s) is not in %s; check the fingerprint and add the key with\n    ssh-keyscan %s >> %s\n  or set \"stricthostkeychecking\": \"no\" in the node's ssh_config to skip the check",
				knownhosts.Normalize(hostname), key.Type(), ssh.FingerprintSHA256(key), strings.Join(t.knownHosts, " or "), keyscanArgs(t), t.knownHosts[0])
		case errors.As(err, &ke):
			w := ke.Want[0]
			return fmt.Errorf("host key verification failed: HOST KEY MISMATCH for %s: it offered %s %s but %s:%d holds a different key; someone may be intercepting the connection, or the host was reinstalled: then remove the old key with\n    ssh-keygen -R '%s' -f %s",
				knownhosts.Normalize(hostname), key.Type(), ssh.FingerprintSHA256(key), w.Filename, w.Line, knownhosts.Normalize(hostname), w.Filename)
		case errors.As(err, &re):
			return fmt.Errorf("host key verification failed: the key of %s is revoked (%s:%d)", knownhosts.Normalize(hostname), re.Revoked.Filename, re.Revoked.Line)
		}
		return err
	}
	return h, nil
}

func keyscanArgs(t *sshTarget) string {
	if t.port == 22 {
		return t.hostname
	}
	return "-p " + strconv.Itoa(t.port) + " " + t.hostname
}

var (
	probeKeyOnce sync.Once
	probeKey     ssh.PublicKey
)

// knownAlgorithms asks the known_hosts callback which keys it holds for
// addr (by offering a fresh key that cannot match) and returns their
// algorithms, so the handshake negotiates a key type known_hosts can check.
func knownAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	probeKeyOnce.Do(func() {
		pub, _, err := ed25519.GenerateKey(nil)
		if err == nil {
			probeKey, _ = ssh.NewPublicKey(pub)
		}
	})
	if probeKey == nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if !errors.As(cb(addr, &net.TCPAddr{IP: net.IPv4zero}, probeKey), &ke) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, k := range ke.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsFor maps a key type to the signature algorithms that use it.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}
