package cluster

import (
	"context"
	"fmt"

	"golang.org/x/crypto/ssh"
)

// DialSSH connects to the host that c describes, resolved against
// ~/.ssh/config and checked against known_hosts exactly as a cluster file's
// nodes are. It is for providers that reach a service through SSH (the
// docker provider's ssh:// engines). The caller must call release, which
// closes the client and its jump connections.
func DialSSH(ctx context.Context, c SSHConfig) (client *ssh.Client, release func(), err error) {
	user, err := loadUserSSHConfig()
	if err != nil {
		return nil, nil, fmt.Errorf("reading ~/.ssh/config: %w", err)
	}
	t, err := user.resolve(c, nil)
	if err != nil {
		return nil, nil, err
	}
	d, err := newSSHDialer(t, &knownHostsFiles{})
	if err != nil {
		return nil, nil, err
	}
	client, cleanup, err := d.dial(ctx)
	if err != nil {
		return nil, nil, err
	}
	return client, func() { client.Close(); cleanup() }, nil
}
