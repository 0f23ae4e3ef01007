package starlib

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/services/faults"
	"github.com/ducktape-go/ducktape/services/faults/lazyfs"
)

// The storage faults of the faults module (see docs/faults.md, "Storage
// faults"): faults.lazyfs mounts, the others inject into its mount, or
// (corrupt) into any file.

// LazyFSValue is the handle faults.lazyfs returns: .node, .path (the mount
// point, absolute), .mounted, .status() and .sync(). It is immutable (the mount
// behind it is safe for concurrent use), so it may be shared between
// threads.
type LazyFSValue struct {
	l    *faults.LazyFS
	node Node // as the test passed it, with its attributes
}

var _ starlark.HasAttrs = (*LazyFSValue)(nil)

func (v *LazyFSValue) String() string        { return "<" + v.l.String() + ">" }
func (v *LazyFSValue) Type() string          { return "lazyfs" }
func (v *LazyFSValue) Freeze()               {}
func (v *LazyFSValue) Truth() starlark.Bool  { return true }
func (v *LazyFSValue) Hash() (uint32, error) { return starlark.String(v.String()).Hash() }

func (v *LazyFSValue) AttrNames() []string {
	return []string{"mounted", "node", "path", "status", "sync"}
}

func (v *LazyFSValue) Attr(name string) (starlark.Value, error) {
	switch name {
	case "node":
		return v.node, nil
	case "path":
		return starlark.String(v.l.Path()), nil
	case "mounted":
		return starlark.Bool(v.l.Mounted()), nil
	case "status":
		return starlark.NewBuiltin("lazyfs.status", v.status), nil
	case "sync":
		return starlark.NewBuiltin("lazyfs.sync", v.sync), nil
	}
	return nil, nil
}

// status is fs.status(): what a power loss would drop now.
func (v *LazyFSValue) status(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	st, err := Blocking(thread, v.l.Status)
	if err != nil {
		return nil, err
	}
	return FromGo(map[string]any{"unsynced_bytes": st.UnsyncedBytes, "unsynced_files": st.UnsyncedFiles, "pending_ops": st.PendingOps})
}

// sync is fs.sync(): everything unsynced made durable, as sync(1) would
// on a local file system.
func (v *LazyFSValue) sync(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	if err := starlark.UnpackArgs(b.Name(), args, kwargs); err != nil {
		return nil, err
	}
	_, err := Blocking(thread, func(ctx context.Context) (struct{}, error) { return struct{}{}, v.l.Sync(ctx) })
	return starlark.None, err
}

// lazyfsArg converts the fs argument of the storage faults.
func lazyfsArg(fn string, v starlark.Value) (*faults.LazyFS, error) {
	l, ok := v.(*LazyFSValue)
	if !ok {
		return nil, fmt.Errorf("%s: fs must be what faults.lazyfs returned, not %s", fn, v.Type())
	}
	return l.l, nil
}

// faultLazyfs is faults.lazyfs(node, path).
func faultLazyfs(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var nodeV starlark.Value
	var dir string
	if err := starlark.UnpackArgs(fn, args, kwargs, "node", &nodeV, "path", &dir); err != nil {
		return nil, err
	}
	node, err := AsNode(fn, "node", nodeV)
	if err != nil {
		return nil, err
	}
	type mounted struct {
		l     *faults.LazyFS
		notes []string
	}
	m, err := Blocking(thread, func(ctx context.Context) (mounted, error) {
		l, notes, err := reg.Lazyfs(ctx, node, dir)
		return mounted{l, notes}, err
	})
	for _, note := range m.notes {
		logf(thread, LevelWarning, "%s", note)
	}
	if err != nil {
		return nil, err
	}
	Debugf(thread, "mounted a %s", m.l)
	return &LazyFSValue{l: m.l, node: nodeV.(Node)}, nil
}

// faultLoseUnsynced is faults.lose_unsynced(fs).
func faultLoseUnsynced(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fsV starlark.Value
	if err := starlark.UnpackArgs(fn, args, kwargs, "fs", &fsV); err != nil {
		return nil, err
	}
	l, err := lazyfsArg(fn, fsV)
	if err != nil {
		return nil, err
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.LoseUnsynced(ctx, l) })
}

// faultDiskErrors is faults.disk_errors(fs, errno = "EIO", ops = ["write",
// "fsync"], probability = 1.0).
func faultDiskErrors(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fsV starlark.Value
	errno := "EIO"
	var opsV starlark.Value = starlark.NewList([]starlark.Value{starlark.String("write"), starlark.String("fsync")})
	var pV starlark.Value = starlark.Float(1)
	if err := starlark.UnpackArgs(fn, args, kwargs, "fs", &fsV, "errno?", &errno, "ops?", &opsV, "probability?", &pV); err != nil {
		return nil, err
	}
	l, err := lazyfsArg(fn, fsV)
	if err != nil {
		return nil, err
	}
	ops, err := stringList(fn, "ops", opsV)
	if err != nil {
		return nil, err
	}
	p, ok := starlark.AsFloat(pV)
	if !ok {
		return nil, fmt.Errorf("%s: probability must be a number, not %s", fn, pV.Type())
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.DiskErrors(ctx, l, errno, ops, p) })
}

// faultSlowDisk is faults.slow_disk(fs, ms).
func faultSlowDisk(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fsV, msV starlark.Value
	if err := starlark.UnpackArgs(fn, args, kwargs, "fs", &fsV, "ms", &msV); err != nil {
		return nil, err
	}
	l, err := lazyfsArg(fn, fsV)
	if err != nil {
		return nil, err
	}
	ms, ok := starlark.AsFloat(msV)
	if !ok {
		return nil, fmt.Errorf("%s: ms must be a number, not %s", fn, msV.Type())
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.SlowDisk(ctx, l, ms) })
}

// faultCorrupt is faults.corrupt(node, path, mode, probability = None,
// size = None, offset = 0, length = None).
func faultCorrupt(thread *starlark.Thread, fn string, reg *faults.Registry, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var nodeV starlark.Value
	var file, mode string
	var pV, sizeV, lengthV starlark.Value = starlark.None, starlark.None, starlark.None
	var offset int64
	if err := starlark.UnpackArgs(fn, args, kwargs, "node", &nodeV, "path", &file, "mode", &mode,
		"probability?", &pV, "size?", &sizeV, "offset?", &offset, "length?", &lengthV); err != nil {
		return nil, err
	}
	node, err := AsNode(fn, "node", nodeV)
	if err != nil {
		return nil, err
	}
	spec := lazyfs.CorruptSpec{Mode: mode, Offset: offset, Length: lazyfs.ToEnd}
	if pV != starlark.None {
		p, ok := starlark.AsFloat(pV)
		if !ok {
			return nil, fmt.Errorf("%s: probability must be a number, not %s", fn, pV.Type())
		}
		spec.Probability = p
	} else if mode == "bitflip" {
		return nil, fmt.Errorf("%s: mode bitflip needs a probability (of each bit)", fn)
	}
	if sizeV != starlark.None {
		var size int64
		if err := starlark.AsInt(sizeV, &size); err != nil {
			return nil, fmt.Errorf("%s: size must be an int: %w", fn, err)
		}
		spec.Size = &size
	}
	if lengthV != starlark.None {
		if err := starlark.AsInt(lengthV, &spec.Length); err != nil {
			return nil, fmt.Errorf("%s: length must be an int or None: %w", fn, err)
		}
		if spec.Length <= 0 {
			return nil, fmt.Errorf("%s: length must be positive (None: to the end of the file), not %d", fn, spec.Length)
		}
	}
	return inject(thread, func(ctx context.Context) (*faults.Fault, error) { return reg.Corrupt(ctx, node, file, spec) })
}

// stringList converts a list or tuple of strings.
func stringList(fn, what string, v starlark.Value) ([]string, error) {
	iter, ok := v.(starlark.Iterable)
	if _, isStr := v.(starlark.String); isStr || !ok {
		return nil, fmt.Errorf("%s: %s must be a list of strings, not %s", fn, what, v.Type())
	}
	var out []string
	var x starlark.Value
	it := iter.Iterate()
	defer it.Done()
	for it.Next(&x) {
		s, ok := starlark.AsString(x)
		if !ok {
			return nil, fmt.Errorf("%s: %s must be a list of strings, not one holding %s", fn, what, x.Type())
		}
		out = append(out, s)
	}
	return out, nil
}
