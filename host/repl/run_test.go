package repl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/starlib"
)

// newConfig returns a session config over a new local cluster of n nodes.
func newConfig(t *testing.T, n int, out, errOut *strings.Builder) Config {
	t.Helper()
	cl, err := cluster.NewLocal(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return Config{
		Nodes:      cl.Nodes(),
		Loader:     host.NewLoader(services.Std, starlib.Predeclared()),
		Dir:        t.TempDir(),
		ResultsDir: t.TempDir(),
		Out:        out,
		Err:        errOut,
	}
}

// runPipe runs a session over input piped in and returns its outputs.
func runPipe(t *testing.T, input string, opts Options) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut strings.Builder
	cfg := newConfig(t, 2, &out, &errOut)
	if opts.Dir != "" {
		cfg.Dir = opts.Dir
	}
	opts.Config = cfg
	opts.In = strings.NewReader(input)
	err = Run(context.Background(), opts)
	return out.String(), errOut.String(), err
}

func TestPipeEvaluates(t *testing.T) {
	out, errOut, err := runPipe(t, `1 + 2
_ * 10
x = "a"
x
None
print("hello", len(nodes))
[n.name for n in nodes]
len(cluster)
`, Options{})
	if err != nil || errOut != "" {
		t.Fatalf("err = %v, stderr:\n%s", err, errOut)
	}
	want := "3\n30\n\"a\"\nhello 2\n[\"local1\", \"local2\"]\n2\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
}

func TestPipeErrorsDoNotEndTheSession(t *testing.T) {
	out, errOut, err := runPipe(t, `def f():
    return 1 // 0
f()
nope
1 +
"still here"
`, Options{})
	if !errors.Is(err, ErrInputFailed) {
		t.Errorf("err = %v, want ErrInputFailed", err)
	}
	if out != "\"still here\"\n" {
		t.Errorf("stdout = %q", out)
	}
	for _, want := range []string{
		// Lines are numbered per input, as in Python's prompt.
		"Traceback (most recent call last):\n  <stdin>:1:2: in <expr>\n  <stdin>:2:14: in f\nError: floored division by zero",
		"<stdin>:1:1: undefined: nope", "<stdin>:1:4: got newline, want primary expression",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestPipeMultiLineInput(t *testing.T) {
	out, errOut, err := runPipe(t, `def double(x):
    """Doubles x.
It really does."""

    if x > 100:
        fail("too big")
    else:
        return 2 * x
double(21)

total = 0
for i in range(4):
    total += i
# a comment at the margin
    total += 1

total
xs = [
 1,
2]
xs
`, Options{})
	if err != nil || errOut != "" {
		t.Fatalf("err = %v, stderr:\n%s", err, errOut)
	}
	if want := "42\n10\n[1, 2]\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestExitEndsTheSession(t *testing.T) {
	out, _, err := runPipe(t, "1\nexit(); print(\"not printed\")\n2\n", Options{})
	if err != nil || out != "1\n" {
		t.Errorf("err = %v, stdout = %q", err, out)
	}
}

func TestFileRunsFirstAndLoadResolvesAgainstDir(t *testing.T) {
	dir := hosttest.WriteTree(t, map[string]string{
		"lib.star":   "def greet(who):\n    return 'hi ' + who\n",
		"setup.star": "load('lib.star', 'greet')\nfirst = greet(nodes[0].name)\n",
	})
	out, errOut, err := runPipe(t, "first\nload(\"lib.star\", \"greet\")\ngreet(\"there\")\n",
		Options{File: filepath.Join(dir, "setup.star"), Config: Config{Dir: dir}})
	if err != nil || errOut != "" {
		t.Fatalf("err = %v, stderr:\n%s", err, errOut)
	}
	if want := "\"hi local1\"\n\"hi there\"\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

func TestMissingFileIsAPathError(t *testing.T) {
	_, _, err := runPipe(t, "", Options{File: filepath.Join(t.TempDir(), "nope.star")})
	var pathErr *os.PathError
	if !errors.As(err, &pathErr) {
		t.Errorf("err = %v, want a *fs.PathError", err)
	}
}

func TestInterruptCancelsTheRemoteCommand(t *testing.T) {
	var out, errOut strings.Builder
	signals := make(chan os.Signal, 1)
	opts := Options{Config: newConfig(t, 1, &out, &errOut), In: strings.NewReader(`nodes[0].account.ssh("sleep 30")` + "\n\"not run\"\n"), Signals: signals}
	go func() {
		time.Sleep(300 * time.Millisecond)
		signals <- os.Interrupt
	}()
	start := time.Now()
	err := Run(context.Background(), opts)
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("Run took %s after the interrupt", took)
	}
	if !errors.Is(err, ErrInputFailed) || !strings.Contains(err.Error(), "interrupt") {
		t.Errorf("err = %v, want ErrInputFailed naming the interrupt", err)
	}
	if out.String() != "" || !strings.Contains(errOut.String(), "account.ssh") {
		t.Errorf("stdout = %q, stderr:\n%s", out.String(), errOut.String())
	}
}

func TestLeavingStopsTheSessionsServices(t *testing.T) {
	var out, errOut strings.Builder
	cfg := newConfig(t, 2, &out, &errOut)
	err := Run(context.Background(), Options{Config: cfg, In: strings.NewReader(`def _start(svc, node):
    node.account.ssh("nohup sleep 654 > sleeper.log 2>&1 &")
sleeper = service(name = "sleeper", start_node = _start,
    stop_node = lambda svc, node: node.account.kill_process("sleep 654", clean_shutdown = False, allow_fail = True),
    logs = {"log": {"path": "sleeper.log", "collect_default": True}})
s = sleeper(ctx, num_nodes = 1)
s.start()
# The background sleep may still be starting (a process mid-exec is not listed yet).
started = wait_until(lambda: s.nodes[0].account.pids("sleep 654"), timeout_sec = 30)
len(s.nodes[0].account.pids("sleep 654"))
`)})
	if err != nil {
		t.Fatalf("Run: %v\nstderr:\n%s", err, errOut.String())
	}
	if out.String() != "1\n" || !strings.Contains(errOut.String(), "stopped 1 service(s); their logs are in "+cfg.ResultsDir) {
		t.Errorf("stdout = %q, stderr:\n%s", out.String(), errOut.String())
	}
	// The stop sends SIGKILL and, like the Python ducktape's kill_process,
	// does not wait: the process is gone a moment later.
	for _, n := range cfg.Nodes {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			pids, err := n.Account.Pids(context.Background(), "sleep 654")
			if err == nil && len(pids) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("%s: pids %v, %v 10 s after the session", n.Name, pids, err)
				break
			}
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.ResultsDir, "sleeper-1", "local1", "sleeper.log")); err != nil {
		t.Errorf("the service's log was not collected: %v", err)
	}
}
