package host_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host"
)

// markKinds and markValues are what marksSource builds mark stacks from:
// every mark that shapes cases, with values of every kind a user may give
// (JSON values, empty and nested lists, values that are not JSON).
var (
	markKinds  = []string{"parametrize", "matrix", "defaults", "ignore", "env", "parametrize"}
	markKeys   = []string{"x", "y", "z"}
	markValues = []string{
		`1`, `-1`, `"a"`, `"x..y"`, `None`, `True`, `2.5`, `1000000000000000000000000000000`, `float("nan")`,
		`[1, 2]`, `[1, 1]`, `[]`, `["a"]`, `[[1], [2]]`, `[None]`, `{"k": 1}`, `{1: 2}`, `(1, 2)`,
		`test_t`, `"1"`,
	}
)

// marksSource turns fuzz bytes into a test file whose one test carries a
// stack of marks: per mark, a byte picks its kind and one its number of
// keyword arguments (0 to 3), then two bytes per argument pick its name
// and its value (a name already given is left out).
func marksSource(prog []byte) string {
	next := func() int {
		if len(prog) == 0 {
			return 0
		}
		b := prog[0]
		prog = prog[1:]
		return int(b)
	}
	var src strings.Builder
	src.WriteString("def test_t(ctx, x = 0, y = 0, z = 0):\n    pass\n")
	for marks := 0; len(prog) > 0 && marks < 8; marks++ {
		kind := markKinds[next()%len(markKinds)]
		var args []string
		used := map[string]bool{}
		for n := next() % 4; n > 0; n-- {
			key := markKeys[next()%len(markKeys)]
			if kind == "env" {
				key = strings.ToUpper(key)
			}
			if value := markValues[next()%len(markValues)]; !used[key] { // a repeated keyword is a syntax error
				used[key] = true
				args = append(args, key+" = "+value)
			}
		}
		fmt.Fprintf(&src, "%s(%s)\n", kind, strings.Join(append([]string{"test_t"}, args...), ", "))
	}
	return src.String()
}

// FuzzMarks expands random stacks of parametrize, matrix, defaults, ignore
// and env marks: never a panic; a bad mark is a load failure naming the
// mark; the cases have distinct ids, each of which parses back to the
// case's parameters.
func FuzzMarks(f *testing.F) {
	f.Add([]byte{0, 2, 0, 0, 1, 2, 5, 1, 0, 3, 2, 1}) // parametrize(x, y) parametrize(x) ignore(x)
	f.Add([]byte{1, 2, 0, 9, 1, 10, 3, 1, 0, 0})      // matrix(x = [1, 2], y = [1, 1]) ignore(x = 1)
	f.Add([]byte{0, 1, 0, 0, 0, 2, 0, 1, 1, 2, 2, 1, 1, 12})
	f.Add([]byte{4, 1, 0, 19, 3, 0})
	f.Add([]byte{1, 1, 0, 11, 2, 0, 0, 1, 1, 16})
	f.Fuzz(func(t *testing.T, prog []byte) {
		src := marksSource(prog)
		dir := t.TempDir()
		file := filepath.Join(dir, "test_marks.star")
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		env := func(k string) string { return map[string]string{"X": "1"}[k] }
		suite, err := host.Discover(newLoader(), []string{file}, host.DiscoverOptions{Getenv: env})
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%s\nan empty error", src)
			}
			return
		}
		for _, lf := range suite.LoadFailures {
			if msg := lf.Message(); !strings.Contains(msg, "test_t") {
				t.Fatalf("%s\nload failure %q does not name the test", src, msg)
			}
		}
		seen := map[string]bool{}
		for _, c := range suite.Cases {
			id := c.ID()
			if seen[id] {
				t.Fatalf("%s\ncase %s twice", src, id)
			}
			seen[id] = true
			sym, err := host.ParseSymbol(id)
			if err != nil {
				t.Fatalf("%s\ncase id %q does not parse: %v", src, id, err)
			}
			var want []map[string]any
			if len(c.Params) > 0 {
				want = []map[string]any{c.Params}
			}
			if !reflect.DeepEqual(sym.Params, want) || sym.Test != "test_t" {
				t.Fatalf("%s\ncase id %q parses to %+v, want test_t with %v", src, id, sym, c.Params)
			}
		}
	})
}
