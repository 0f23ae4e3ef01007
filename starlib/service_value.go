package starlib

import (
	"fmt"
	"slices"
	"sort"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/services"
)

// ServiceValue is a service instance in a test (see docs/services.md):
// the Starlark face of a services.Service. Its lifecycle methods release
// the interpreter lock while they run, and run the per-node hooks on
// threads of their own, one per node, concurrently. Like a Python object it
// accepts new attributes (svc.results = []). Like every Starlark value it
// may only be used by a thread holding its test's interpreter lock.
type ServiceValue struct {
	typ    *ServiceType
	svc    *services.Service
	rt     *Runtime // the test's, whose threads run the hooks
	config *starlarkstruct.Struct
	attrs  map[string]starlark.Value // set by the test
	frozen bool
}

var (
	_ starlark.HasAttrs    = (*ServiceValue)(nil)
	_ starlark.HasSetField = (*ServiceValue)(nil)
)

// Service returns the Go service behind the value.
func (sv *ServiceValue) Service() *services.Service { return sv.svc }

func (sv *ServiceValue) String() string        { return fmt.Sprintf("<service %s>", sv.svc.ID) }
func (sv *ServiceValue) Type() string          { return "service" }
func (sv *ServiceValue) Truth() starlark.Bool  { return true }
func (sv *ServiceValue) Hash() (uint32, error) { return starlark.String(sv.svc.ID).Hash() }

func (sv *ServiceValue) Freeze() {
	if !sv.frozen {
		sv.frozen = true
		for _, v := range sv.attrs {
			v.Freeze()
		}
	}
}

// instanceMethod is a built-in method of service instances.
type instanceMethod func(thread *starlark.Thread, fn string, sv *ServiceValue, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// instanceFields are the plain built-in attributes of service instances
// (see Attr); their methods are declared by serviceValueDomain.
var instanceFields = []string{"config", "name", "nodes", "num_nodes", "service_id"}

// isInstanceAttr reports whether name is a built-in attribute of service
// instances, which a method or a set attribute may not hide.
func isInstanceAttr(name string) bool {
	_, method := getUniverse().service[name]
	return method || slices.Contains(instanceFields, name)
}

func (sv *ServiceValue) AttrNames() []string {
	names := append(slices.Clone(instanceFields), sortedKeys(getUniverse().service)...)
	sort.Strings(names)
	names = append(names, sortedKeys(sv.typ.methods)...)
	return append(names, sortedKeys(sv.attrs)...)
}

func (sv *ServiceValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "name":
		return starlark.String(sv.svc.Name), nil
	case "service_id":
		return starlark.String(sv.svc.ID), nil
	case "nodes":
		return nodeList(sv.svc.Nodes), nil
	case "num_nodes":
		return starlark.MakeInt(len(sv.svc.Nodes)), nil
	case "config":
		return sv.config, nil
	}
	if m := getUniverse().service[name]; m != nil {
		fn := sv.typ.name + "." + name
		return starlark.NewBuiltin(fn, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return m(thread, fn, sv, args, kwargs)
		}), nil
	}
	if m, ok := sv.typ.methods[name]; ok {
		return starlark.NewBuiltin(sv.typ.name+"."+name, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return starlark.Call(thread, m, append(starlark.Tuple{sv}, args...), kwargs)
		}), nil
	}
	return sv.attrs[name], nil
}

func (sv *ServiceValue) SetField(name string, v starlark.Value) error {
	if isInstanceAttr(name) || sv.typ.methods[name] != nil {
		return fmt.Errorf("cannot set %s of %s: it is built in", name, sv.svc.ID)
	}
	if sv.frozen {
		return fmt.Errorf("cannot set %s of %s: frozen", name, sv.svc.ID)
	}
	sv.attrs[name] = v
	return nil
}

// configStruct makes svc.config from the merged keyword arguments.
func configStruct(config *starlark.Dict) *starlarkstruct.Struct {
	kwargs := make([]starlark.Tuple, 0, config.Len())
	for _, kv := range config.Items() {
		kwargs = append(kwargs, starlark.Tuple{kv[0], kv[1]})
	}
	return starlarkstruct.FromKeywords(starlark.String("config"), kwargs)
}
