package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// sshAuth is how a target authenticates: its identity files' keys (loaded
// once), the ssh-agent at SSH_AUTH_SOCK (asked on every dial), and a
// password. It is immutable and so safe for concurrent use.
type sshAuth struct {
	signers  []ssh.Signer
	password string
	tried    []string // what is offered, for error messages
}

// newSSHAuth loads t's identity files. A configured file that is missing or
// unreadable is an error; a default one (~/.ssh/id_*) is skipped. Keys with
// a passphrase are skipped (load them into ssh-agent).
func newSSHAuth(t *sshTarget) (*sshAuth, error) {
	a := &sshAuth{password: t.password}
	for _, f := range t.identityFiles {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) && !t.explicitKeys {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("identityfile: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(data)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			a.tried = append(a.tried, f+" (skipped: it has a passphrase; add it to ssh-agent)")
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("identityfile %s: %w", f, err)
		}
		a.signers = append(a.signers, signer)
		a.tried = append(a.tried, f)
	}
	if os.Getenv("SSH_AUTH_SOCK") != "" {
		a.tried = append(a.tried, "ssh-agent")
	}
	if a.password != "" {
		a.tried = append(a.tried, "password")
	}
	return a, nil
}

// methods returns the auth methods for one dial and a function that
// releases the agent connection once the handshake is over.
func (a *sshAuth) methods() ([]ssh.AuthMethod, func()) {
	signers := a.signers
	release := func() {}
	if sock := os.Getenv("SSH_AUTH_SOCK"); sock != "" {
		if conn, err := net.Dial("unix", sock); err == nil {
			if more, err := agent.NewClient(conn).Signers(); err == nil {
				signers = append(append([]ssh.Signer(nil), signers...), more...)
			}
			release = func() { conn.Close() }
		}
	}
	var methods []ssh.AuthMethod
	if len(signers) > 0 {
		methods = append(methods, ssh.PublicKeys(signers...))
	}
	if a.password != "" {
		pw := a.password
		methods = append(methods, ssh.Password(pw), ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
			answers := make([]string, len(questions))
			for i := range answers {
				answers[i] = pw
			}
			return answers, nil
		}))
	}
	return methods, release
}

// describe says what was offered, for an authentication failure.
func (a *sshAuth) describe() string {
	if len(a.tried) == 0 {
		return "no key, agent or password was available: set identityfile or password in the node's ssh_config, or start ssh-agent"
	}
	return "tried " + strings.Join(a.tried, ", ")
}
