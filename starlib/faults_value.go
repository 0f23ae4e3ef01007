package starlib

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/services/faults"
)

// FaultValue is the handle of an injected fault: .id, .kind, .nodes (their
// names), .active, and .heal(). It is immutable (the fault behind it is
// safe for concurrent use), so it may be shared between threads.
type FaultValue struct{ f *faults.Fault }

var _ starlark.HasAttrs = (*FaultValue)(nil)

func (v *FaultValue) String() string        { return "<" + v.f.String() + ">" }
func (v *FaultValue) Type() string          { return "fault" }
func (v *FaultValue) Freeze()               {}
func (v *FaultValue) Truth() starlark.Bool  { return true }
func (v *FaultValue) Hash() (uint32, error) { return starlark.MakeInt(v.f.ID()).Hash() }

func (v *FaultValue) AttrNames() []string { return []string{"active", "heal", "id", "kind", "nodes"} }

func (v *FaultValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "id":
		return starlark.MakeInt(v.f.ID()), nil
	case "kind":
		return starlark.String(v.f.Kind()), nil
	case "nodes":
		names := v.f.Nodes()
		vals := make([]starlark.Value, len(names))
		for i, n := range names {
			vals[i] = starlark.String(n)
		}
		return starlark.NewList(vals), nil
	case "active":
		return starlark.Bool(v.f.Active()), nil
	case "heal":
		return starlark.NewBuiltin("fault.heal", v.heal), nil
	}
	return nil, nil
}

// heal is fault.heal(): undo the fault, with the interpreter lock released.
// Healing a healed fault, or a kill, does nothing.
func (v *FaultValue) heal(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	if _, err := Blocking(thread, func(ctx context.Context) (struct{}, error) { return struct{}{}, v.f.Heal(ctx) }); err != nil {
		return nil, fmt.Errorf("%s: %w", b.Name(), err)
	}
	Debugf(thread, "healed %s", v.f)
	return starlark.None, nil
}
