package kube

import (
	"context"
	"io"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
)

// account is a node pod's account: commands and files through exec in the
// pod, over the API server. It holds no connection of its own (each exec
// is one stream), so it is safe for concurrent use and Close has nothing
// to release.
type account struct {
	info cluster.AccountInfo
	kc   *kubeCluster
	node string // the node's name, e.g. "kube1"
	pod  string
}

func (a *account) Info() cluster.AccountInfo { return a.info }

// killWait bounds how long a cancelled command's stream stays open for the
// shell's pid to arrive (it comes first, unless the shell never started).
const killWait = time.Second

// Exec runs cmd with /bin/sh -c in the pod, in its working directory. When
// ctx is cancelled, the command's process group is killed by a second exec
// before its stream is closed, so no process of its foreground is left
// behind; processes it started in their own session (setsid) are not
// touched, as on SSH nodes.
func (a *account) Exec(ctx context.Context, cmd string, stdout, stderr io.Writer) (int, error) {
	if err := ctx.Err(); err != nil {
		return -1, err
	}
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	sniff := cluster.NewPgidSniffer(stdout)
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	// The stream has a context of its own, so that it stays open (and the
	// shell's pid can arrive) until the command's group is killed.
	sctx, endStream := context.WithCancel(context.WithoutCancel(ctx))
	defer endStream()
	go func() {
		status, err := a.exec(sctx, []string{"/bin/sh", "-c", cluster.PgidScript(cmd)}, nil, sniff, stderr)
		done <- result{status, err}
	}()
	select {
	case r := <-done:
		return a.diagnose(ctx, r.status, r.err)
	case <-ctx.Done():
	}
	select {
	case pgid := <-sniff.Found():
		a.killGroup(pgid)
	case r := <-done: // ended meanwhile
		return a.diagnose(ctx, r.status, r.err)
	case <-time.After(killWait): // the shell never started: nothing to kill
	}
	endStream()
	<-done
	return -1, ctx.Err()
}

// exec runs argv in the pod (see client.exec).
func (a *account) exec(ctx context.Context, argv []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	return a.kc.c.exec(ctx, a.kc.ns, a.pod, argv, stdin, stdout, stderr)
}

// killGroup kills a process group in the pod, best effort.
func (a *account) killGroup(pgid int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.exec(ctx, []string{"/bin/sh", "-c", cluster.KillGroupCmd(pgid)}, nil, io.Discard, io.Discard)
}

func (a *account) FS(ctx context.Context) (cluster.FileSystem, error) {
	return &execFS{ctx: ctx, a: a}, nil
}

func (a *account) Pids(ctx context.Context, pattern string) ([]int, error) {
	return cluster.PsPids(ctx, a, pattern)
}

func (a *account) Close() error { return nil }
