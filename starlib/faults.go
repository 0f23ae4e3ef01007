package starlib

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services/faults"
)

// faultsDomain is the faults module (see docs/faults.md): each injecting
// builtin injects one fault, with the interpreter lock released, and
// returns its handle (a [FaultValue]). The test's registry is Env.Faults;
// the runner closes it in teardown, healing every fault still active.
func faultsDomain() Domain {
	return Domain{Name: "faults", Page: "faults.md", Builtins: []Builtin{
		module("faults", "Fault injection: partitions, delay, loss, pauses, kills and storage faults, healed at the latest in teardown."),
		function("faults.partition", "faults.partition(group_a, group_b, ...)", "Each group is a node or a list of nodes; nodes of different groups can no longer reach each other, both ways.", faultBuiltin(faultPartition)),
		function("faults.isolate", "faults.isolate(node)", "Cuts node off from every other node of the test, both ways.", faultBuiltin(faultIsolate)),
		function("faults.delay", "faults.delay(node, ms, jitter_ms = 0, to = None)", "Packets node sends to the nodes in to (default: every other node of the test) leave ms ± jitter_ms milliseconds late.", faultBuiltin(faultDelay)),
		function("faults.loss", "faults.loss(node, percent, to = None)", "Drops percent of the packets node sends to to (default: every other node of the test) at random.", faultBuiltin(faultLoss)),
		function("faults.pause", "faults.pause(service, node = None)", "SIGSTOP to the service's processes (its pids hook) on node, or on all its nodes; healing sends SIGCONT.", faultBuiltin(faultProcess((*faults.Registry).Pause))),
		function("faults.kill", "faults.kill(service, node = None)", "SIGKILL to the service's processes (its pids hook); nothing heals it.", faultBuiltin(faultProcess((*faults.Registry).Kill))),
		function("faults.cycle", "faults.cycle(make_fault, every = \"5s\", duration = \"2s\", until = None)", "A background nemesis: calls make_fault() at once and then every every, healing each fault after duration; until is None, a duration or a function.", faultBuiltin(faultCycle)),
		function("faults.heal_all", "faults.heal_all()", "Stops every nemesis, then heals every active fault, newest first.", faultBuiltin(faultHealAll)),
		function("faults.lazyfs", "faults.lazyfs(node, path)", "Mounts a lazy file system over the directory path on node (created if missing; before the service starts): every write under it stays in memory until fsynced. Unmounted in teardown, after the logs are collected. Returns its handle: .node, .path, .mounted, .status() (what a power loss would drop now), .sync() (make everything durable, as sync(1) would: the kernel sends FUSE nothing on sync(2)).", faultBuiltin(faultLazyfs)),
		function("faults.lose_unsynced", "faults.lose_unsynced(fs)", "A power loss: SIGKILL to every process using the lazy file system fs, then every write and name change not made durable by an fsync is dropped.", faultBuiltin(faultLoseUnsynced)),
		function("faults.disk_errors", "faults.disk_errors(fs, errno = \"EIO\", ops = [\"write\", \"fsync\"], probability = 1.0)", "Operations ops (open, read, write, fsync, create, rename, unlink) under fs fail with errno (EIO or ENOSPC), each with the probability.", faultBuiltin(faultDiskErrors)),
		function("faults.slow_disk", "faults.slow_disk(fs, ms)", "Every write and fsync under fs takes ms milliseconds longer.", faultBuiltin(faultSlowDisk)),
		function("faults.corrupt", "faults.corrupt(node, path, mode, probability = None, size = None, offset = 0, length = None)", "Corrupts the file path on node: mode \"bitflip\" (each bit with probability), \"truncate\" (to size, or by -size), \"zero\" (offset, length), \"snapshot\" (keep offset, length) then \"restore\" (put them back: a lost write). No FUSE needed.", faultBuiltin(faultCorrupt)),
		function("faults.unsupported", "faults.unsupported(nodes, kind = \"network\")", "None when faults of kind (\"network\": partition, isolate, loss; \"storage\": lazyfs and its faults) can act on the nodes, else why not, as a string: for a test to skip itself on a cluster whose nodes share a network stack (the local cluster), lack iptables or root, or cannot mount FUSE.", faultBuiltin(faultUnsupported)),
		function("faults.history", "faults.history()", "A list of dicts, one per fault injected so far (the records of report.json's \"faults\").", faultBuiltin(faultHistory)),
	}}
}

type faultFunc func(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// faultBuiltin makes a faults.<name> builtin, which finds the test's
// registry. (Starlark itself prefixes its errors with "Error in
// faults.<name>".)
func faultBuiltin(impl faultFunc) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		env := EnvOf(thread)
		if env == nil || env.Faults == nil {
			return nil, fmt.Errorf("faults are only available in tests run by ducktape")
		}
		return impl(thread, b.Name(), env.Faults, args, kwargs)
	}
}

// inject runs an injection with the interpreter lock released and returns
// the fault's handle.
func inject(thread *starlark.Thread, do func(ctx context.Context) (*faults.Fault, error)) (starlark.Value, error) {
	f, err := Blocking(thread, do)
	if err != nil {
		return nil, err
	}
	Debugf(thread, "injected %s", f)
	return &FaultValue{f: f}, nil
}

// faultPartition is faults.partition(group, group, ...): each group a node
// or a list of nodes.
func faultPartition(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if len(kwargs) > 0 {
		return nil, fmt.Errorf("unexpected keyword argument %s", kwargs[0][0])
	}
	groups := make([][]*cluster.Node, len(args))
	for i, a := range args {
		var err error
		if groups[i], err = nodesArg(fmt.Sprintf("group %d", i+1), a); err != nil {
			return nil, err
		}
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.Partition(ctx, groups) })
}

// faultUnsupported is faults.unsupported(nodes, kind = "network").
func faultUnsupported(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	kind := "network"
	if err := starlark.UnpackArgs(fn, args, kwargs, "nodes", &v, "kind?", &kind); err != nil {
		return nil, err
	}
	nodes, err := nodesArg("nodes", v)
	if err != nil {
		return nil, err
	}
	ready := map[string]func(*faults.Registry, context.Context, []*cluster.Node) error{
		"network": (*faults.Registry).NetworkReady, "storage": (*faults.Registry).StorageReady,
	}[kind]
	if ready == nil {
		return nil, fmt.Errorf("%s: kind must be \"network\" or \"storage\", not %q", fn, kind)
	}
	why, err := Blocking(thread, func(ctx context.Context) (error, error) {
		err := ready(reg, ctx, nodes)
		if ctx.Err() != nil {
			return nil, err
		}
		return err, nil
	})
	if err != nil {
		return nil, err
	}
	if why != nil {
		return starlark.String(why.Error()), nil
	}
	return starlark.None, nil
}

// faultIsolate is faults.isolate(node).
func faultIsolate(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var v starlark.Value
	if err := starlark.UnpackArgs(fn, args, kwargs, "node", &v); err != nil {
		return nil, err
	}
	node, err := AsNode(fn, "node", v)
	if err != nil {
		return nil, err
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.Isolate(ctx, node) })
}

// faultDelay is faults.delay(node, ms, jitter_ms = 0, to = None).
func faultDelay(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var nodeV, toV starlark.Value
	var ms, jitter starlark.Value = nil, starlark.MakeInt(0)
	if err := starlark.UnpackArgs(fn, args, kwargs, "node", &nodeV, "ms", &ms, "jitter_ms?", &jitter, "to?", &toV); err != nil {
		return nil, err
	}
	node, to, err := shapingArgs(fn, nodeV, toV)
	if err != nil {
		return nil, err
	}
	msF, ok1 := starlark.AsFloat(ms)
	jitterF, ok2 := starlark.AsFloat(jitter)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("ms and jitter_ms must be numbers")
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.Delay(ctx, node, msF, jitterF, to) })
}

// faultLoss is faults.loss(node, percent, to = None).
func faultLoss(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var nodeV, percent, toV starlark.Value
	if err := starlark.UnpackArgs(fn, args, kwargs, "node", &nodeV, "percent", &percent, "to?", &toV); err != nil {
		return nil, err
	}
	node, to, err := shapingArgs(fn, nodeV, toV)
	if err != nil {
		return nil, err
	}
	p, ok := starlark.AsFloat(percent)
	if !ok {
		return nil, fmt.Errorf("percent must be a number, not %s", percent.Type())
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.Loss(ctx, node, p, to) })
}

// shapingArgs converts the node and to arguments of delay and loss.
func shapingArgs(fn string, nodeV, toV starlark.Value) (*cluster.Node, []*cluster.Node, error) {
	node, err := AsNode(fn, "node", nodeV)
	if err != nil {
		return nil, nil, err
	}
	if toV == nil || toV == starlark.None {
		return node, nil, nil
	}
	to, err := nodesArg("to", toV)
	return node, to, err
}

// faultProcess makes faults.pause and faults.kill (service, node = None):
// the processes are those the service's pids hook returns for node, or for
// each of its nodes.
func faultProcess(do func(*faults.Registry, context.Context, string, map[*cluster.Node][]int) (*faults.Fault, error)) faultFunc {
	return func(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var sv *ServiceValue
		var nodeV starlark.Value = starlark.None
		if err := starlark.UnpackArgs(fn, args, kwargs, "service", &sv, "node?", &nodeV); err != nil {
			return nil, err
		}
		if sv.typ.pids == nil {
			return nil, fmt.Errorf("%s has no pids hook: pause and kill signal the processes it returns", sv.svc.ID)
		}
		nodes := sv.svc.Nodes
		if nodeV != starlark.None {
			node, err := sv.nodeArg(fn, nodeV)
			if err != nil {
				return nil, err
			}
			nodes = []*cluster.Node{node}
		}
		pids := map[*cluster.Node][]int{}
		for _, n := range nodes {
			v, err := svcPids(thread, fn, sv, starlark.Tuple{NewNode(n)}, nil)
			if err != nil {
				return nil, err
			}
			if pids[n], err = pidList(v); err != nil {
				return nil, err
			}
		}
		return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return do(reg, ctx, sv.svc.ID, pids) })
	}
}

// faultHealAll is faults.heal_all(): stop every cycle, heal every active
// fault.
func faultHealAll(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(fn, args, kwargs); err != nil {
		return nil, err
	}
	_, err := Blocking(thread, func(ctx context.Context) (struct{}, error) { return struct{}{}, reg.HealAll(ctx) })
	return starlark.None, err
}

// faultHistory is faults.history(): a list of dicts, one per fault
// injected so far (the records of report.json's "faults").
func faultHistory(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(fn, args, kwargs); err != nil {
		return nil, err
	}
	return FromGo(reg.History())
}

// nodesArg converts a node or a list (or tuple) of nodes.
func nodesArg(what string, v starlark.Value) ([]*cluster.Node, error) {
	if n, ok := v.(Node); ok {
		return []*cluster.Node{n.ClusterNode()}, nil
	}
	iter, ok := v.(starlark.Iterable)
	if !ok {
		return nil, fmt.Errorf("%s must be a node or a list of nodes, not %s", what, v.Type())
	}
	var nodes []*cluster.Node
	var x starlark.Value
	it := iter.Iterate()
	defer it.Done()
	for it.Next(&x) {
		n, ok := x.(Node)
		if !ok {
			return nil, fmt.Errorf("%s must be a node or a list of nodes, not one holding %s", what, x.Type())
		}
		nodes = append(nodes, n.ClusterNode())
	}
	return nodes, nil
}
