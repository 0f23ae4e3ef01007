package starlib_test

import (
	"context"
	"io"
	"testing"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/starlib"
)

// nopAccount is a node whose commands cost nothing: what a command costs
// with it is the driver's own work around the wire (docs/performance.md,
// "A command at the floor").
type nopAccount struct{}

func (nopAccount) Info() cluster.AccountInfo { return cluster.AccountInfo{Hostname: "nop"} }
func (nopAccount) Exec(context.Context, string, io.Writer, io.Writer) (int, error) {
	return 0, nil
}
func (nopAccount) FS(context.Context) (cluster.FileSystem, error) { return nil, nil }
func (nopAccount) Pids(context.Context, string) ([]int, error)    { return nil, nil }
func (nopAccount) Close() error                                   { return nil }

// BenchmarkCommandOverhead: node.account.ssh("true") on a node whose
// commands cost nothing, from a script in a test's environment as the
// runner makes it (the test's log files, its owner's mark); and, for
// reference, the same command through the Go account alone. The
// difference is what the Starlark path adds to a command.
func BenchmarkCommandOverhead(b *testing.B) {
	cl := cluster.New([]*cluster.Node{{Name: "nop1", Account: cluster.NewRemoteAccount("nop1", nopAccount{})}}, nil)
	ctx := cluster.WithOwner(context.Background(), cl.NewOwner("bench"))
	b.Run("starlark", func(b *testing.B) {
		logs, err := host.OpenLogFiles(b.TempDir(), "test_log")
		if err != nil {
			b.Fatal(err)
		}
		defer logs.Close()
		env := starlib.NewEnv(starlib.Env{Log: logs, Cluster: starlib.NewTestCluster(cl.Nodes())})
		predeclared := starlark.StringDict{"node": env.Cluster.Node(cl.Nodes()[0]), "n": starlark.MakeInt(b.N)}
		thread := env.Runtime.NewThread(ctx, "bench")
		env.Runtime.Lock()
		defer env.Runtime.Unlock()
		b.ResetTimer()
		src := "def run():\n    for i in range(n):\n        node.account.ssh(\"true\")\nrun()\n"
		if _, err := starlark.ExecFileOptions(starlib.FileOptions, thread, "bench.star", src, predeclared); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("go", func(b *testing.B) {
		acct := cl.Nodes()[0].Account
		for range b.N {
			if _, err := acct.SSH(ctx, "true", false); err != nil {
				b.Fatal(err)
			}
		}
	})
}
