package starlib

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

// FuzzRender renders random template strings with values of every kind a
// test passes: never a panic; a template gonja refuses is an error naming
// the template.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"{% for n in nodes %}server.{{ loop.index }}={{ n.name }}:{{ port }}\n{% endfor %}{% if acks == -1 %}acks=all{% else %}acks={{ acks }}{% endif %}",
		"{{ missing }}|{{ 1.5 }}|{{ big }}|{{ d.k }}", "{% for x in %}", "{{ log_dirs | join(\",\") }}\n{{ level | default(\"INFO\") | upper }}",
		"{{ nodes[5].name }}", "{{ port / 0 }}", "{{ d | dictsort }}", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m() }}", "{{ nodes|batch(0) }}",
		"{% set x = x ~ x %}{{ x }}", "{{ 'a' * 3 }}", "{#", "{{", "{% raw %}", "{{ range(3)|sum }}", "{{ nodes|first|attr('name') }}",
		"{{ port|int|float }}", "{{ d.items() }}", "{{ none.x.y }}", "{{ nodes[-1:] }}", "{{ 'x'|replace('', 'y') }}", "{{ s|truncate(-1) }}",
	} {
		f.Add(s)
	}
	nodes := starlark.NewList([]starlark.Value{
		starlark.NewDict(1), starlark.String("b"),
	})
	d := starlark.NewDict(2)
	d.SetKey(starlark.String("k"), starlark.NewList([]starlark.Value{starlark.MakeInt(1)}))
	d.SetKey(starlark.String("z"), starlark.None)
	kwargs := []starlark.Tuple{
		{starlark.String("nodes"), nodes}, {starlark.String("port"), starlark.MakeInt(2888)},
		{starlark.String("acks"), starlark.MakeInt(-1)}, {starlark.String("big"), starlark.MakeInt64(1 << 62)},
		{starlark.String("d"), d}, {starlark.String("s"), starlark.String("text")},
		{starlark.String("log_dirs"), starlark.NewList([]starlark.Value{starlark.String("/a"), starlark.String("/b")})},
		{starlark.String("f"), starlark.Float(0.5)}, {starlark.String("none"), starlark.None},
	}
	render := starlark.NewBuiltin("render", renderBuiltin)
	f.Fuzz(func(t *testing.T, text string) {
		if !isTemplateText(text) {
			return // a file name
		}
		out, err := starlark.Call(&starlark.Thread{Name: "fuzz"}, render, starlark.Tuple{starlark.String(text)}, kwargs)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "render: the template string: ") {
				t.Fatalf("render(%q): error %q does not name the template", text, err)
			}
			return
		}
		if _, ok := out.(starlark.String); !ok {
			t.Fatalf("render(%q) = %s, not a string", text, out.Type())
		}
	})
}
