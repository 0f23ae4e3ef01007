package starlib

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nikolalohinski/gonja/v2"
	"github.com/nikolalohinski/gonja/v2/exec"
	"go.starlark.net/starlark"
)

// renderDomain is render(template, **vars): Jinja2 templates for the
// configuration files services write (the Python ducktape's self.render).
func renderDomain() Domain {
	return Domain{Name: "render", Page: "porting.md", Builtins: []Builtin{
		function("render", "render(template, **vars)",
			"Renders a Jinja2 template with vars and returns the text. template is the template itself when it holds `{{`, `{%` or `{#` or a newline, else the path of a template file relative to the calling file (whose `{% include %}`s are relative to it). Loops, conditionals, filters (`default`, `join`, `upper`, ...), `loop.index`; undefined names render empty, as in Jinja2. Values: numbers, strings, lists, dicts, structs and the plain attributes of nodes, accounts and services.",
			renderBuiltin),
	}}
}

func renderBuiltin(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var text string
	if err := starlark.UnpackPositionalArgs("render", args, nil, 1, &text); err != nil {
		return nil, err
	}
	vars := make(map[string]any, len(kwargs))
	for _, kv := range kwargs {
		name := string(kv[0].(starlark.String))
		v, err := templateValue(kv[1], 0)
		if err != nil {
			return nil, fmt.Errorf("render: %s: %v", name, err)
		}
		vars[name] = v
	}
	var tpl *exec.Template
	var err error
	source := "the template string"
	if isTemplateText(text) {
		err = recovered(func() (err error) { tpl, err = gonja.FromString(text); return err })
	} else {
		path := text
		if !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(thread.CallFrame(1).Pos.Filename()), path)
		}
		if _, statErr := os.Stat(path); statErr != nil {
			return nil, fmt.Errorf("render: no template file %s (a template string holds {{ }}, {%% %%} or a newline)", path)
		}
		source = path
		err = recovered(func() (err error) { tpl, err = gonja.FromFile(path); return err })
	}
	if err != nil {
		return nil, fmt.Errorf("render: %s: %v", source, err)
	}
	var out string
	err = recovered(func() (err error) { out, err = tpl.ExecuteToString(exec.NewContext(vars)); return err })
	if err != nil {
		return nil, fmt.Errorf("render: %s: %v", source, err)
	}
	return starlark.String(out), nil
}

// recovered runs f, one call into gonja, and turns a panic into an error:
// gonja panics on some templates (a user's "{{ 0 % 0 }}" is an integer
// divide by zero), which must fail the render call, not the driver.
func recovered(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the template engine failed: %v", r)
		}
	}()
	return f()
}

// isTemplateText reports whether render's argument is the template itself
// rather than a file name.
func isTemplateText(s string) bool {
	return strings.ContainsAny(s, "\n") || strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#")
}

// maxTemplateDepth bounds how deep templateValue follows attributes, so
// that values that refer back to each other (a service and its nodes) stay
// finite.
const maxTemplateDepth = 4

// templateValue converts a Starlark value for a template: data as Go
// values, and of other values with attributes (structs, nodes, accounts,
// services) the attributes that are data, to maxTemplateDepth levels.
// Functions are left out.
func templateValue(v starlark.Value, depth int) (any, error) {
	switch v := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(v), nil
	case starlark.Int:
		if i, ok := v.Int64(); ok {
			return i, nil
		}
		return v.String(), nil
	case starlark.Float:
		return float64(v), nil
	case starlark.String:
		return string(v), nil
	case starlark.Callable:
		return nil, nil
	}
	if depth >= maxTemplateDepth {
		return v.String(), nil
	}
	switch v := v.(type) {
	case *starlark.Dict:
		out := make(map[string]any, v.Len())
		for _, kv := range v.Items() {
			k, ok := starlark.AsString(kv[0])
			if !ok {
				return nil, fmt.Errorf("dict keys must be strings, not %s", kv[0].Type())
			}
			x, err := templateValue(kv[1], depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = x
		}
		return out, nil
	case starlark.Indexable: // lists, tuples, the test's cluster
		out := make([]any, v.Len())
		for i := range out {
			x, err := templateValue(v.Index(i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case starlark.HasAttrs:
		names := v.AttrNames()
		sort.Strings(names)
		out := make(map[string]any, len(names))
		for _, name := range names {
			a, err := v.Attr(name)
			if err != nil || a == nil {
				continue
			}
			if _, isFn := a.(starlark.Callable); isFn {
				continue
			}
			x, err := templateValue(a, depth+1)
			if err != nil {
				return nil, err
			}
			out[name] = x
		}
		return out, nil
	}
	return v.String(), nil
}
