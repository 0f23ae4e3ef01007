package txn

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/starlib/doctest"
)

// TestDocsAnomalyTable checks docs/checkers.md's table of anomalies and the
// models each rules out against Anomalies and the lattice; go test
// ./host/check/txn -run TestDocs -update-docs rewrites it.
func TestDocsAnomalyTable(t *testing.T) {
	var b strings.Builder
	b.WriteString("| anomaly | what it is | rules out |\n|---|---|---|\n")
	for _, a := range Anomalies {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", a.Name, a.Means, strings.Join(Violates([]string{a.Name}), ", "))
	}
	for _, v := range []struct{ suffix, means string }{
		{"process", "the class's cycle with a process edge: one process ran a transaction, then the next"},
		{"realtime", "the class's cycle with a realtime edge: a transaction committed before the next began"},
	} {
		var names []string
		for _, s := range shapes {
			names = append(names, "`"+s.name+"-"+v.suffix+"`")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", strings.Join(names, ", "), v.means, strings.Join(Violates([]string{"G0-" + v.suffix}), ", "))
	}
	doctest.Check(t, filepath.Join("..", "..", "..", "docs", "checkers.md"), doctest.Section{Name: "anomalies", Text: b.String()})
}

// TestEveryCycleClassIsDescribed: each class the search looks for has a
// description.
func TestEveryCycleClassIsDescribed(t *testing.T) {
	for _, c := range CycleClasses() {
		if Means(c) == "" {
			t.Errorf("%s has no description in Anomalies", c)
		}
	}
}
