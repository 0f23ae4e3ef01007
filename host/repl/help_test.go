package repl

import (
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/starlib"
	"github.com/ducktape-go/ducktape/starlib/doctest"
)

func TestHelp(t *testing.T) {
	s, out, _ := newSession(t)
	exec(t, s, `def greet(who, greeting = "hi", *rest, loud = False, **opts):
    """Greets who."""
    pass
help(nodes[0].account.ssh)
help(greet)
help(nodes[0])
help("sh")
help(42)
`)
	for _, want := range []string{
		"account.ssh(cmd, allow_fail = False)\n    Runs `cmd` through `/bin/sh`",
		"greet(who, greeting = \"hi\", *rest, loud = False, **opts)\n    Greets who.\n    Defined at <stdin>:1:1.",
		"node\n    A cluster node", "\n    name       The node's name",
		"sh(cmd, nodes = None)\n", "int value: 42",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help output lacks %q:\n%s", want, out)
		}
	}
	out.Reset()
	exec(t, s, "help()\n")
	if !strings.Contains(out.String(), "wait_until") || !strings.Contains(out.String(), "sh(cmd)") {
		t.Errorf("help() overview:\n%s", out)
	}
}

// TestHelpEntriesAreCurrent checks that every help entry names something
// that exists, so the declarations cannot go stale, and that every
// attribute of the values a session meets is documented.
func TestHelpEntriesAreCurrent(t *testing.T) {
	s, _, _ := newSession(t)
	exec(t, s, `_svc = service(name = "x", start_node = lambda svc, node: None)(ctx, num_nodes = 0)
_mon = nodes[0].account.monitor_log("missing.log")
_history = history()
_op = _history.invoke(0, "read")
_series = ctx.series("x")
`)
	values := map[string]starlark.HasAttrs{}
	for _, v := range []starlark.Value{s.env.Cluster.Index(0), s.env.Cluster, s.tctx, s.globals["_svc"], s.globals["_mon"], s.globals["_history"], s.globals["_op"], s.globals["_series"]} {
		values[v.Type()] = v.(starlark.HasAttrs)
	}
	values["account"] = attr(t, values["node"], "account").(starlark.HasAttrs)
	loadable, _ := starlib.Loadable(starlib.ClientsModule)
	for _, globals := range []starlark.StringDict{s.globals, loadable} {
		for name, v := range globals {
			if mod, ok := v.(*starlarkstruct.Module); ok {
				values[name] = mod
			}
		}
	}
	for _, e := range helpEntries {
		typ, attrName, isAttr := cutLast(e.Name, ".")
		switch {
		case strings.Count(e.Name, ".") > 1:
			// The values of load("@ducktape//clients"), which need servers
			// (sql.connection.query): starlib's TestClientValuesDocumented.
		case isAttr && values[typ] == nil:
			t.Errorf("help entry %s: no value of type %s to check", e.Name, typ)
		case isAttr:
			attr(t, values[typ], attrName)
		case values[e.Name] == nil && s.globals[e.Name] == nil && loadable[e.Name] == nil && e.Name != "_":
			t.Errorf("help entry %s names no global", e.Name)
		}
		if e.Sig != "" && !strings.HasPrefix(e.Sig, e.Name+"(") && !strings.HasPrefix(e.Sig, "svc.") {
			t.Errorf("help entry %s: signature %q does not call it", e.Name, e.Sig)
		}
	}
	documented := map[string]bool{} // types with documented attributes; not the library modules (json, ...)
	for _, e := range helpEntries {
		if typ, _, ok := strings.Cut(e.Name, "."); ok {
			documented[typ] = true
		}
	}
	for typ, v := range values {
		for _, name := range v.AttrNames() {
			if !documented[typ] {
				break
			}
			if helpIndex[typ+"."+name] == nil {
				t.Errorf("%s.%s has no help entry", typ, name)
			}
		}
	}
	for name := range s.globals {
		if helpIndex[name] == nil && !strings.HasPrefix(name, "_") {
			t.Errorf("the global %s has no help entry", name)
		}
	}
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

func attr(t *testing.T, v starlark.HasAttrs, name string) starlark.Value {
	t.Helper()
	x, err := v.Attr(name)
	if err != nil || x == nil {
		t.Errorf("%s has no attribute %s", v.Type(), name)
	}
	return x
}

// TestDocsBuiltinList checks that docs/repl.md's builtin list is help's
// (the REPL's globals and the starlib domains' declarations); go test
// ./host/repl -run TestDocs -update-docs rewrites it.
func TestDocsBuiltinList(t *testing.T) {
	doctest.Check(t, filepath.Join("..", "..", "docs", "repl.md"), doctest.Section{Name: "repl builtins", Text: markdownBuiltins()})
}
