package cluster

import (
	"context"
	"sync"
)

// sshAccount reaches a node over SSH: commands on sessions of the node's
// connection pool, files over one SFTP session. Safe for concurrent use.
type sshAccount struct {
	info  AccountInfo
	pool  *sshPool
	route Route // how Dial reaches the node's services (see directRoute)

	fsMu sync.Mutex
	fs   *sftpFS // the current SFTP client; replaced when its connection drops
}

func newSSHAccount(info AccountInfo, d *sshDialer) *sshAccount {
	route := RouteSSH
	if directRoute(d.target, info.ExternallyRoutableIP) {
		route = RouteDirect
	}
	return &sshAccount{info: info, pool: &sshPool{dialer: d}, route: route}
}

func (a *sshAccount) Info() AccountInfo { return a.info }

func (a *sshAccount) Pids(ctx context.Context, pattern string) ([]int, error) {
	return PsPids(ctx, a, pattern)
}

// FS returns the node's SFTP file system, opening an SFTP session on the
// node's connection the first time and after the connection dropped.
func (a *sshAccount) FS(ctx context.Context) (FileSystem, error) {
	a.fsMu.Lock()
	defer a.fsMu.Unlock()
	if a.fs != nil && a.fs.alive() {
		return a.fs, nil
	}
	fsys, err := openSFTP(ctx, a.pool)
	if err != nil {
		return nil, err
	}
	a.fs = fsys
	return fsys, nil
}

func (a *sshAccount) Close() error {
	a.fsMu.Lock()
	if a.fs != nil {
		a.fs.client.Close()
	}
	a.fsMu.Unlock()
	return a.pool.close()
}
