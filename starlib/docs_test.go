package starlib_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/starlib"
	"github.com/ducktape-go/ducktape/starlib/doctest"
)

// TestDocsWritingTests checks that the builtin lists of
// docs/writing-tests.md are the domains' declarations; go test ./starlib
// -run TestDocs -update-docs rewrites them.
func TestDocsWritingTests(t *testing.T) {
	doctest.Check(t, filepath.Join("..", "docs", "writing-tests.md"),
		doctest.Section{Name: "ctx", Text: table("attribute", "what it is", withPrefix("ctx."))},
		doctest.Section{Name: "account", Text: table("account attribute or method", "what it does", withPrefix("account."))},
		doctest.Section{Name: "assert", Text: table("builtin", "what it checks", withPrefix("assert."))},
		doctest.Section{Name: "wait", Text: table("builtin", "what it does", named("time.sleep", "wait_until"))},
		doctest.Section{Name: "predeclared", Text: predeclaredList()},
	)
}

// TestDocsClients checks that the reference of docs/clients.md is the
// clients domain's declarations; -update-docs rewrites it.
func TestDocsClients(t *testing.T) {
	var names []string
	for _, d := range starlib.Domains() {
		if d.Name == "clients" {
			for _, b := range d.Builtins {
				names = append(names, b.Name)
			}
		}
	}
	doctest.Check(t, filepath.Join("..", "docs", "clients.md"),
		doctest.Section{Name: "clients", Text: table("function, method or attribute", "what it does", func(b starlib.Builtin) bool { return slices.Contains(names, b.Name) })},
	)
}

// entries returns the declarations that keep says to, in domain order.
func entries(keep func(starlib.Builtin) bool) []starlib.Builtin {
	var out []starlib.Builtin
	for _, d := range starlib.Domains() {
		for _, b := range d.Builtins {
			if keep(b) {
				out = append(out, b)
			}
		}
	}
	return out
}

func withPrefix(p string) func(starlib.Builtin) bool {
	return func(b starlib.Builtin) bool { return strings.HasPrefix(b.Name, p) }
}

func named(names ...string) func(starlib.Builtin) bool {
	return func(b starlib.Builtin) bool { return slices.Contains(names, b.Name) }
}

// table is a Markdown table of the declarations keep selects.
func table(head1, head2 string, keep func(starlib.Builtin) bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | %s |\n|---|---|\n", head1, head2)
	for _, e := range entries(keep) {
		head := e.Sig
		if head == "" {
			head = e.Name
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", head, strings.ReplaceAll(e.Doc, "|", `\|`))
	}
	return b.String()
}

// predeclaredList lists, per domain, the predeclared names it adds, with
// the page that explains them.
func predeclaredList() string {
	predeclared := starlib.Predeclared()
	var b strings.Builder
	for _, d := range starlib.Domains() {
		var names []string
		for _, e := range d.Builtins {
			if _, ok := predeclared[e.Name]; ok {
				names = append(names, "`"+e.Name+"`")
			}
		}
		if len(names) > 0 {
			fmt.Fprintf(&b, "- %s: %s ([%s](%s))\n", d.Name, strings.Join(names, ", "), d.Page, d.Page)
		}
	}
	return b.String()
}
