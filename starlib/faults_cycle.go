package starlib

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/services/faults"
)

// errNemesisStopped is the cause of a nemesis's context once it is stopped.
var errNemesisStopped = errors.New("nemesis stopped")

// Nemesis is the handle of faults.cycle: a background thread of the test
// (see Runtime.Go) that injects a fault with make_fault() every `every`,
// starting at once, and heals each after `duration`. It ends when `until`
// says so, when stopped (.stop(), faults.heal_all(), the test's teardown
// at the latest), or when make_fault fails; a fault it holds when stopped
// is healed by the registry. Its methods are safe for concurrent use.
type Nemesis struct {
	name string
	stop func() error // idempotent: cancels, waits for the thread, returns its error
	done chan struct{}
	err  error // the thread's error, set before done is closed
}

var _ starlark.HasAttrs = (*Nemesis)(nil)

func (n *Nemesis) String() string        { return "<" + n.name + ">" }
func (n *Nemesis) Type() string          { return "nemesis" }
func (n *Nemesis) Freeze()               {}
func (n *Nemesis) Truth() starlark.Bool  { return true }
func (n *Nemesis) Hash() (uint32, error) { return starlark.String(n.name).Hash() }

func (n *Nemesis) AttrNames() []string { return []string{"running", "stop"} }

func (n *Nemesis) Attr(name string) (starlark.Value, error) {
	switch name {
	case "running":
		select {
		case <-n.done:
			return starlark.False, nil
		default:
			return starlark.True, nil
		}
	case "stop":
		return starlark.NewBuiltin("nemesis.stop", func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
				return nil, err
			}
			_, err := Blocking(thread, func(context.Context) (struct{}, error) { return struct{}{}, n.stop() })
			return starlark.None, err
		}), nil
	}
	return nil, nil
}

// cycleSpec is the schedule of a nemesis.
type cycleSpec struct {
	makeFault       starlark.Callable
	every, duration time.Duration
	stopAt          time.Time         // zero: no time limit
	until           starlark.Callable // nil: none; else stop when it returns true
}

// faultCycle is faults.cycle(make_fault, every = "5s", duration = "2s",
// until = None): until is None (run until stopped), a duration (run that
// long), or a function (checked before each injection; stop when it
// returns true).
func faultCycle(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var spec cycleSpec
	var everyV, durationV starlark.Value = starlark.String("5s"), starlark.String("2s")
	var untilV starlark.Value = starlark.None
	if err := starlark.UnpackArgs(fn, args, kwargs, "make_fault", &spec.makeFault, "every?", &everyV, "duration?", &durationV, "until?", &untilV); err != nil {
		return nil, err
	}
	var err error
	if spec.every, err = ParseDuration(everyV); err != nil {
		return nil, fmt.Errorf("every: %w", err)
	}
	if spec.duration, err = ParseDuration(durationV); err != nil {
		return nil, fmt.Errorf("duration: %w", err)
	}
	if spec.duration >= spec.every {
		return nil, fmt.Errorf("duration (%s) must be shorter than every (%s)", spec.duration, spec.every)
	}
	switch u := untilV.(type) {
	case starlark.NoneType:
	case starlark.Callable:
		spec.until = u
	default:
		d, err := ParseDuration(u)
		if err != nil {
			return nil, fmt.Errorf("until must be None, a duration or a function: %w", err)
		}
		spec.stopAt = time.Now().Add(d)
	}
	rt := EnvOf(thread).Runtime
	ctx, cancel := context.WithCancelCause(ContextOf(thread))
	n := &Nemesis{name: fmt.Sprintf("nemesis %s every %s for %s", spec.makeFault.Name(), spec.every, spec.duration), done: make(chan struct{})}
	n.stop = func() error {
		cancel(errNemesisStopped)
		<-n.done
		return n.err
	}
	if err := reg.AddNemesis(n.stop); err != nil {
		cancel(err)
		return nil, err
	}
	rt.Go(rt.NewThread(ctx, n.name), n.name, func(t *starlark.Thread) {
		defer close(n.done)
		if err := spec.run(t); err != nil && ctx.Err() == nil {
			n.err = fmt.Errorf("%s: %w", n.name, withBacktrace(err))
		}
	})
	return n, nil
}

// run is the nemesis's loop, on its own thread, holding the interpreter
// lock except while it waits. It returns nil when stopped or done.
func (s *cycleSpec) run(thread *starlark.Thread) error {
	start := time.Now()
	for k := 0; ; k++ {
		if _, err := Blocking(thread, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, Sleep(ctx, time.Until(start.Add(time.Duration(k)*s.every)))
		}); err != nil {
			return err
		}
		if !s.stopAt.IsZero() && !time.Now().Before(s.stopAt) {
			return nil
		}
		if s.until != nil {
			done, err := starlark.Call(thread, s.until, nil, nil)
			if err != nil || done.Truth() {
				return err
			}
		}
		v, err := starlark.Call(thread, s.makeFault, nil, nil)
		if err != nil {
			return err
		}
		fv, ok := v.(*FaultValue)
		if !ok {
			return fmt.Errorf("make_fault must return a fault (such as faults.partition(...) does), not %s", v.Type())
		}
		Debugf(thread, "nemesis injected %s", fv.f)
		if _, err := Blocking(thread, func(ctx context.Context) (struct{}, error) {
			if err := Sleep(ctx, s.duration); err != nil {
				return struct{}{}, err // the registry heals it
			}
			return struct{}{}, fv.f.Heal(ctx)
		}); err != nil {
			return err
		}
		Debugf(thread, "nemesis healed %s", fv.f)
	}
}
