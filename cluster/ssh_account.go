package cluster

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// sshAccount reaches a node over SSH: commands on sessions of the node's
// connection pool, files over one SFTP session. Safe for concurrent use.
type sshAccount struct {
	info AccountInfo
	pool *sshPool

	fsMu sync.Mutex
	fs   *sftpFS // the current SFTP client; replaced when its connection drops
}

func newSSHAccount(info AccountInfo, d *sshDialer) *sshAccount {
	return &sshAccount{info: info, pool: &sshPool{dialer: d}}
}

func (a *sshAccount) Info() AccountInfo { return a.info }

// pidsCmd lists the processes matching an ERE (%s, quoted). pgrep replaces
// the shell, so neither it nor the shell can match themselves. A non-root
// login sees only its own processes (it could not signal others anyway),
// which also keeps nodes that share a machine under distinct users apart;
// root sees every process.
const pidsCmd = `u=$(id -u); if [ "$u" = 0 ]; then exec pgrep -f -- %[1]s; else exec pgrep -u "$u" -f -- %[1]s; fi`

func (a *sshAccount) Pids(ctx context.Context, pattern string) ([]int, error) {
	var out, errOut bytes.Buffer
	status, err := a.Exec(ctx, fmt.Sprintf(pidsCmd, shellQuote(pattern)), &out, &errOut)
	switch {
	case err != nil:
		return nil, err
	case status == 1: // no match
		return nil, nil
	case status != 0:
		return nil, fmt.Errorf("pgrep exited with status %d: %s", status, strings.TrimSpace(errOut.String()))
	}
	var pids []int
	for _, f := range strings.Fields(out.String()) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("pgrep printed %q", f)
		}
		pids = append(pids, pid)
	}
	return pids, nil
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

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
