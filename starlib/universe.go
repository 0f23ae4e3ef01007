package starlib

import (
	"sync"

	"go.starlark.net/lib/json"
	"go.starlark.net/lib/math"
	"go.starlark.net/lib/time"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// FileOptions are the Starlark dialect of ducktape scripts: while loops,
// sets, top-level control flow and recursion are allowed, as Python users
// expect; globals stay single-assignment.
var FileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, Recursion: true}

// domains lists, per domain of builtins, the names it predeclares. A
// domain's file adds itself here (in an init function) so that this file
// stays the one list of what scripts see.
var domains = map[string]func() starlark.StringDict{
	"core": func() starlark.StringDict {
		return starlark.StringDict{
			"assert":     assertModule,
			"json":       json.Module,
			"time":       time.Module,
			"math":       math.Module,
			"struct":     starlark.NewBuiltin("struct", starlarkstruct.Make),
			"node_spec":  starlark.NewBuiltin("node_spec", nodeSpecBuiltin),
			"wait_until": starlark.NewBuiltin("wait_until", waitUntil),
		}
	},
}

var (
	predeclaredOnce sync.Once
	predeclared     starlark.StringDict
)

// Predeclared returns the names every ducktape script sees besides
// Starlark's universe. The dict is shared and frozen: do not modify it.
func Predeclared() starlark.StringDict {
	predeclaredOnce.Do(func() {
		predeclared = starlark.StringDict{}
		for domain, names := range domains {
			for name, v := range names() {
				if _, dup := predeclared[name]; dup {
					panic("starlib: domain " + domain + " predeclares " + name + " again")
				}
				predeclared[name] = v
			}
		}
		predeclared.Freeze()
	})
	return predeclared
}
