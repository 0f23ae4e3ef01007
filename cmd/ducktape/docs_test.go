package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/starlib/doctest"
)

// TestDocsExitStatuses checks that docs/cli.md's table of exit statuses is
// the exit constants of exitcodes.go with their comments; go test
// ./cmd/ducktape -run TestDocs -update-docs rewrites it.
func TestDocsExitStatuses(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "exitcodes.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| status | meaning |\n|---|---|\n")
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.CONST {
			continue
		}
		for _, spec := range gen.Specs {
			v := spec.(*ast.ValueSpec)
			if !strings.HasPrefix(v.Names[0].Name, "exit") || v.Comment == nil {
				t.Fatalf("exitcodes.go: constant %s has no line comment saying what it means", v.Names[0].Name)
			}
			fmt.Fprintf(&b, "| %s | %s |\n", v.Values[0].(*ast.BasicLit).Value, strings.TrimSpace(v.Comment.Text()))
		}
	}
	doctest.Check(t, filepath.Join("..", "..", "docs", "cli.md"), doctest.Section{Name: "exit statuses", Text: b.String()})
}
