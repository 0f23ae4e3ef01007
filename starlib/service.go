package starlib

import (
	"fmt"
	"sort"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services"
)

// ServiceType is what service(...) and background_service(...) return: the
// definition of a service, called in a test as svc_type(ctx, num_nodes =
// N, nodes = [node_spec...], **config) to create an instance on nodes taken
// from the test's (see [ServiceValue]). It is immutable once made, so
// module globals can share it between tests.
type ServiceType struct {
	name       string
	module     string // file that called service(...)
	numNodes   int
	background bool
	// Hooks, nil when not given. start is nil only for background services.
	start, stop, clean, wait, pids, alive, worker starlark.Callable
	logs                                          map[string]services.LogSpec
	methods                                       map[string]starlark.Callable
	config                                        *starlark.Dict // defaults, frozen
}

var (
	_ starlark.Callable = (*ServiceType)(nil)
	_ starlark.HasAttrs = (*ServiceType)(nil)
)

// servicesDomain is service and background_service, the definitions of
// services (see docs/services.md).
func servicesDomain() Domain {
	return Domain{Name: "services", Page: "services.md", Builtins: []Builtin{
		function("service", "service(name, start_node, stop_node = None, clean_node = None, wait_node = None, pids = None, alive = None, logs = None, methods = None, config = None, num_nodes = 1)",
			"Defines a service; calling it as `svc = my_service(ctx, num_nodes = N, **config)` takes its nodes (`nodes = other.nodes`: those of another service, shared). Then `svc.start()`, `svc.stop()`, `svc.bounce()`, ... (`help(svc)` lists them).", serviceBuiltin(false)),
		function("background_service", "background_service(name, worker, start_node = None, ...)",
			"Defines a service whose `worker(svc, idx, node)` runs on its own thread per node from `start()`; `wait()` joins them; an error in a worker fails `wait()`/`stop()` with its backtrace.", serviceBuiltin(true)),
	}}
}

// serviceBuiltin makes service(name, start_node, ...) or, when background,
// background_service(name, worker, ...).
func serviceBuiltin(background bool) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		t := &ServiceType{numNodes: 1}
		var logs, methods, config *starlark.Dict
		var stop, clean, wait, pids, alive starlark.Value
		params := []any{"name", &t.name}
		if background {
			params = append(params, "worker", &t.worker, "start_node?", &t.start)
		} else {
			params = append(params, "start_node", &t.start)
		}
		params = append(params, "stop_node?", &stop, "clean_node?", &clean, "wait_node?", &wait,
			"pids?", &pids, "alive?", &alive, "logs?", &logs, "methods?", &methods,
			"config?", &config, "num_nodes?", &t.numNodes)
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, params...); err != nil {
			return nil, err
		}
		t.background = background
		hooks := []struct {
			name string
			v    starlark.Value
			dst  *starlark.Callable
		}{{"stop_node", stop, &t.stop}, {"clean_node", clean, &t.clean}, {"wait_node", wait, &t.wait}, {"pids", pids, &t.pids}, {"alive", alive, &t.alive}}
		for _, h := range hooks {
			var err error
			if *h.dst, err = optionalCallable(b.Name(), h.name, h.v); err != nil {
				return nil, err
			}
		}
		if t.name == "" || t.numNodes < 0 {
			return nil, fmt.Errorf("%s: want a non-empty name and num_nodes >= 0", b.Name())
		}
		var err error
		if t.logs, err = logSpecs(b.Name(), logs); err != nil {
			return nil, err
		}
		if t.methods, err = methodTable(b.Name(), methods); err != nil {
			return nil, err
		}
		t.config = starlark.NewDict(0)
		if config != nil {
			for _, kv := range config.Items() {
				if _, ok := kv[0].(starlark.String); !ok {
					return nil, fmt.Errorf("%s: config keys must be strings, not %s", b.Name(), kv[0].Type())
				}
				t.config.SetKey(kv[0], kv[1])
			}
		}
		t.config.Freeze()
		if thread.CallStackDepth() > 1 {
			t.module = thread.CallFrame(1).Pos.Filename()
		}
		return t, nil
	}
}

func optionalCallable(fn, param string, v starlark.Value) (starlark.Callable, error) {
	if v == nil || v == starlark.None {
		return nil, nil
	}
	c, ok := v.(starlark.Callable)
	if !ok {
		return nil, fmt.Errorf("%s: %s must be a function or None, not %s", fn, param, v.Type())
	}
	return c, nil
}

// logSpecs converts logs = {name: {"path": p, "collect_default": bool,
// "collect": "always" | "on_failure" | "never"}}.
func logSpecs(fn string, logs *starlark.Dict) (map[string]services.LogSpec, error) {
	out := map[string]services.LogSpec{}
	if logs == nil {
		return out, nil
	}
	for _, kv := range logs.Items() {
		name, ok := starlark.AsString(kv[0])
		d, isDict := kv[1].(*starlark.Dict)
		if !ok || !isDict {
			return nil, fmt.Errorf("%s: logs must map names to {\"path\": ..., \"collect_default\": ...}, not %s to %s", fn, kv[0].Type(), kv[1].Type())
		}
		var spec services.LogSpec
		for _, f := range d.Items() {
			switch key, _ := starlark.AsString(f[0]); key {
			case "path":
				spec.Path, ok = starlark.AsString(f[1])
			case "collect_default":
				var b starlark.Bool
				b, ok = f[1].(starlark.Bool)
				spec.CollectDefault = bool(b)
			case "collect":
				var policy string
				if policy, ok = starlark.AsString(f[1]); ok {
					var err error
					if spec.Collect, err = services.ParseCollectPolicy(policy); err != nil {
						return nil, fmt.Errorf("%s: log %s: %v", fn, name, err)
					}
				}
			default:
				return nil, fmt.Errorf("%s: log %s: unknown key %s (want path, collect_default, collect)", fn, name, f[0])
			}
			if !ok {
				return nil, fmt.Errorf("%s: log %s: %s has the wrong type %s", fn, name, f[0], f[1].Type())
			}
		}
		if spec.Path == "" {
			return nil, fmt.Errorf("%s: log %s has no path", fn, name)
		}
		out[name] = spec
	}
	return out, nil
}

// methodTable converts methods = {name: fn}; names may not hide a built-in
// attribute of service instances.
func methodTable(fn string, methods *starlark.Dict) (map[string]starlark.Callable, error) {
	out := map[string]starlark.Callable{}
	if methods == nil {
		return out, nil
	}
	for _, kv := range methods.Items() {
		name, ok := starlark.AsString(kv[0])
		c, isFn := kv[1].(starlark.Callable)
		if !ok || !isFn {
			return nil, fmt.Errorf("%s: methods must map names to functions, not %s to %s", fn, kv[0].Type(), kv[1].Type())
		}
		if isInstanceAttr(name) {
			return nil, fmt.Errorf("%s: method %s would hide the service's own %s", fn, name, name)
		}
		out[name] = c
	}
	return out, nil
}

func (t *ServiceType) String() string        { return fmt.Sprintf("<service %s>", t.name) }
func (t *ServiceType) Type() string          { return "service_type" }
func (t *ServiceType) Freeze()               {}
func (t *ServiceType) Truth() starlark.Bool  { return true }
func (t *ServiceType) Hash() (uint32, error) { return starlark.String(t.name).Hash() }
func (t *ServiceType) Name() string          { return t.name }

func (t *ServiceType) AttrNames() []string { return []string{"name"} }
func (t *ServiceType) Attr(name string) (starlark.Value, error) {
	if name == "name" {
		return starlark.String(t.name), nil
	}
	return nil, nil
}

// CallInternal creates an instance: svc_type(ctx, num_nodes = None, nodes =
// None, **config). The nodes are taken from the test's now.
func (t *ServiceType) CallInternal(thread *starlark.Thread, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	fn := t.name
	var ctxV, num starlark.Value
	var specs *starlark.List
	config := starlark.NewDict(t.config.Len())
	for _, kv := range t.config.Items() {
		config.SetKey(kv[0], kv[1])
	}
	var own []starlark.Tuple
	for _, kv := range kwargs {
		switch kv[0].(starlark.String) {
		case "ctx", "num_nodes", "nodes":
			own = append(own, kv)
		default:
			config.SetKey(kv[0], kv[1])
		}
	}
	if err := starlark.UnpackArgs(fn, args, own, "ctx", &ctxV, "num_nodes?", &num, "nodes?", &specs); err != nil {
		return nil, err
	}
	env := EnvOf(thread)
	if _, ok := ctxV.(*TestContext); !ok || env == nil || env.Services == nil {
		return nil, fmt.Errorf("%s: want the test's ctx as first argument (services are created in tests)", fn)
	}
	nodes, err := t.takeNodes(env.Cluster, num, specs)
	if err != nil {
		return nil, err
	}
	sv := &ServiceValue{typ: t, rt: env.Runtime, attrs: map[string]starlark.Value{}}
	sv.config = configStruct(config)
	sv.svc, err = env.Services.New(services.Spec{
		Name: t.name, Module: t.module, Nodes: nodes, Logs: t.logs,
		Hooks: sv.hooks(), Release: env.Cluster.Free,
	})
	if err != nil {
		env.Cluster.Free(nodes)
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	Debugf(thread, "%s created on %v", sv.svc.ID, nodeNames(nodes))
	return sv, nil
}

// takeNodes takes the nodes of a new instance from the test's: num_nodes
// (the definition's by default) or one per node_spec of nodes; or, when
// nodes lists node values (nodes = other.nodes), those very nodes, shared
// with the services that hold them (see TestCluster.Share).
func (t *ServiceType) takeNodes(tc *TestCluster, num starlark.Value, list *starlark.List) ([]*cluster.Node, error) {
	fn := t.name
	if shared, ok, err := sharedNodesArg(fn, num, list); ok || err != nil {
		if err == nil {
			err = tc.Share(shared)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: cannot share nodes: %w", fn, err)
		}
		return shared, nil
	}
	if num == nil && list == nil {
		num = starlark.MakeInt(t.numNodes)
	}
	want, err := NodeSpecsArg(fn, num, list)
	if err != nil {
		return nil, err
	}
	nodes, err := tc.Alloc(want)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot take its %d nodes: %w", fn, len(want), err)
	}
	return nodes, nil
}

// sharedNodesArg returns the nodes of list and true when it lists node
// values (nodes = other.nodes) rather than node_specs; mixing the two, or
// giving num_nodes too, is an error.
func sharedNodesArg(fn string, num starlark.Value, list *starlark.List) ([]*cluster.Node, bool, error) {
	if list == nil || list.Len() == 0 {
		return nil, false, nil
	}
	if _, ok := list.Index(0).(Node); !ok {
		return nil, false, nil
	}
	if num != nil && num != starlark.None {
		return nil, true, fmt.Errorf("give num_nodes or nodes, not both")
	}
	nodes, err := nodesArg("nodes", list)
	return nodes, true, err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// nodeNames returns the names of nodes.
func nodeNames(nodes []*cluster.Node) []string {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	return names
}
