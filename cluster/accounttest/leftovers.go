package accounttest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
)

// testZombiesAreNotRunning makes a zombie (a child that exited and whose
// parent, having exec'd a long sleep, never reaps it) and checks that no
// process lookup reports it as running.
func testZombiesAreNotRunning(t *testing.T, e *env) {
	parent := e.sleepCmd()
	file := e.p("zombie.pid")
	e.run(e.a, fmt.Sprintf("nohup sh -c 'sleep 0 & echo $! >%s; exec %s' >/dev/null 2>&1 &", file, parent))
	t.Cleanup(func() { e.a.KillProcess(context.Background(), "^"+parent+"$", false, true) })
	var zombie int
	e.eventually("the zombie's pid", func() bool {
		data, err := e.a.ReadFile(e.ctx, file)
		zombie, err = strconv.Atoi(strings.TrimSpace(string(data)))
		return err == nil
	})
	e.eventuallyWhy(fmt.Sprintf("process %d to be a zombie", zombie), func() (bool, string) {
		out, err := e.a.Output(e.ctx, fmt.Sprintf("cat /proc/%d/stat 2>&1", zombie), cluster.OutputOptions{AllowFail: true})
		_, state, _ := strings.Cut(out, ") ")
		return err == nil && strings.HasPrefix(state, "Z"), fmt.Sprintf("%q, %v", out, err)
	})
	if alive, err := e.a.Alive(e.ctx, zombie); err != nil || alive {
		t.Errorf("Alive(zombie %d) = %v, %v; want false", zombie, alive, err)
	}
	// ps lists a zombie as "[sleep] <defunct>"; /proc gives it no command line.
	for _, pattern := range []string{`sleep`, `^\[sleep\] <defunct>$`, `.*`} {
		pids, err := e.a.Pids(e.ctx, pattern)
		if err != nil || slices.Contains(pids, zombie) {
			t.Errorf("Pids(%q) = %v, %v; it must not list the zombie %d", pattern, pids, err, zombie)
		}
	}
	if killed, err := e.a.KillProcess(e.ctx, `^\[sleep\] <defunct>$`, false, false); err != nil || slices.Contains(killed, zombie) {
		t.Errorf("KillProcess(the zombie's ps line) = %v, %v; want it left out", killed, err)
	}
}

// testKillLeftovers starts processes that leave their command's process
// group and session (setsid, nohup ... &, a double fork) under one owner,
// and checks that its KillLeftovers kills exactly them: not another
// owner's, not another driver's (a second cluster over the same nodes)
// with the same test name, not unmarked ones; and that the other driver's
// Close kills what its owner left.
func testKillLeftovers(t *testing.T, e *env) {
	other := e.newC(t)
	otherA := nodeNamed(t, other, e.na.Name)
	owner, neighbour, stranger := e.c.NewOwner("test_x[a=1]"), e.c.NewOwner("test_y"), other.NewOwner("test_x[a=1]")
	if !strings.HasPrefix(owner.ID(), "dt") || strings.ContainsAny(owner.ID(), "[]' ") || owner.ID() == stranger.ID() {
		t.Fatalf("owner ids %q and %q: want distinct ids of shell-safe characters", owner.ID(), stranger.ID())
	}
	as := func(o *cluster.Owner) context.Context { return cluster.WithOwner(e.ctx, o) }
	type proc struct {
		acct  *cluster.RemoteAccount
		ctx   context.Context
		start string // %s: the command line
		cmd   string
	}
	procs := map[string]*proc{
		"setsid":      {e.a, as(owner), "setsid %s >/dev/null 2>&1 </dev/null &", e.sleepCmd()},
		"nohup":       {e.a, as(owner), "nohup %s >/dev/null 2>&1 &", e.sleepCmd()},
		"double fork": {e.a, as(owner), "sh -c '(%s >/dev/null 2>&1 &) &' >/dev/null 2>&1", e.sleepCmd()},
		"second node": {e.b, as(owner), "nohup %s >/dev/null 2>&1 &", e.sleepCmd()},
		"neighbour":   {e.a, as(neighbour), "nohup %s >/dev/null 2>&1 &", e.sleepCmd()},
		"unmarked":    {e.a, e.ctx, "nohup %s >/dev/null 2>&1 &", e.sleepCmd()},
		"stranger":    {otherA, as(stranger), "nohup %s >/dev/null 2>&1 &", e.sleepCmd()},
	}
	pidOf := map[string]int{}
	for name, p := range procs {
		if _, err := p.acct.SSH(p.ctx, fmt.Sprintf(p.start, p.cmd), false); err != nil {
			t.Fatalf("starting the %s process: %v", name, err)
		}
		t.Cleanup(func() { p.acct.KillProcess(context.Background(), "^"+p.cmd+"$", false, true) })
		e.eventually("the "+name+" process", func() bool {
			pids, err := p.acct.Pids(e.ctx, "^"+p.cmd+"$")
			if err == nil && len(pids) == 1 {
				pidOf[name] = pids[0]
			}
			return pidOf[name] != 0
		})
	}
	running := func(name string) bool {
		p := procs[name]
		pids, err := p.acct.Pids(e.ctx, "^"+p.cmd+"$")
		if err != nil {
			t.Fatal(err)
		}
		return len(pids) > 0
	}
	gone := func(names ...string) {
		t.Helper()
		for _, name := range names {
			e.eventually("the "+name+" process to be gone", func() bool { return !running(name) })
		}
	}
	alive := func(names ...string) {
		t.Helper()
		for _, name := range names {
			if !running(name) {
				t.Errorf("the %s process was killed", name)
			}
		}
	}

	left, err := owner.KillLeftovers(e.ctx)
	if err != nil {
		t.Fatalf("KillLeftovers: %v", err)
	}
	// Nodes that share a machine (local nodes) see each other's processes:
	// a process counts under the node whose scan found it first.
	var killed []int
	for _, l := range left {
		killed = append(killed, l.Pids...)
	}
	for _, name := range []string{"setsid", "nohup", "double fork", "second node"} {
		if !slices.Contains(killed, pidOf[name]) {
			t.Errorf("KillLeftovers = %v; want the %s process %d among them", left, name, pidOf[name])
		}
	}
	gone("setsid", "nohup", "double fork", "second node")
	alive("neighbour", "unmarked", "stranger")
	if left, err := owner.KillLeftovers(e.ctx); err != nil || len(left) != 0 {
		t.Errorf("a second KillLeftovers = %v, %v; want nothing", left, err)
	}

	if err := other.Close(); err != nil { // the stranger's test never ended
		t.Fatalf("closing the other cluster: %v", err)
	}
	// The other cluster's accounts are closed: look through this one's
	// (on local nodes, which are not the other cluster's, it finds nothing).
	procs["stranger"].acct = e.a
	gone("stranger")
	alive("neighbour", "unmarked")
	if _, err := neighbour.KillLeftovers(e.ctx); err != nil {
		t.Fatal(err)
	}
	gone("neighbour")
	alive("unmarked")
}

// nodeNamed returns c's node called name, allocated for the test.
func nodeNamed(t *testing.T, c *cluster.Cluster, name string) *cluster.RemoteAccount {
	t.Helper()
	for _, n := range c.Nodes() {
		if n.Name == name {
			return n.Account
		}
	}
	t.Fatalf("the second cluster has no node %s", name)
	return nil
}
