package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
)

// Test is one test function of a loaded file.
type Test struct {
	File     string // the file's display path, as in test ids
	Name     string
	Fn       *starlark.Function
	Setup    *starlark.Function // the file's setup(ctx), or nil
	Teardown *starlark.Function // the file's teardown(ctx), or nil
	// Nodes is what the test asks of the cluster; nil means the whole
	// cluster, as in the Python ducktape.
	Nodes []cluster.NodeSpec
}

// Case is one run of a test with one set of parameters.
type Case struct {
	Test   *Test
	Params map[string]any // JSON-able values; empty for a test without parameters
}

// ID is the case's test symbol: path::test_name, plus @{params} when it has
// parameters. Passing it on the command line selects exactly this case.
func (c *Case) ID() string {
	id := c.Test.File + "::" + c.Test.Name
	if p := FormatParams(c.Params); p != "" {
		id += "@" + p
	}
	return id
}

// LoadFailure is a file that could not be loaded. It is reported as a
// failed entry, never dropped.
type LoadFailure struct {
	File string // display path
	Err  error
}

// Message is the failure as shown in reports: the Starlark backtrace when
// there is one, else the error.
func (f *LoadFailure) Message() string { return ErrorText(f.Err) }

// ErrorText renders an error for a report: Starlark evaluation errors with
// their backtrace (file:line of each frame), wrapped ones after the words
// that wrap them, joined ones (a test error and a teardown error) one after
// the other; others as they are.
func ErrorText(err error) string {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var parts []string
		for _, e := range joined.Unwrap() {
			parts = append(parts, ErrorText(e))
		}
		return strings.Join(parts, "\n")
	}
	var ee *starlark.EvalError
	if !errors.As(err, &ee) {
		return err.Error()
	}
	if prefix, ok := strings.CutSuffix(err.Error(), ee.Error()); ok && prefix != "" {
		return prefix + "\n" + ee.Backtrace()
	}
	return ee.Backtrace()
}

// Suite is what discovery found: the cases to run, in order, and the files
// that failed to load.
type Suite struct {
	Cases        []*Case
	LoadFailures []*LoadFailure
}

// DiscoverOptions tune Discover.
type DiscoverOptions struct {
	// SkipDirs are directories never searched (the results root).
	SkipDirs []string
}

// UsageError is bad input on the command line (exit status 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Discover finds, loads and selects the tests that symbols name (the
// current directory when there are none). A directory is searched
// recursively for test_*.star and *_test.star, skipping hidden directories
// and opts.SkipDirs; a file named explicitly is loaded whatever its name.
func Discover(loader *Loader, symbols []string, opts DiscoverOptions) (*Suite, error) {
	if len(symbols) == 0 {
		symbols = []string{"."}
	}
	type selection struct {
		all   bool
		tests map[string][]map[string]any // test name -> wanted cases (nil: all)
	}
	var files []string
	selected := map[string]*selection{}
	for _, text := range symbols {
		sym, err := ParseSymbol(text)
		if err != nil {
			return nil, &UsageError{err.Error()}
		}
		matched, err := expandPath(sym.Path, opts.SkipDirs)
		if err != nil {
			return nil, &UsageError{err.Error()}
		}
		for _, f := range matched {
			sel := selected[f]
			if sel == nil {
				sel = &selection{tests: map[string][]map[string]any{}}
				selected[f] = sel
				files = append(files, f)
			}
			switch {
			case sym.Test == "":
				sel.all = true
			case sym.Params == nil:
				sel.tests[sym.Test] = nil
			default:
				if prev, ok := sel.tests[sym.Test]; !ok || prev != nil {
					sel.tests[sym.Test] = append(prev, sym.Params...)
				}
			}
		}
	}
	suite := &Suite{}
	for _, f := range files {
		display := displayPath(f)
		globals, err := loader.LoadFile(f)
		if err != nil {
			suite.LoadFailures = append(suite.LoadFailures, &LoadFailure{File: display, Err: err})
			continue
		}
		sel := selected[f]
		tests := TestsOf(display, globals)
		for name := range sel.tests {
			if !sel.all && !hasTest(tests, name) {
				return nil, &UsageError{fmt.Sprintf("%s has no test named %s", display, name)}
			}
		}
		for _, t := range tests {
			wanted, named := sel.tests[t.Name]
			if !sel.all && !named {
				continue
			}
			if sel.all || wanted == nil {
				suite.Cases = append(suite.Cases, &Case{Test: t})
				continue
			}
			for _, p := range wanted {
				suite.Cases = append(suite.Cases, &Case{Test: t, Params: p})
			}
		}
	}
	return suite, nil
}

func hasTest(tests []*Test, name string) bool {
	for _, t := range tests {
		if t.Name == name {
			return true
		}
	}
	return false
}

// TestsOf returns the tests of a loaded file: its top-level functions named
// test_*, in source order, with the file's setup and teardown.
func TestsOf(file string, globals starlark.StringDict) []*Test {
	fn := func(name string) *starlark.Function {
		f, _ := globals[name].(*starlark.Function)
		return f
	}
	var tests []*Test
	for name, v := range globals {
		if f, ok := v.(*starlark.Function); ok && strings.HasPrefix(name, "test_") {
			tests = append(tests, &Test{File: file, Name: name, Fn: f, Setup: fn("setup"), Teardown: fn("teardown")})
		}
	}
	sort.Slice(tests, func(i, j int) bool {
		pi, pj := tests[i].Fn.Position(), tests[j].Fn.Position()
		if pi.Line != pj.Line {
			return pi.Line < pj.Line
		}
		return tests[i].Name < tests[j].Name
	})
	return tests
}

// isTestFile reports whether a file found in a directory search is a test file.
func isTestFile(name string) bool {
	return strings.HasSuffix(name, ".star") && (strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.star"))
}

// expandPath returns the absolute paths of the test files that p names: a
// file, a directory (searched) or a glob of those.
func expandPath(p string, skipDirs []string) ([]string, error) {
	paths := []string{p}
	if strings.ContainsAny(p, "*?[") {
		var err error
		if paths, err = filepath.Glob(p); err != nil {
			return nil, fmt.Errorf("bad glob %q: %v", p, err)
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("%s: no file matches", p)
		}
	}
	skip := map[string]bool{}
	for _, d := range skipDirs {
		if abs, err := filepath.Abs(d); err == nil {
			skip[abs] = true
		}
	}
	var out []string
	for _, path := range paths {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("%s: no such file or directory", path)
		}
		if !info.IsDir() {
			out = append(out, abs)
			continue
		}
		err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != abs && (strings.HasPrefix(d.Name(), ".") || skip[p]) {
					return filepath.SkipDir
				}
				return nil
			}
			if isTestFile(d.Name()) {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("searching %s: %v", path, err)
		}
	}
	return out, nil
}
