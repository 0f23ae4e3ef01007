package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/ducktape-go/ducktape/cluster"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// account is a docker node's account: the SSH account of its container,
// with one addition: when a command cannot be run (the connection failed
// or broke), it asks the engine whether the container is still running,
// and if not reports the node as dead, with its exit status and last log
// lines, instead of an SSH error.
type account struct {
	cluster.Account
	dc        *dockerCluster
	node      string
	container string
}

// DeadNodeError is a docker node whose container stopped.
type DeadNodeError struct {
	Node   string
	State  string // e.g. "exited with status 137 (killed: out of memory)"
	Logs   string // the container's last log lines
	Reason error  // what the command got
}

func (e *DeadNodeError) Error() string {
	msg := fmt.Sprintf("node %s died: its container %s", e.Node, e.State)
	if e.Logs != "" {
		msg += "; its last log lines:\n" + e.Logs
	}
	return msg
}

func (e *DeadNodeError) Unwrap() error { return e.Reason }

func (a *account) Exec(ctx context.Context, cmd string, stdout, stderr io.Writer) (int, error) {
	status, err := a.Account.Exec(ctx, cmd, stdout, stderr)
	return status, a.diagnose(ctx, err)
}

func (a *account) FS(ctx context.Context) (cluster.FileSystem, error) {
	fs, err := a.Account.FS(ctx)
	return fs, a.diagnose(ctx, err)
}

func (a *account) Pids(ctx context.Context, pattern string) ([]int, error) {
	pids, err := a.Account.Pids(ctx, pattern)
	return pids, a.diagnose(ctx, err)
}

// Dial opens a connection to one of the node's services by the SSH
// account's route: directly to the container's address on a local engine,
// through the node's SSH connection on a remote one (its address is on the
// engine's machine only). A failed dial is not diagnosed: a refused port
// is common while a service starts.
func (a *account) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	return a.Account.(cluster.Dialer).Dial(ctx, network, address)
}

func (a *account) Route() cluster.Route { return a.Account.(cluster.Dialer).Route() }

// diagnose turns err into a DeadNodeError when the node's container is no
// longer running. A cancelled ctx is not a dead node.
func (a *account) diagnose(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	// The test's context may be nearly spent: the engine gets its own.
	ictx, cancel := context.WithTimeout(context.Background(), readyTimeout/4)
	defer cancel()
	res, ierr := a.dc.e.cli.ContainerInspect(ictx, a.container, client.ContainerInspectOptions{})
	if ierr != nil {
		if isNotFound(ierr) {
			return &DeadNodeError{Node: a.node, State: "was removed", Reason: err}
		}
		return err
	}
	st := res.Container.State
	if st == nil || st.Running && !st.Paused {
		return err
	}
	return &DeadNodeError{Node: a.node, State: describeState(string(st.Status), st.ExitCode, st.OOMKilled, st.Error), Logs: a.lastLogs(ictx, 10), Reason: err}
}

// describeState says in words how a container ended.
func describeState(status string, exit int, oom bool, errText string) string {
	s := "is " + status
	if status == "exited" {
		s = fmt.Sprintf("exited with status %d", exit)
	}
	if oom {
		s += " (killed: out of memory)"
	}
	if errText != "" {
		s += ": " + errText
	}
	return s
}

// lastLogs returns the container's last n log lines (sshd's, on stderr).
func (a *account) lastLogs(ctx context.Context, n int) string {
	rc, err := a.dc.e.cli.ContainerLogs(ctx, a.container, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: fmt.Sprint(n)})
	if err != nil {
		return ""
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil && !errors.Is(err, io.EOF) {
		return ""
	}
	return strings.TrimRight(out.String(), "\n")
}

func isNotFound(err error) bool { return cerrdefs.IsNotFound(err) }
