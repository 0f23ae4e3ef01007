package repl

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/repl.md's builtin list from the help table")

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
		"account.ssh(cmd, allow_fail = False)\n    Runs a shell command",
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

// TestHelpTableIsCurrent checks that every entry of the help table names
// something that exists, so the table cannot go stale, and that the REPL's
// own globals are documented.
func TestHelpTableIsCurrent(t *testing.T) {
	s, _, _ := newSession(t)
	values := map[string]starlark.HasAttrs{"node": s.cluster.Index(0).(starlark.HasAttrs), "cluster": s.cluster}
	values["account"], _ = attr(t, values["node"], "account").(starlark.HasAttrs)
	for name := range s.globals {
		if mod, ok := s.globals[name].(starlark.HasAttrs); ok && name == "assert" {
			values[name] = mod
		}
	}
	for _, e := range helpTable {
		typ, attrName, isAttr := strings.Cut(e.Name, ".")
		switch {
		case isAttr && values[typ] == nil:
			t.Errorf("help entry %s: no value of type %s to check", e.Name, typ)
		case isAttr:
			attr(t, values[typ], attrName)
		case values[e.Name] == nil && s.globals[e.Name] == nil && e.Name != "_":
			t.Errorf("help entry %s names no global", e.Name)
		}
		if e.Sig != "" && !strings.HasPrefix(e.Sig, e.Name+"(") {
			t.Errorf("help entry %s: signature %q does not call it", e.Name, e.Sig)
		}
	}
	for _, name := range []string{"nodes", "cluster", "sh", "help", "exit"} {
		if helpIndex[name] == nil {
			t.Errorf("the REPL's global %s has no help entry", name)
		}
	}
}

func attr(t *testing.T, v starlark.HasAttrs, name string) starlark.Value {
	t.Helper()
	x, err := v.Attr(name)
	if err != nil || x == nil {
		t.Errorf("%s has no attribute %s", v.Type(), name)
	}
	return x
}

// TestDocsBuiltinList checks that docs/repl.md's builtin list is the help
// table's; go test ./host/repl -update-docs rewrites it.
func TestDocsBuiltinList(t *testing.T) {
	const begin, end = "<!-- BEGIN builtins: generated from host/repl/help.go by go test ./host/repl -update-docs -->\n", "<!-- END builtins -->"
	path := filepath.Join("..", "..", "docs", "repl.md")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(data), begin)
	_, after, ok2 := strings.Cut(rest, end)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers %q and %q", path, begin, end)
	}
	want := before + begin + markdownBuiltins() + end + after
	if *updateDocs {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(data) != want {
		t.Errorf("%s's builtin list is not the help table's: run go test ./host/repl -update-docs", path)
	}
}
