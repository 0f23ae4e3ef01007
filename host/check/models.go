package check

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ducktape-go/ducktape/host/history"
)

// call is one operation as the models see it: the history operation with
// its values validated and reduced to canonical text.
type call struct {
	op   history.Operation
	f    string
	key  string // kv: the key's canonical text
	arg  string // write: the value written; add: the element added
	old  string // cas: the expected value
	new  string // cas: the value set
	read string // ok read: the value (or set) read
	// unknown marks an info (or never completed) operation: it may take
	// effect at any time after its call, or never.
	unknown bool
}

// model is a sequential specification over canonical-text states.
// Implementations are pure: step never modifies its arguments.
type model struct {
	name string
	// fs lists the operations the model accepts, for error messages.
	fs []string
	// parse validates op and returns its call (an operation's values are
	// checked whatever its outcome).
	parse func(op history.Operation) (*call, error)
	init  string
	// step applies c to state; ok is false when c cannot happen in state.
	step func(state string, c *call) (ok bool, next string)
	// why says why c cannot happen in state (step returned false).
	why func(state string, c *call) string
	// describe renders c in words ("write 3", "read -> 3").
	describe func(c *call) string
	// showState renders a state in words.
	showState   func(state string) string
	partitioned bool
}

var models = map[string]*model{
	"register":     registerModel("register", false),
	"cas-register": registerModel("cas-register", true),
	"kv":           kvModel(),
	"set":          setModel(),
}

// modelNames lists the models, sorted, for error messages and docs.
func modelNames() []string {
	names := make([]string, 0, len(models))
	for n := range models {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookupModel(name string) (*model, error) {
	m, ok := models[name]
	if !ok {
		return nil, fmt.Errorf("unknown model %q; the models are %s", name, strings.Join(modelNames(), ", "))
	}
	return m, nil
}

// unwritten is the state of a register nothing wrote: reads of None (nil)
// match it.
const unwritten = "null"

func registerModel(name string, cas bool) *model {
	fs := []string{"read", "write"}
	if cas {
		fs = append(fs, "cas")
	}
	m := &model{name: name, fs: fs, init: unwritten, step: registerStep, why: registerWhy,
		describe: describeRegister, showState: func(s string) string { return s }}
	m.parse = func(op history.Operation) (*call, error) {
		return parseRegister(m, op, op.Input, op.Output)
	}
	return m
}

// parseRegister validates a register operation whose own values (for kv,
// without the key) are in and out.
func parseRegister(m *model, op history.Operation, in, out any) (*call, error) {
	c := &call{op: op, f: op.F, unknown: op.Type == history.Info}
	var err error
	switch {
	case op.F == "read":
		if op.Type == history.OK {
			c.read, err = canon(out)
		}
	case op.F == "write":
		c.arg, err = canon(in)
	case op.F == "cas" && slices.Contains(m.fs, "cas"):
		var old, nw any
		if old, nw, err = pair(in, "[old, new]"); err == nil {
			if c.old, err = canon(old); err == nil {
				c.new, err = canon(nw)
			}
		}
	default:
		err = notAccepted(m, op.F)
	}
	return c, err
}

func notAccepted(m *model, f string) error {
	if f == "cas" && m.name == "register" {
		return fmt.Errorf(`the register model has no cas; use model = "cas-register"`)
	}
	return fmt.Errorf("f %q is not an operation of the %s model (%s)", f, m.name, strings.Join(m.fs, ", "))
}

func registerStep(state string, c *call) (bool, string) {
	switch c.f {
	case "read":
		return c.read == state, state
	case "write":
		return true, c.arg
	default: // cas
		if state == c.old {
			return true, c.new
		}
		// An unknown cas whose compare fails has no effect.
		return c.unknown, state
	}
}

func registerWhy(state string, c *call) string {
	if c.f == "cas" {
		return fmt.Sprintf("the value was %s, not %s", state, c.old)
	}
	return fmt.Sprintf("the value was %s", state)
}

func describeRegister(c *call) string {
	key := ""
	if c.key != "" {
		key = c.key + " "
	}
	switch c.f {
	case "read":
		if c.op.Type != history.OK {
			return "read " + key
		}
		return "read " + key + "-> " + c.read
	case "write":
		return "write " + key + c.arg
	default:
		return "cas " + key + "[" + c.old + ", " + c.new + "]"
	}
}

func kvModel() *model {
	m := &model{name: "kv", fs: []string{"read", "write", "cas"}, init: unwritten, step: registerStep,
		why: registerWhy, describe: describeRegister, showState: func(s string) string { return s },
		partitioned: true}
	m.parse = func(op history.Operation) (*call, error) {
		key, in, err := pair(op.Input, "[key, value]")
		if err != nil {
			return nil, err
		}
		var out any
		if op.F == "read" && op.Type == history.OK {
			var outKey any
			if outKey, out, err = pair(op.Output, "[key, value]"); err != nil {
				return nil, fmt.Errorf("a kv read must complete with [key, value]: %w", err)
			}
			if show(outKey) != show(key) {
				return nil, fmt.Errorf("a read of key %s completed with key %s", show(key), show(outKey))
			}
		}
		c, err := parseRegister(m, op, in, out)
		if err != nil {
			return nil, err
		}
		c.key, err = canon(key)
		return c, err
	}
	return m
}

func setModel() *model {
	m := &model{name: "set", fs: []string{"add", "read"}, init: "", describe: describeSet, showState: showSet}
	m.parse = func(op history.Operation) (*call, error) {
		c := &call{op: op, f: op.F, unknown: op.Type == history.Info}
		var err error
		switch op.F {
		case "add":
			c.arg, err = canon(op.Input)
		case "read":
			if op.Type == history.OK {
				c.read, err = canonSet(op.Output)
			}
		default:
			err = notAccepted(m, op.F)
		}
		return c, err
	}
	m.step = func(state string, c *call) (bool, string) {
		if c.f == "add" {
			return true, setAdd(state, c.arg)
		}
		return c.read == state, state
	}
	m.why = func(state string, c *call) string {
		missing, extra := setDiff(setElems(state), setElems(c.read))
		var parts []string
		if len(missing) > 0 {
			parts = append(parts, "it lacks "+strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			parts = append(parts, "it has "+strings.Join(extra, ", ")+" that the set did not")
		}
		return fmt.Sprintf("the set was %s: %s", showSet(state), strings.Join(parts, "; "))
	}
	return m
}

func describeSet(c *call) string {
	if c.f == "add" {
		return "add " + c.arg
	}
	if c.op.Type != history.OK {
		return "read"
	}
	return "read -> " + showSet(c.read)
}

// setDiff returns the elements of a not in b and of b not in a; both sorted.
func setDiff(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	return onlyA, onlyB
}
