package host

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/starlib"
)

// expandCases returns the cases of t as its marks describe them, in mark
// order: one per parametrize(...) call, the cross product of each
// matrix(...) call, or a single case without either; defaults(...) values
// are then crossed into every case that lacks their key. Cases that an
// ignore(...) mark matches, or whose env(...) mark the environment does not
// satisfy, are kept but marked ignored. Duplicates are dropped.
func expandCases(t *Test, tm *starlib.TestMarks, getenv func(string) string) ([]*Case, error) {
	if tm == nil {
		return []*Case{{Test: t}}, nil
	}
	var cases []params
	for _, p := range tm.Parametrize {
		cases = append(cases, fromTuples(p))
	}
	for _, m := range tm.Matrix {
		cases = append(cases, cross([]params{{}}, m)...)
	}
	if len(cases) == 0 {
		cases = []params{{}}
	}
	for _, d := range tm.Defaults {
		var out []params
		for _, c := range cases {
			var missing starlib.Params
			for _, kv := range d {
				if _, ok := c[string(kv[0].(starlark.String))]; !ok {
					missing = append(missing, kv)
				}
			}
			out = append(out, cross([]params{c}, missing)...)
		}
		cases = out
	}

	envReason := ""
	var unmet []string
	for k, want := range tm.Env {
		if getenv(k) != want {
			unmet = append(unmet, fmt.Sprintf("%s=%q", k, want))
		}
	}
	if len(unmet) > 0 {
		sort.Strings(unmet)
		envReason = "ignored: env(...) requires " + strings.Join(unmet, ", ")
	}

	seen := map[string]bool{}
	var out []*Case
	for _, p := range cases {
		goParams, err := p.toGo()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.Name, err)
		}
		c := &Case{Test: t, Params: goParams}
		if seen[c.ID()] {
			continue
		}
		seen[c.ID()] = true
		switch {
		case envReason != "":
			c.Ignored = envReason
		case ignoredBy(tm.Ignore, p):
			c.Ignored = "ignored by an ignore(...) mark"
		}
		out = append(out, c)
	}
	return out, nil
}

// params is one case's parameters as Starlark values.
type params map[string]starlark.Value

func fromTuples(p starlib.Params) params {
	out := params{}
	for _, kv := range p {
		out[string(kv[0].(starlark.String))] = kv[1]
	}
	return out
}

// cross returns every base case extended with one value of each list in m.
func cross(base []params, m starlib.Params) []params {
	out := base
	for _, kv := range m {
		name := string(kv[0].(starlark.String))
		values := kv[1].(*starlark.List)
		var next []params
		for _, c := range out {
			for i := 0; i < values.Len(); i++ {
				n := make(params, len(c)+1)
				for k, v := range c {
					n[k] = v
				}
				n[name] = values.Index(i)
				next = append(next, n)
			}
		}
		out = next
	}
	return out
}

// ignoredBy reports whether an ignore mark matches the case: one with no
// parameters matches every case, else the case's parameters must be exactly
// the mark's (same keys, equal values), as in the Python ducktape, where
// @ignore(x=1) ignores the case {"x": 1} but not {"x": 1, "y": 2}.
func ignoredBy(ignores []starlib.Params, p params) bool {
	for _, ig := range ignores {
		if len(ig) == 0 || sameParams(fromTuples(ig), p) {
			return true
		}
	}
	return false
}

// sameParams reports whether a and b have the same keys and equal values.
func sameParams(a, b params) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok {
			return false
		}
		if eq, err := starlark.Equal(va, vb); err != nil || !eq {
			return false
		}
	}
	return true
}

// toGo converts the parameters to JSON values (numbers as json.Number, so
// ids show them exactly as written).
func (p params) toGo() (map[string]any, error) {
	if len(p) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(p))
	for k, v := range p {
		data, err := starlib.ToJSON(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", k, err)
		}
		if out[k], err = decodeJSON(data); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}
