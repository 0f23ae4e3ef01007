package starlib

import (
	"context"
	"fmt"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
)

// serviceValueDomain is the attributes and methods of service instances
// (type service; see docs/services.md).
func serviceValueDomain() Domain {
	return Domain{Name: "service instances", Page: "services.md", Builtins: []Builtin{
		attribute("service.name", "", "The service's name, as given to service(...)."),
		attribute("service.service_id", "", "The instance's id in the test, `<name>-<k>`: its results directory."),
		attribute("service.nodes", "", "The instance's nodes."),
		attribute("service.num_nodes", "", "How many nodes it has."),
		attribute("service.config", "", "The keyword arguments it was created with, over the definition's config (a struct)."),
		onService("start", "svc.start(clean = True)", "On every node at once: `stop_node` and `clean_node` with their errors ignored, then `start_node`; with clean = False only `start_node`.", svcStart),
		onService("stop", "svc.stop()", "`stop_node` on every node at once.", svcLifecycle("stop")),
		onService("clean", "svc.clean()", "`clean_node` on every node at once.", svcLifecycle("clean")),
		onService("restart", "svc.restart()", "Each node in turn: `stop_node`, `start_node` (no clean).", svcLifecycle("restart")),
		onService("free", "svc.free()", "Gives the nodes back to the test (`ctx.cluster`); the service must be stopped first and cannot be used afterwards.", svcLifecycle("free")),
		onService("wait", "svc.wait(timeout_sec = 600)", "For services that finish on their own: waits until `wait_node` (or every worker) says each node is done; fails naming the nodes still running.", svcWait(false)),
		onService("run", "svc.run(timeout_sec = 600)", "Start, wait, stop (stop even when the wait failed).", svcWait(true)),
		onService("bounce", "svc.bounce(node = None, clean_shutdown = True)", "Restarts one node (all, in turn, when None); with clean_shutdown = False the stop is hard: `stop_node(svc, node, clean_shutdown = False)` if it takes that parameter, else SIGKILL to the `pids` hook's processes.", svcBounce),
		onService("get_node", "svc.get_node(idx)", "The node of 1-based index idx.", svcGetNode),
		onService("idx", "svc.idx(node)", "The 1-based index of node in the service.", svcIdx),
		onService("pids", "svc.pids(node)", "The pids hook's list for node, or [] without a pids hook.", svcPids),
		onService("alive", "svc.alive(node)", "The alive hook; else, for a background service, whether the node's worker runs; else whether pids(node) is not empty.", svcAlive),
		onService("to_json", "svc.to_json()", "What the test's report says of the service.", svcToJSON),
	}}
}

// lifecycle runs op (a call into the Go service) with the interpreter lock
// released and returns None or its error.
func lifecycle(thread *starlark.Thread, fn string, sv *ServiceValue, op func(ctx context.Context) error) (starlark.Value, error) {
	Debugf(thread, "%s: %s", sv.svc.ID, fn)
	start := time.Now()
	if _, err := Blocking(thread, func(ctx context.Context) (struct{}, error) { return struct{}{}, op(ctx) }); err != nil {
		return nil, err
	}
	Debugf(thread, "%s: %s done in %s", sv.svc.ID, fn, time.Since(start).Round(time.Microsecond))
	return starlark.None, nil
}

// svcStart is svc.start(clean = True).
func svcStart(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	clean := true
	if err := starlark.UnpackArgs(fn, args, kwargs, "clean?", &clean); err != nil {
		return nil, err
	}
	return lifecycle(thread, fn, sv, func(ctx context.Context) error { return sv.svc.Start(ctx, clean) })
}

// svcLifecycle is svc.stop(), svc.clean(), svc.restart() or svc.free().
func svcLifecycle(name string) instanceMethod {
	return func(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		if err := starlark.UnpackArgs(fn, args, kwargs); err != nil {
			return nil, err
		}
		op := map[string]func(context.Context) error{
			"stop":    sv.svc.Stop,
			"clean":   sv.svc.Clean,
			"restart": sv.svc.Restart,
			"free":    func(context.Context) error { return sv.svc.Free() },
		}[name]
		return lifecycle(thread, fn, sv, op)
	}
}

// defaultWaitSec is wait()'s and run()'s default timeout, as in the Python
// ducktape.
const defaultWaitSec = 600

// svcWait is svc.wait(timeout_sec = 600), or svc.run(timeout_sec = 600)
// (start, wait, stop) when run.
func svcWait(run bool) instanceMethod {
	return func(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return waitOrRun(thread, fn, sv, args, kwargs, run)
	}
}

func waitOrRun(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple, run bool) (starlark.Value, error) {
	var timeoutV starlark.Value = starlark.MakeInt(defaultWaitSec)
	if err := starlark.UnpackArgs(fn, args, kwargs, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	timeout, err := timeoutArg(fn, timeoutV)
	if err != nil {
		return nil, err
	}
	if run {
		return lifecycle(thread, fn, sv, func(ctx context.Context) error { return sv.svc.Run(ctx, timeout) })
	}
	return lifecycle(thread, fn, sv, func(ctx context.Context) error { return sv.svc.Wait(ctx, timeout) })
}

// svcBounce is svc.bounce(node = None, clean_shutdown = True).
func svcBounce(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var nodeV starlark.Value = starlark.None
	cleanShutdown := true
	if err := starlark.UnpackArgs(fn, args, kwargs, "node?", &nodeV, "clean_shutdown?", &cleanShutdown); err != nil {
		return nil, err
	}
	var node *cluster.Node
	if nodeV != starlark.None {
		var err error
		if node, err = sv.nodeArg(fn, nodeV); err != nil {
			return nil, err
		}
	}
	return lifecycle(thread, fn, sv, func(ctx context.Context) error { return sv.svc.Bounce(ctx, node, cleanShutdown) })
}

// nodeArg checks that v is one of the service's nodes.
func (sv *ServiceValue) nodeArg(fn string, v starlark.Value) (*cluster.Node, error) {
	node, err := AsNode(fn, "node", v)
	if err != nil {
		return nil, err
	}
	if sv.svc.Idx(node) == 0 {
		return nil, fmt.Errorf("%s: %s is not a node of %s", fn, node.Name, sv.svc.ID)
	}
	return node, nil
}

// nodeParam unpacks the one parameter, node, of a method and checks that it
// is a node of the service; it returns the value and its node.
func (sv *ServiceValue) nodeParam(fn string, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, *cluster.Node, error) {
	var v starlark.Value
	if err := starlark.UnpackArgs(fn, args, kwargs, "node", &v); err != nil {
		return nil, nil, err
	}
	node, err := sv.nodeArg(fn, v)
	return v, node, err
}

// svcGetNode is svc.get_node(idx), idx 1-based.
func svcGetNode(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var idx int
	if err := starlark.UnpackArgs(fn, args, kwargs, "idx", &idx); err != nil {
		return nil, err
	}
	if idx < 1 || idx > len(sv.svc.Nodes) {
		return nil, fmt.Errorf("%s: index %d out of range: %s has nodes 1 to %d", fn, idx, sv.svc.ID, len(sv.svc.Nodes))
	}
	return NewNode(sv.svc.Nodes[idx-1]), nil
}

// svcIdx is svc.idx(node), 1-based.
func svcIdx(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	_, node, err := sv.nodeParam(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	return starlark.MakeInt(sv.svc.Idx(node)), nil
}

// svcPids is svc.pids(node): the pids hook's list, or [] without one (as
// the Python ducktape's default).
func svcPids(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	v, _, err := sv.nodeParam(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	if sv.typ.pids == nil {
		return starlark.NewList(nil), nil
	}
	return starlark.Call(thread, sv.typ.pids, starlark.Tuple{sv, v}, nil)
}

// svcAlive is svc.alive(node): the alive hook; else, for a background
// service, whether the node's worker runs; else whether pids(node) is not
// empty.
func svcAlive(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	v, node, err := sv.nodeParam(fn, args, kwargs)
	if err != nil {
		return nil, err
	}
	switch {
	case sv.typ.alive != nil:
		r, err := starlark.Call(thread, sv.typ.alive, starlark.Tuple{sv, v}, nil)
		if err != nil {
			return nil, err
		}
		return r.Truth(), nil
	case sv.svc.IsBackground():
		return starlark.Bool(sv.svc.WorkerAlive(sv.svc.Idx(node))), nil
	}
	pids, err := svcPids(thread, fn, sv, starlark.Tuple{v}, nil)
	if err != nil {
		return nil, err
	}
	return starlark.Bool(pids.Truth()), nil
}

// svcToJSON is svc.to_json(): what the test's report says of the service.
func svcToJSON(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(fn, args, kwargs); err != nil {
		return nil, err
	}
	return FromGo(sv.svc.JSON())
}
