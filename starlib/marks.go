package starlib

import (
	"fmt"
	"math"
	"sync"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host/threshold"
)

// MarksKey is the thread-local key under which a loading thread holds the
// *Marks registry that mark builtins record into.
const MarksKey = "ducktape.marks"

// Marks records the marks of test functions, called at the top level of the
// files that define them. It is safe for concurrent use: files may load in
// parallel.
type Marks struct {
	mu    sync.Mutex
	marks map[*starlark.Function]*TestMarks
}

// NewMarks returns an empty registry.
func NewMarks() *Marks { return &Marks{marks: map[*starlark.Function]*TestMarks{}} }

// Of returns the marks of fn (nil if it has none). The result must not be
// modified.
func (m *Marks) Of(fn *starlark.Function) *TestMarks {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.marks[fn]
}

// Marked returns every marked function with the position of its first mark.
func (m *Marks) Marked() map[*starlark.Function]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[*starlark.Function]string, len(m.marks))
	for fn, tm := range m.marks {
		out[fn] = tm.FirstPos
	}
	return out
}

// Params is one set of keyword arguments given to a mark, in call order.
type Params []starlark.Tuple // (name, value) pairs; values frozen

// TestMarks is what the marks of one test function say.
type TestMarks struct {
	FirstPos string // file:line of the first mark call

	// Nodes is the cluster request of cluster(...); nil without that mark.
	Nodes []cluster.NodeSpec
	// Matrix holds each matrix(...) call: name -> list of values.
	Matrix []Params
	// Parametrize holds each parametrize(...) call: one case each.
	Parametrize []Params
	// Defaults holds each defaults(...) call: name -> list of values.
	Defaults []Params
	// Ignore holds each ignore(...) call; an empty Params ignores all cases.
	Ignore []Params
	// Env holds the env(...) requirements: variable -> wanted value.
	Env map[string]string
	// Timeout is the timeout(...) mark; zero without one.
	Timeout time.Duration
	// Thresholds are the threshold(...) marks' expressions, in call order.
	Thresholds []*threshold.Expr
	// OkToFail is the ok_to_fail(...) mark: a known failure, reported
	// OFAIL (or OPASS), never failing the run.
	OkToFail bool
}

// marksDomain is the marks: top-level calls of a test file that say how
// its tests run (see docs/marks.md).
func marksDomain() Domain {
	return Domain{Name: "marks", Page: "marks.md", Builtins: []Builtin{
		function("cluster", "cluster(test, num_nodes = 1, nodes = None)", "Mark: the nodes test needs, a number or a list of node_spec(...). A test without it gets the whole cluster. In test files only.", markBuiltin("cluster", markCluster)),
		function("matrix", "matrix(test, **lists)", "Mark: one case of test per combination of the lists' values. In test files only.",
			markBuiltin("matrix", markParams(func(tm *TestMarks, p Params) { tm.Matrix = append(tm.Matrix, p) }, true))),
		function("parametrize", "parametrize(test, **params)", "Mark: one case of test with these parameters per call. In test files only.",
			markBuiltin("parametrize", markParams(func(tm *TestMarks, p Params) { tm.Parametrize = append(tm.Parametrize, p) }, false))),
		function("defaults", "defaults(test, **lists)", "Mark: values crossed into every case of test that lacks the key. In test files only.",
			markBuiltin("defaults", markParams(func(tm *TestMarks, p Params) { tm.Defaults = append(tm.Defaults, p) }, true))),
		function("ignore", "ignore(test, **params)", "Mark: every case of test, or those matching params, is IGNORE. In test files only.", markBuiltin("ignore", markIgnore)),
		function("env", "env(test, **vars)", "Mark: test is IGNORE unless the environment has these values. In test files only.", markBuiltin("env", markEnv)),
		function("ok_to_fail", "ok_to_fail(test)", "Mark: test is a known failure: it is reported OFAIL when it fails and OPASS when it passes, and neither fails the run. In test files only.", markBuiltin("ok_to_fail", markOkToFail)),
		function("timeout", "timeout(test, duration)", "Mark: cancel test after a duration (\"10m\") or a number of seconds. In test files only.", markBuiltin("timeout", markTimeout)),
		function("threshold", "threshold(test, expr, ...)", "Mark: after the test, FAIL it unless each expression (\"latency_ms.p99 < 50\") holds on its data and series summaries. In test files only.", markBuiltin("threshold", markThreshold)),
	}}
}

// markBuiltin makes the builtin of a mark: its first positional argument is
// the test function, its keyword arguments go to apply.
func markBuiltin(name string, apply func(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		reg, ok := thread.Local(MarksKey).(*Marks)
		if !ok {
			return nil, fmt.Errorf("%s: marks are top-level calls of a test file, made while it loads", name)
		}
		if len(args) == 0 {
			return nil, fmt.Errorf("%s: the first argument must be the test function", name)
		}
		fn, ok := args[0].(*starlark.Function)
		if !ok {
			return nil, fmt.Errorf("%s: the first argument must be a test function defined in Starlark, not %s", name, args[0].Type())
		}
		reg.mu.Lock()
		defer reg.mu.Unlock()
		tm := reg.marks[fn]
		if tm == nil {
			pos := thread.CallFrame(1).Pos
			tm = &TestMarks{FirstPos: fmt.Sprintf("%s:%d", pos.Filename(), pos.Line)}
			reg.marks[fn] = tm
		}
		if err := apply(tm, args[1:], kwargs); err != nil {
			return nil, fmt.Errorf("%s(%s): %w", name, fn.Name(), err)
		}
		return starlark.None, nil
	}
}

func markCluster(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error {
	var num starlark.Value
	var specs *starlark.List
	if err := starlark.UnpackArgs("cluster", args, kwargs, "num_nodes?", &num, "nodes?", &specs); err != nil {
		return err
	}
	if tm.Nodes != nil {
		return fmt.Errorf("the test already has a cluster(...) mark")
	}
	if num == nil && specs == nil {
		return nil // cluster(test) is no mark at all, as @cluster() in the Python ducktape
	}
	nodes, err := NodeSpecsArg("cluster", num, specs)
	if err != nil {
		return err
	}
	tm.Nodes = nodes
	return nil
}

// markParams records keyword arguments; with lists (matrix, defaults),
// there must be some and every value must be a non-empty list (the values
// to cross). Without lists (parametrize), none is one case with the
// function's defaults, as a bare @parametrize() in the Python ducktape.
func markParams(add func(*TestMarks, Params), lists bool) func(*TestMarks, starlark.Tuple, []starlark.Tuple) error {
	return func(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error {
		if len(args) > 0 {
			return fmt.Errorf("parameters must be given by name")
		}
		if lists && len(kwargs) == 0 {
			return fmt.Errorf("no parameters given")
		}
		for _, kv := range kwargs {
			name := string(kv[0].(starlark.String))
			if lists {
				l, ok := kv[1].(*starlark.List)
				if !ok || l.Len() == 0 {
					return fmt.Errorf("%s must be a non-empty list of values, not %s", name, kv[1])
				}
			}
			if _, err := ToJSON(kv[1]); err != nil {
				return fmt.Errorf("%s: parameters must be JSON values (they appear in test ids): %v", name, err)
			}
			kv[1].Freeze()
		}
		add(tm, Params(kwargs))
		return nil
	}
}

func markIgnore(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error {
	if len(args) > 0 {
		return fmt.Errorf("parameters must be given by name")
	}
	for _, kv := range kwargs {
		kv[1].Freeze()
	}
	tm.Ignore = append(tm.Ignore, Params(kwargs))
	return nil
}

func markEnv(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error {
	if len(args) > 0 || len(kwargs) == 0 {
		return fmt.Errorf("give environment variables by name: env(test, VAR = \"value\")")
	}
	if tm.Env == nil {
		tm.Env = map[string]string{}
	}
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		s, ok := starlark.AsString(kv[1])
		if !ok {
			return fmt.Errorf("%s must be a string, not %s", name, kv[1].Type())
		}
		tm.Env[name] = s
	}
	return nil
}

func markOkToFail(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error {
	if len(args) > 0 || len(kwargs) > 0 {
		return fmt.Errorf("takes only the test function")
	}
	tm.OkToFail = true
	return nil
}

func markTimeout(tm *TestMarks, args starlark.Tuple, kwargs []starlark.Tuple) error {
	var v starlark.Value
	if err := starlark.UnpackPositionalArgs("timeout", args, kwargs, 1, &v); err != nil {
		return err
	}
	d, err := ParseDuration(v)
	if err != nil {
		return err
	}
	tm.Timeout = d
	return nil
}

// ParseDuration accepts a duration string ("90s", "10m", "1h30m") or a
// number of seconds.
func ParseDuration(v starlark.Value) (time.Duration, error) {
	if s, ok := starlark.AsString(v); ok {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("want a positive duration such as \"90s\" or \"10m\", not %q", s)
		}
		return d, nil
	}
	if f, ok := starlark.AsFloat(v); ok && f > 0 {
		// Beyond about 292 years a Duration overflows (to a negative one),
		// and below a nanosecond it is zero, which means no timeout.
		if ns := f * float64(time.Second); ns >= 1 && ns < math.MaxInt64 {
			return time.Duration(ns), nil
		}
		return 0, fmt.Errorf("want a number of seconds from 1e-9 to %.0f, not %s", math.MaxInt64/float64(time.Second), v)
	}
	return 0, fmt.Errorf("want a duration string such as \"10m\" or a number of seconds, not %s", v)
}
