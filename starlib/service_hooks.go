package starlib

import (
	"context"
	"fmt"
	"time"

	"go.starlark.net/starlark"
	"golang.org/x/sys/unix"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services"
)

// hooks adapts the service type's Starlark hooks to the Go service model.
// Each hook call runs on a new thread of the test's runtime, named after
// the service, the hook and the node, taking the interpreter lock itself
// (the lifecycle method that led to it has released it).
func (sv *ServiceValue) hooks() services.Hooks {
	t := sv.typ
	h := services.Hooks{
		Start: sv.nodeHook("start_node", t.start),
		Clean: sv.nodeHook("clean_node", t.clean),
	}
	if t.stop != nil || t.pids != nil {
		h.Stop = sv.stopHook
	}
	if t.wait != nil {
		h.Wait = func(ctx context.Context, idx int, node *cluster.Node, timeout time.Duration) (bool, error) {
			return callLocked(sv.rt, ctx, sv.threadName("wait_node", node), t.wait,
				starlark.Tuple{sv, sv.node(node), starlark.Float(timeout.Seconds())}, nil,
				func(v starlark.Value) (bool, error) { return bool(v.Truth()), nil })
		}
	}
	if t.worker != nil {
		h.Worker = func(ctx context.Context, idx int, node *cluster.Node) error {
			_, err := callLocked(sv.rt, ctx, sv.threadName("worker", node), t.worker,
				starlark.Tuple{sv, starlark.MakeInt(idx), sv.node(node)}, nil, ignoreResult)
			return err
		}
	}
	return h
}

func (sv *ServiceValue) threadName(hook string, node *cluster.Node) string {
	return fmt.Sprintf("%s %s %s", sv.svc.ID, hook, node.Name)
}

// nodeHook adapts a (svc, node) hook; nil when fn is.
func (sv *ServiceValue) nodeHook(name string, fn starlark.Callable) services.NodeFunc {
	if fn == nil {
		return nil
	}
	return func(ctx context.Context, idx int, node *cluster.Node) error {
		_, err := callLocked(sv.rt, ctx, sv.threadName(name, node), fn, starlark.Tuple{sv, sv.node(node)}, nil, ignoreResult)
		return err
	}
}

// stopHook calls stop_node(svc, node), passing clean_shutdown when the
// function takes it. Otherwise a hard stop (clean_shutdown = False) first
// sends SIGKILL to the pids hook's processes, and a service with a pids
// hook but no stop_node is stopped by signalling them (SIGTERM, or SIGKILL
// for a hard stop). A hard stop with neither is an error.
func (sv *ServiceValue) stopHook(ctx context.Context, idx int, node *cluster.Node, cleanShutdown bool) error {
	t := sv.typ
	name := sv.threadName("stop_node", node)
	args := starlark.Tuple{sv, sv.node(node)}
	if t.stop != nil && acceptsKeyword(t.stop, "clean_shutdown") {
		_, err := callLocked(sv.rt, ctx, name, t.stop, args, []starlark.Tuple{{starlark.String("clean_shutdown"), starlark.Bool(cleanShutdown)}}, ignoreResult)
		return err
	}
	if t.stop == nil || !cleanShutdown {
		if t.pids == nil {
			return fmt.Errorf("a hard stop (clean_shutdown = False) needs a stop_node that takes clean_shutdown, or a pids hook")
		}
		pids, err := callLocked(sv.rt, ctx, sv.threadName("pids", node), t.pids, args, nil, pidList)
		if err != nil {
			return err
		}
		sig := unix.SIGKILL
		if cleanShutdown {
			sig = unix.SIGTERM
		}
		for _, pid := range pids {
			if err := node.Account.Signal(ctx, pid, sig, true); err != nil {
				return err
			}
		}
	}
	if t.stop == nil {
		return nil
	}
	_, err := callLocked(sv.rt, ctx, name, t.stop, args, nil, ignoreResult)
	return err
}

// pidList converts what a pids hook returns.
func pidList(v starlark.Value) ([]int, error) {
	iter, ok := v.(starlark.Iterable)
	if !ok {
		return nil, fmt.Errorf("pids must return a list of ints, not %s", v.Type())
	}
	var pids []int
	var x starlark.Value
	it := iter.Iterate()
	defer it.Done()
	for it.Next(&x) {
		pid, err := starlark.AsInt32(x)
		if err != nil {
			return nil, fmt.Errorf("pids must return a list of ints, not one holding %s", x.Type())
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// acceptsKeyword reports whether a Starlark function takes a parameter
// named name (or **kwargs).
func acceptsKeyword(fn starlark.Callable, name string) bool {
	f, ok := fn.(*starlark.Function)
	if !ok {
		return false
	}
	if f.HasKwargs() {
		return true
	}
	for i := range f.NumParams() {
		if p, _ := f.Param(i); p == name {
			return true
		}
	}
	return false
}
