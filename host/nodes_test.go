package host_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// openSSH opens the cluster of ns, closed when t ends.
func openSSH(t *testing.T, clusterFile string) *cluster.Cluster {
	t.Helper()
	cl, err := cluster.Open(cluster.Options{File: clusterFile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// uniqueSleep returns a "sleep" command line of about 1000 seconds that no
// other test runs, and a regular expression matching it; tag is digits.
func uniqueSleep(tag string) (cmd, pattern string) {
	frac := fmt.Sprintf("%09d%d", time.Now().UnixNano()%1e9, os.Getpid())
	return "sleep 1000." + tag + frac, `^sleep 1000\.` + tag + frac + `$`
}

// waitNoProcess waits until no process on acct matches pattern (a killed
// process lingers for a moment, and then as a zombie, which lookups skip).
func waitNoProcess(t *testing.T, acct *cluster.RemoteAccount, pattern string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		pids, err := acct.Pids(context.Background(), pattern)
		if err == nil && len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes matching %q still run on %s: %v, %v", pattern, acct.Info().Hostname, pids, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// caseLog returns the test_log.info of res.
func caseLog(t *testing.T, sessionDir string, res *host.Result) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sessionDir, res.ResultsDir, "test_log.info"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestLeftoversKilledAfterTheTest runs, on an sshd node and on a docker
// node, a test that starts processes that leave its commands' process
// groups and sessions (setsid, nohup ... &, a double fork) and then fails:
// once it has ended, none of them runs, and its log says what was killed.
func TestLeftoversKilledAfterTheTest(t *testing.T) {
	for _, provider := range []string{"ssh", "docker"} {
		t.Run(provider, func(t *testing.T) {
			var cl *cluster.Cluster
			if provider == "ssh" {
				cl = openSSH(t, sshtest.Start(t, 1).ClusterFile)
			} else {
				cl = dockertest.Start(t, 1, docker.Options{})
			}
			var lines, patterns []string
			for i, start := range []string{
				"setsid %s >/dev/null 2>&1 </dev/null &",
				"nohup %s >/dev/null 2>&1 &",
				"sh -c '(%s >/dev/null 2>&1 &) &' >/dev/null 2>&1",
			} {
				cmd, pattern := uniqueSleep(fmt.Sprint(i))
				lines = append(lines, fmt.Sprintf("    acct.ssh(%q)", fmt.Sprintf(start, cmd)))
				patterns = append(patterns, pattern)
			}
			file := hosttest.WriteFile(t, t.TempDir(), "test_leftovers.star", `
### "left behind on purpose"
def test_detach(ctx):
    acct = ctx.cluster[0].account
`+strings.Join(lines, "\n")+`
    acct.ssh("sleep 0.2")  # the detached ones have started
    fail("left behind on purpose")

cluster(test_detach, num_nodes = 1)
`)
			rep, dir := hosttest.RunFile(t, cl, file, hosttest.Options{})
			acct := cl.Nodes()[0].Account
			for _, p := range patterns {
				waitNoProcess(t, acct, p)
			}
			log := caseLog(t, dir, hosttest.Result(t, rep, "test_detach"))
			if !strings.Contains(log, "processes the test left running ("+cluster.OwnerEnv+"=") {
				t.Errorf("the test's log does not say what was killed:\n%s", log)
			}
		})
	}
}

// TestNodeFailsMidTest kills the sshd of the node a test runs a command
// on: that test fails naming the node, its host:port and what happened;
// the test on the other node passes; a test that needs the node while it
// is down fails at once saying why; once sshd is back, the next test on
// it reconnects and passes; and what the failed test left running on the
// node (its teardown could not reach it) is killed by the cluster's Close.
func TestNodeFailsMidTest(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("tells the nodes apart by their home directories: sshtest gives each its own only to root")
	}
	ns := sshtest.Start(t, 2)
	cl, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	sleep, sleepPattern := uniqueSleep("9")
	file := hosttest.WriteFile(t, t.TempDir(), "test_nodes.star", fmt.Sprintf(`
def test_victim(ctx):
    ctx.cluster[0].account.ssh("touch victim.started; %s")

cluster(test_victim, num_nodes = 1)

def test_bystander(ctx):
    ctx.cluster[0].account.ssh("sleep 2")

cluster(test_bystander, num_nodes = 1)

def test_both(ctx):
    for node in ctx.cluster:
        node.account.ssh("true")

cluster(test_both, num_nodes = 2)
`, sleep))
	// Stop the victim's node once its command runs.
	victim := make(chan int, 1)
	go func() {
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			for i, n := range ns.Nodes {
				if _, err := os.Stat(filepath.Join(n.Home, "victim.started")); err == nil {
					ns.Stop(i + 1)
					victim <- i
					return
				}
			}
		}
		victim <- -1
	}()
	rep, dir := hosttest.Run(t, cl, []string{file + "::test_victim", file + "::test_bystander"}, hosttest.Options{
		Configure: func(r *host.Runner) { r.MaxParallel = 2 },
	})
	i := <-victim
	if i < 0 {
		t.Fatal("test_victim's command never started")
	}

	node := ns.Nodes[i]
	res := hosttest.Result(t, rep, "test_victim")
	want := fmt.Sprintf("the connection to %s (%s) was lost", node.Name, node.HostPort())
	if res.TestStatus != host.StatusFail || !strings.Contains(res.Summary, want) {
		t.Errorf("test_victim: %s, want FAIL with %q:\n%s", res.TestStatus, want, res.Summary)
	}
	if log := caseLog(t, dir, res); !strings.Contains(log, "could not kill the processes the test left running") {
		t.Errorf("test_victim's log does not say its leftovers could not be killed:\n%s", log)
	}
	if res := hosttest.Result(t, rep, "test_bystander"); res.TestStatus != host.StatusPass {
		t.Errorf("test_bystander on the other node: %s\n%s", res.TestStatus, res.Summary)
	}

	rep, _ = hosttest.Run(t, cl, []string{file + "::test_both"}, hosttest.Options{})
	res = hosttest.Result(t, rep, "test_both")
	want = fmt.Sprintf("cannot connect to %s: connection refused", node.HostPort())
	if res.TestStatus != host.StatusFail || !strings.Contains(res.Summary, want) || !strings.Contains(res.Summary, node.Name) {
		t.Errorf("test_both while %s is down: %s, want FAIL naming it, with %q:\n%s", node.Name, res.TestStatus, want, res.Summary)
	}

	ns.Restart(i + 1)
	rep, _ = hosttest.Run(t, cl, []string{file + "::test_both"}, hosttest.Options{})
	if res := hosttest.Result(t, rep, "test_both"); res.TestStatus != host.StatusPass {
		t.Errorf("test_both once %s is back: %s\n%s", node.Name, res.TestStatus, res.Summary)
	}

	check := openSSH(t, ns.ClusterFile).Nodes()[i].Account
	if pids, err := check.Pids(context.Background(), sleepPattern); err != nil || len(pids) != 1 {
		t.Fatalf("test_victim's command on %s: %v, %v; want it still running before the cluster closes", node.Name, pids, err)
	}
	if err := cl.Close(); err != nil {
		t.Fatalf("closing the cluster: %v", err)
	}
	waitNoProcess(t, check, sleepPattern)
}

// TestUnreachableNodeFailsFast: the tests that need a node whose port
// accepts connections but never answers SSH fail with its host:port and
// the cause; only the first waits the connect timeout, the others fail at
// once with the remembered error (the node is dialled once); and the tests
// of a node whose port is closed fail at once with "connection refused".
func TestUnreachableNodeFailsFast(t *testing.T) {
	src := `
def test_a(ctx):
    ctx.cluster[0].account.ssh("true")

def test_b(ctx):
    ctx.cluster[0].account.ssh("true")

def test_c(ctx):
    ctx.cluster[0].account.ssh("true")
`
	file := hosttest.WriteFile(t, t.TempDir(), "test_unreachable.star", src)
	check := func(rep *host.Report, want ...string) {
		t.Helper()
		for _, name := range []string{"test_a", "test_b", "test_c"} {
			res := hosttest.Result(t, rep, name)
			for _, w := range want {
				if res.TestStatus != host.StatusFail || !strings.Contains(res.Summary, w) {
					t.Errorf("%s: %s, want FAIL with %q:\n%s", name, res.TestStatus, w, res.Summary)
				}
			}
		}
	}

	hung := sshtest.Silent(t, 1)
	rep, _ := hosttest.Run(t, openSSH(t, hung.ClusterFile), []string{file}, hosttest.Options{})
	check(rep, "on hung", "cannot connect to "+hung.Addr, "no SSH handshake within 1s")
	if n := hung.Accepted(); n != 1 {
		t.Errorf("the silent node was dialled %d times for 3 tests; want once", n)
	}

	ns := sshtest.Start(t, 1)
	ns.Stop(1)
	rep, _ = hosttest.Run(t, openSSH(t, ns.ClusterFile), []string{file}, hosttest.Options{})
	check(rep, "on node1", "cannot connect to "+ns.Nodes[0].HostPort()+": connection refused")
}
