package repl

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

// newSession returns a session over two local nodes and its outputs.
func newSession(t *testing.T) (s *Session, out, errOut *strings.Builder) {
	t.Helper()
	out, errOut = &strings.Builder{}, &strings.Builder{}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := NewSession(ctx, newConfig(t, 2, out, errOut))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Teardown(ctx); err != nil {
			t.Error(err)
		}
		cancel()
		s.Wait()
	})
	return s, out, errOut
}

// exec executes every statement of src, failing the test on an error.
func exec(t *testing.T, s *Session, src string) {
	t.Helper()
	in := &inputReader{src: newPipeSource(strings.NewReader(src))}
	for {
		f, err := in.next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Exec(context.Background(), f); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
}

func TestShPrintsOutputsGroupedByNode(t *testing.T) {
	s, out, _ := newSession(t)
	exec(t, s, `sh("echo $PWD | sed 's|.*/||'; echo two")`+"\n")
	want := "--- local1 ---\nlocal1\ntwo\n--- local2 ---\nlocal2\ntwo\n"
	if out.String() != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
}

func TestShFailsNamingTheNodes(t *testing.T) {
	s, out, _ := newSession(t)
	in := &inputReader{src: newPipeSource(strings.NewReader(`sh("printf oops; exit 3", nodes = [nodes[1]])` + "\n"))}
	f, err := in.next()
	if err != nil {
		t.Fatal(err)
	}
	err = s.Exec(context.Background(), f)
	if err == nil || !strings.Contains(err.Error(), `sh: "printf oops; exit 3" failed on local2`) {
		t.Errorf("err = %v", err)
	}
	if want := "--- local2 (exit status 3) ---\noops\n"; out.String() != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestTeardownHealsFaults(t *testing.T) {
	s, _, _ := newSession(t)
	exec(t, s, `load("@ducktape//std/process.star", "process_service")
sleeper = process_service(name = "sleeper", cmd = "exec sleep 656")
svc = sleeper(ctx, num_nodes = 1)
svc.start()
paused = faults.pause(svc)
`)
	if err := s.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	history := s.env.Faults.History()
	if len(history) != 1 || history[0].HealTime == nil {
		t.Errorf("the pause was not healed when the session ended: %+v", history)
	}
}

// TestServicesShareNodesAtThePrompt checks that a service created at the
// prompt on another's nodes (nodes = other.nodes) runs beside it, and that
// the session's teardown stops both and frees the nodes.
func TestServicesShareNodesAtThePrompt(t *testing.T) {
	s, _, _ := newSession(t)
	exec(t, s, `load("@ducktape//std/process.star", "process_service")
main = process_service(name = "main", cmd = "exec sleep 657")
side = process_service(name = "side", cmd = "exec sleep 658")
m = main(ctx, num_nodes = 1)
sd = side(ctx, nodes = m.nodes)
m.start()
sd.start()
assert.eq(sd.nodes, m.nodes)
assert.true(sd.alive(m.nodes[0]) and m.alive(m.nodes[0]))
assert.eq(cluster.num_available(), 1)
`)
	if err := s.Teardown(context.Background()); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `assert.eq(cluster.num_available(), 2)
assert.eq([n.account.pids("sleep 65[78]") for n in nodes], [[], []])
`)
}

// TestFileSharesTheSessionsEnv checks that a FILE.star run at the start
// reaches the session's faults and services, as typed inputs do: every
// thread of the session carries its Env.
func TestFileSharesTheSessionsEnv(t *testing.T) {
	s, _, _ := newSession(t)
	file := hosttest.WriteFile(t, t.TempDir(), "setup.star", "injected = len(faults.history())\n")
	if err := s.ExecFile(context.Background(), file); err != nil {
		t.Fatal(err)
	}
	exec(t, s, "assert.eq(injected, 0)\n")
}

// TestHistoryAtThePrompt checks that the session has a history, the same
// object at every call, and that a check writes its visualization into the
// session's results directory.
func TestHistoryAtThePrompt(t *testing.T) {
	s, out, _ := newSession(t)
	exec(t, s, `h = history()
h.ok(h.invoke(0, "write", 1))
h.ok(history().invoke(1, "read"), 2)
r = check.linearizable(h, model = "register")
print(r.ok, r.visualization != None, history() == h)
`)
	if out.String() != "False True True\n" {
		t.Errorf("output %q", out.String())
	}
	if checks := s.env.History.Checks(); len(checks) != 1 || !strings.HasPrefix(checks[0].Visualization, s.tctx.ResultsDir) {
		t.Errorf("checks %+v, results dir %s", checks, s.tctx.ResultsDir)
	}
}
