package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/series"
	"github.com/ducktape-go/ducktape/services"
	"github.com/ducktape-go/ducktape/services/clients"
	"github.com/ducktape-go/ducktape/services/faults"
	"github.com/ducktape-go/ducktape/starlib"
)

// fileOptions is the dialect of the prompt: that of test scripts
// (starlib.FileOptions), with load() binding globally as in
// go.starlark.net's REPL, and globals reassignable (total += 1 in a loop
// at the prompt), as Python users expect.
var fileOptions = func() *syntax.FileOptions {
	opts := *starlib.FileOptions
	opts.LoadBindsGlobally = true
	opts.GlobalReassign = true
	return &opts
}()

// Session is the interpreter of one REPL session: a starlib.Env (its
// runtime, the session's nodes as a test cluster, its services and
// faults), the session's globals and the nodes it poked at. Its globals are
// read and written only with the runtime's interpreter lock held (Exec,
// ExecFile and Complete take it), so a Session may be used from several
// goroutines, but inputs are meant to be executed one at a time, in order.
type Session struct {
	env    *starlib.Env
	rt     *starlib.Runtime     // env.Runtime
	tctx   *starlib.TestContext // ctx: services are created with it
	out    io.Writer            // a lockedWriter
	errOut io.Writer            // a lockedWriter
	loader *host.Loader

	globals starlark.StringDict // guarded by the interpreter lock
	exited  bool                // exit() was called; guarded by the interpreter lock
}

// Config describes a session.
type Config struct {
	// Nodes are the nodes the session may use; the caller allocated them
	// and frees them after Close.
	Nodes []*cluster.Node
	// Loader loads the modules named by load(), with its module cache.
	Loader *host.Loader
	// Dir is the directory relative load() names resolve against (the
	// current directory when empty).
	Dir string
	// ResultsDir is ctx.results_dir, where the logs of the session's
	// services are collected when it ends.
	ResultsDir string
	// Out receives printed values, print() and sh output; Err receives
	// errors and warnings.
	Out, Err io.Writer
}

// exitReason is the cancellation cause of the thread that called exit().
const exitReason = "exit() called"

// NewSession makes a session whose globals are every predeclared name of
// tests (starlib.Predeclared) plus nodes, cluster, ctx, sh, help and exit.
// The background workers of its services run under ctx; Teardown ends
// them.
func NewSession(ctx context.Context, cfg Config) (*Session, error) {
	dir := cfg.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = wd
	}
	out, errOut := &lockedWriter{w: cfg.Out}, &lockedWriter{w: cfg.Err}
	log := consoleLogger{out: out, errOut: errOut}
	env := starlib.NewEnv(starlib.Env{
		Log:        log,
		Cluster:    starlib.NewTestCluster(cfg.Nodes),
		Services:   services.NewRegistry(ctx),
		Faults:     faults.NewRegistry("repl", cfg.Nodes),
		History:    starlib.NewTestHistory(cfg.ResultsDir),
		Series:     series.NewSet(), // summaries only: the prompt saves nothing
		Clients:    clients.NewRegistry(cfg.Nodes),
		ResultsDir: cfg.ResultsDir,
	})
	empty := starlark.NewDict(0)
	empty.Freeze()
	s := &Session{
		env: env,
		rt:  env.Runtime,
		tctx: &starlib.TestContext{
			TestID: "repl", TestName: "repl", ResultsDir: cfg.ResultsDir, Params: empty, Globals: empty, Env: env,
		},
		out:    out,
		errOut: errOut,
		loader: cfg.Loader,
	}
	s.rt.Load = cfg.Loader.Thread("repl", dir).Load
	s.globals = starlark.StringDict{}
	for name, v := range cfg.Loader.Predeclared {
		s.globals[name] = v
	}
	nodes := make([]starlark.Value, len(cfg.Nodes))
	for i, n := range cfg.Nodes {
		nodes[i] = env.Cluster.Node(n)
	}
	s.globals["nodes"] = starlark.NewList(nodes)
	s.globals["cluster"] = env.Cluster
	s.globals["ctx"] = s.tctx
	s.globals["sh"] = starlark.NewBuiltin("sh", s.sh)
	s.globals["help"] = starlark.NewBuiltin("help", s.help)
	s.globals["exit"] = starlark.NewBuiltin("exit", s.exit)
	return s, nil
}

// Exec executes one input, parsed by the input reader, on a fresh thread
// whose blocking calls use ctx. A sole expression's value is printed unless
// None and bound to _. The error, if any, is a *starlark.EvalError with its
// backtrace, or a resolve or syntax error. After exit() Exec returns nil.
func (s *Session) Exec(ctx context.Context, f *syntax.File) error {
	s.rt.Lock()
	defer s.rt.Unlock()
	thread := s.rt.NewThread(ctx, "repl")
	err := s.execLocked(thread, f)
	if s.exited {
		return nil
	}
	return err
}

func (s *Session) execLocked(thread *starlark.Thread, f *syntax.File) error {
	if len(f.Stmts) == 1 {
		if stmt, ok := f.Stmts[0].(*syntax.ExprStmt); ok {
			v, err := starlark.EvalExprOptions(f.Options, thread, stmt.X, s.globals)
			if err != nil {
				return err
			}
			if v != starlark.None {
				fmt.Fprintln(s.out, v)
				s.globals["_"] = v
			}
			return nil
		}
	}
	return starlark.ExecREPLChunk(f, thread, s.globals)
}

// ExecFile executes a Starlark file as if its statements were typed at the
// prompt: its globals become the session's. Its load() names resolve
// against its own directory. A file that cannot be read is an
// *fs.PathError; other errors are the file's own.
func (s *Session) ExecFile(ctx context.Context, path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f, err := fileOptions.Parse(path, src, 0)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	s.rt.Lock()
	defer s.rt.Unlock()
	thread := s.rt.NewThread(ctx, "repl "+path)
	thread.Load = s.loader.Thread("repl", filepath.Dir(abs)).Load
	err = starlark.ExecREPLChunk(f, thread, s.globals)
	if s.exited {
		return nil
	}
	return err
}

// Exited reports whether exit() was called.
func (s *Session) Exited() bool {
	s.rt.Lock()
	defer s.rt.Unlock()
	return s.exited
}

// Teardown ends what the session started, as the runner does after a test:
// heal every fault still active, then stop the services (newest first),
// collect their default logs into ResultsDir, clean them and give their
// nodes back, close the clients left open, and unmount the lazy file
// systems. It runs even when ctx is cancelled, and must not be called
// while an input is executing.
func (s *Session) Teardown(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	err := errors.Join(s.env.Faults.Close(ctx), s.env.Services.Teardown(ctx, services.TeardownOptions{ResultsDir: s.tctx.ResultsDir}))
	_, closeErr := s.env.Clients.Close()
	err = errors.Join(err, closeErr, s.env.Faults.CloseStorage(ctx))
	if n := len(s.env.Services.Services()); n > 0 {
		fmt.Fprintf(s.errOut, "stopped %d service(s); their logs are in %s\n", n, s.tctx.ResultsDir)
	}
	return err
}

// Wait waits for the goroutines the session's builtins started (background
// workers, parallel calls). The caller must first cancel the contexts it
// gave to NewSession and Exec so that they stop.
func (s *Session) Wait() { s.rt.Wait() }

// exit() ends the session after the current input; the rest of the input
// does not run.
func (s *Session) exit(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0); err != nil {
		return nil, err
	}
	s.exited = true
	thread.Cancel(exitReason)
	return starlark.None, nil
}

// globalNames returns the session's global names and Starlark's universe,
// sorted, for completion and help. The interpreter lock must be held.
func (s *Session) globalNames() []string {
	seen := map[string]bool{}
	var names []string
	for _, dict := range []starlark.StringDict{s.globals, starlark.Universe} {
		for name := range dict {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// printError writes err to the session's error stream: a Starlark error
// with its backtrace, others as they are.
func (s *Session) printError(err error) {
	var evalErr *starlark.EvalError
	if errors.As(err, &evalErr) {
		fmt.Fprintln(s.errOut, evalErr.Backtrace())
		return
	}
	fmt.Fprintln(s.errOut, err)
}
