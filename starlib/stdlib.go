package starlib

import (
	"go.starlark.net/lib/json"
	"go.starlark.net/lib/math"
	"go.starlark.net/lib/time"
	"go.starlark.net/starlarkstruct"
)

// starlarkLibDomain is the go.starlark.net library modules scripts see.
func starlarkLibDomain() Domain {
	return Domain{Name: "starlark", Page: "writing-tests.md", Builtins: []Builtin{
		value("json", "JSON: `json.encode(x)`, `json.decode(s)`, `json.indent(s)`.", json.Module),
		extendedModule("time", "Time: `time.now()`, `time.parse_duration(s)`, durations and times; performance tests measure with it; `time.sleep(seconds)` waits.", time.Module),
		value("math", "Mathematical functions and constants.", math.Module),
		function("struct", "struct(**kwargs)", "An immutable value with the given attributes.", starlarkstruct.Make),
	}}
}
