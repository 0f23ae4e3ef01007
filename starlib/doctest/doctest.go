// Package doctest checks the generated sections of the Markdown docs: a
// section runs from a line "<!-- BEGIN generated: NAME ... -->" to a line
// "<!-- END generated: NAME -->", and its text is made by a Go test from
// the builtins' declarations (see docs/design.md, "Docs generated from
// the code"). For tests only.
package doctest

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update-docs", false, "rewrite the generated sections of docs/*.md instead of checking them")

// Section is one generated section of a doc file.
type Section struct {
	Name string // NAME in the markers
	Text string // the generated text, lines ending in "\n"
}

// Check compares the sections of the Markdown file at path with their
// generated text, failing t with the command that regenerates them; with
// -update-docs it rewrites the file instead. Each section's markers must
// be in the file already.
func Check(t *testing.T, path string, sections ...Section) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, s := range sections {
		if doc, err = replace(doc, s); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if doc == string(data) {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s differs from the declarations of the builtins: rerun this test with -update-docs", path)
}

// replace returns doc with section s's text between its markers.
func replace(doc string, s Section) (string, error) {
	begin, end := "<!-- BEGIN generated: "+s.Name, "<!-- END generated: "+s.Name+" -->"
	i := strings.Index(doc, begin)
	if i < 0 {
		return "", fmt.Errorf("no line starting %q", begin)
	}
	bodyStart := i + strings.IndexByte(doc[i:], '\n') + 1
	j := strings.Index(doc[bodyStart:], end)
	if j < 0 {
		return "", fmt.Errorf("no %q after %q", end, begin)
	}
	return doc[:bodyStart] + s.Text + doc[bodyStart+j:], nil
}
