package cluster

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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

// pidsCmd lists processes with their full command lines, for Pids to match
// here: pgrep -f would put the pattern in its own command line, where a
// concurrent lookup of the same pattern (two threads of a test, or two
// services on one host) would find and signal it. A non-root login sees
// only its own processes (it could not signal others anyway), which also
// keeps nodes that share a machine under distinct users apart; root sees
// every process. The state column lets zombies be left out: a killed
// process whose parent has not reaped it yet (PID 1 on many machines reaps
// orphans late) is not running, though ps lists it.
const pidsCmd = `u=$(id -u); if [ "$u" = 0 ]; then exec ps -ww -eo pid=,stat=,args=; else exec ps -ww -o pid=,stat=,args= -u "$u"; fi`

// psSelf is how the listing's own ps process appears in it.
const psSelf = "ps -ww "

func (a *sshAccount) Pids(ctx context.Context, pattern string) ([]int, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad process pattern %q: %w", pattern, err)
	}
	var out, errOut bytes.Buffer
	status, err := a.Exec(ctx, pidsCmd, &out, &errOut)
	if err != nil {
		return nil, err
	}
	if status != 0 {
		return nil, fmt.Errorf("listing processes with ps exited with status %d: %s", status, strings.TrimSpace(errOut.String()))
	}
	var pids []int
	for _, line := range strings.Split(out.String(), "\n") {
		pidText, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		state, args, _ := strings.Cut(strings.TrimSpace(rest), " ")
		args = strings.TrimSpace(args)
		if pidText == "" || strings.HasPrefix(state, "Z") || strings.HasPrefix(args, psSelf) || !re.MatchString(args) {
			continue
		}
		pid, err := strconv.Atoi(pidText)
		if err != nil {
			return nil, fmt.Errorf("ps printed %q", line)
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
