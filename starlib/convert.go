package starlib

import (
	"encoding/json"
	"errors"
	"fmt"

	starjson "go.starlark.net/lib/json"
	"go.starlark.net/starlark"
)

// ToJSON encodes a Starlark value as JSON with the json module's rules.
func ToJSON(v starlark.Value) (json.RawMessage, error) {
	encode := starjson.Module.Members["encode"]
	out, err := starlark.Call(&starlark.Thread{Name: "json"}, encode, starlark.Tuple{v}, nil)
	if ee, ok := err.(*starlark.EvalError); ok {
		return nil, errors.New(ee.Msg) // its backtrace is only this call
	}
	if err != nil {
		return nil, err
	}
	return json.RawMessage(out.(starlark.String)), nil
}

// FromJSON decodes JSON text into a frozen Starlark value.
func FromJSON(data []byte) (starlark.Value, error) {
	decode := starjson.Module.Members["decode"]
	v, err := starlark.Call(&starlark.Thread{Name: "json"}, decode, starlark.Tuple{starlark.String(data)}, nil)
	if err != nil {
		return nil, err
	}
	v.Freeze()
	return v, nil
}

// FromGo converts a JSON-able Go value (as produced by encoding/json) into a
// frozen Starlark value.
func FromGo(v any) (starlark.Value, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("converting %T to Starlark: %w", v, err)
	}
	return FromJSON(data)
}
