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
		// The library's own members (go.starlark.net/lib/time), for help().
		attribute("time.now", "time.now()", "The current time; `t2 - t1` is a duration, `d.seconds` and `d.milliseconds` its length."),
		attribute("time.parse_duration", "time.parse_duration(d)", "The duration a string such as \"1.5s\" or \"2h45m\" spells (Go's time.ParseDuration)."),
		attribute("time.parse_time", "time.parse_time(x, format = RFC3339, location = \"UTC\")", "The time a string spells, in a Go layout (RFC3339 by default)."),
		attribute("time.from_timestamp", "time.from_timestamp(sec, nsec = 0)", "The time of a Unix timestamp."),
		attribute("time.time", "time.time(year, month, day, hour, minute, second, nanosecond, location)", "The time of those fields (each optional)."),
		attribute("time.is_valid_timezone", "time.is_valid_timezone(loc)", "Whether loc names a time zone."),
		attribute("time.nanosecond", "", "A duration of one nanosecond."),
		attribute("time.microsecond", "", "A duration of one microsecond."),
		attribute("time.millisecond", "", "A duration of one millisecond."),
		attribute("time.second", "", "A duration of one second."),
		attribute("time.minute", "", "A duration of one minute."),
		attribute("time.hour", "", "A duration of one hour."),
		value("math", "Mathematical functions and constants.", math.Module),
		function("struct", "struct(**kwargs)", "An immutable value with the given attributes.", starlarkstruct.Make),
	}}
}
