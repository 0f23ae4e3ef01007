package starlib

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.starlark.net/starlark"
)

// parallelDomain is parallel and run_parallel.
func parallelDomain() Domain {
	return Domain{Name: "parallel", Page: "services.md", Builtins: []Builtin{
		function("parallel", "parallel(fn, items)", "`[fn(x) for x in items]`, the calls running concurrently on threads of their own; results in order, errors joined, each with its backtrace.", parallelBuiltin),
		function("run_parallel", "run_parallel(*services, timeout_sec = 600)", "Starts, waits for and stops each service, all concurrently; every error is reported.", runParallelBuiltin),
	}}
}

// parallelBuiltin is parallel(fn, items): [fn(x) for x in items] with each
// call on its own thread, concurrently (their blocking calls overlap), the
// results in the order of items. When calls fail, the error lists each
// failure with its backtrace.
func parallelBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var fn starlark.Callable
	var iterable starlark.Iterable
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "fn", &fn, "items", &iterable); err != nil {
		return nil, err
	}
	env := EnvOf(thread)
	if env == nil {
		return nil, fmt.Errorf("%s: only available in tests", b.Name())
	}
	rt := env.Runtime
	var items []starlark.Value
	var x starlark.Value
	iter := iterable.Iterate()
	for iter.Next(&x) {
		items = append(items, x)
	}
	iter.Done()
	results := make([]starlark.Value, len(items))
	errs := make([]error, len(items))
	Blocking(thread, func(ctx context.Context) (struct{}, error) {
		var wg sync.WaitGroup
		for i, item := range items {
			name := fmt.Sprintf("%s parallel %d", thread.Name, i)
			wg.Go(func() {
				results[i], errs[i] = callLocked(rt, ctx, name, fn, starlark.Tuple{item}, nil,
					func(v starlark.Value) (starlark.Value, error) { return v, nil })
			})
		}
		wg.Wait()
		return struct{}{}, nil
	})
	var failed []error
	for i, err := range errs {
		if err != nil {
			failed = append(failed, fmt.Errorf("item %d (%s): %w", i, items[i], err))
		}
	}
	if len(failed) > 0 {
		return nil, fmt.Errorf("%d of %d calls failed:\n%w", len(failed), len(items), errors.Join(failed...))
	}
	return starlark.NewList(results), nil
}

// runParallelBuiltin is run_parallel(*services, timeout_sec = 600): start,
// wait for and stop each service, all concurrently; every error is
// reported.
func runParallelBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var timeoutV starlark.Value = starlark.MakeInt(defaultWaitSec)
	if err := starlark.UnpackArgs(b.Name(), nil, kwargs, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	timeout, err := timeoutArg(b.Name(), timeoutV)
	if err != nil {
		return nil, err
	}
	svcs := make([]*ServiceValue, len(args))
	for i, a := range args {
		sv, ok := a.(*ServiceValue)
		if !ok {
			return nil, fmt.Errorf("%s: argument %d is a %s, not a service", b.Name(), i+1, a.Type())
		}
		svcs[i] = sv
	}
	start := time.Now()
	_, err = Blocking(thread, func(ctx context.Context) (struct{}, error) {
		errs := make([]error, len(svcs))
		var wg sync.WaitGroup
		for i, sv := range svcs {
			wg.Go(func() { errs[i] = sv.svc.Run(ctx, timeout) })
		}
		wg.Wait()
		return struct{}{}, errors.Join(errs...)
	})
	Debugf(thread, "run_parallel of %d services took %s", len(svcs), time.Since(start).Round(time.Millisecond))
	return starlark.None, err
}
