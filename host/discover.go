package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.starlark.net/starlark"
)

// ErrorText renders an error for a report: Starlark evaluation errors with
// their backtrace (file:line of each frame), joined errors one after the
// other, and wrapped errors as the words that wrap them followed by the
// rendering of what they wrap, at any depth.
func ErrorText(err error) string {
	switch e := err.(type) {
	case *starlark.EvalError:
		return e.Backtrace()
	case interface{ Unwrap() []error }:
		var parts []string
		for _, inner := range e.Unwrap() {
			parts = append(parts, ErrorText(inner))
		}
		return strings.Join(parts, "\n")
	}
	inner := errors.Unwrap(err)
	if inner == nil {
		return err.Error()
	}
	prefix, ok := strings.CutSuffix(err.Error(), inner.Error())
	if !ok {
		return err.Error()
	}
	return prefix + ErrorText(inner)
}

// DiscoverOptions tune Discover.
type DiscoverOptions struct {
	// SkipDirs are directories never searched (the results root).
	SkipDirs []string
	// Exclude are symbols whose cases are removed (--exclude).
	Exclude []string
	// Parameters, if not nil, replace the marks' cases: every selected test
	// runs once with exactly these parameters (--parameters).
	Parameters map[string]any
	// Getenv reads the environment for env(...) marks; nil means os.Getenv.
	Getenv func(string) string
}

// UsageError is bad input on the command line (exit status 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usageErrorf(format string, args ...any) error {
	return &UsageError{fmt.Sprintf(format, args...)}
}

// target is a parsed symbol with the test files its path names.
type target struct {
	text   string
	sym    Symbol
	files  []string // absolute paths, in search order
	params map[string]bool
}

func (t *target) matches(c *Case) bool {
	if !slices.Contains(t.files, c.Test.Path) || (t.sym.Test != "" && t.sym.Test != c.Test.Name) {
		return false
	}
	return t.params == nil || t.params[FormatParams(c.Params)]
}

// resolveTargets parses symbols and finds their files. A path that names
// nothing is a UsageError, unless missingOK (excludes: leaving out what is
// not there is no error, as in the Python ducktape).
func resolveTargets(symbols, skipDirs []string, missingOK bool) ([]*target, error) {
	var out []*target
	for _, text := range symbols {
		sym, err := ParseSymbol(text)
		if err != nil {
			return nil, &UsageError{err.Error()}
		}
		t := &target{text: text, sym: sym}
		if t.files, err = expandPath(sym.Path, skipDirs); err != nil {
			var missing *missingPathError
			if missingOK && errors.As(err, &missing) {
				continue
			}
			return nil, &UsageError{err.Error()}
		}
		if sym.Params != nil {
			t.params = map[string]bool{}
			for _, p := range sym.Params {
				t.params[FormatParams(p)] = true
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// group is one selection: the symbols of the command line, or one suite
// of a suite file with its own excludes (which beat only its own includes).
type group struct {
	include, exclude []*target
}

func (g *group) selects(c *Case) bool {
	return slices.ContainsFunc(g.include, func(t *target) bool { return t.matches(c) }) &&
		!slices.ContainsFunc(g.exclude, func(t *target) bool { return t.matches(c) })
}

// selectionGroups reads args: symbols (one group, the command line's) and
// YAML suite files (a group per suite).
func selectionGroups(args, skipDirs []string) ([]*group, error) {
	var symbols []string
	var suites []suiteSpec
	seenSuites := map[string]bool{}
	for _, a := range args {
		if !isSuiteFile(a) {
			symbols = append(symbols, a)
			continue
		}
		specs, err := readSuite(a, seenSuites)
		if err != nil {
			return nil, &UsageError{err.Error()}
		}
		suites = append(suites, specs...)
	}
	var groups []*group
	if len(symbols) > 0 {
		inc, err := resolveTargets(symbols, skipDirs, false)
		if err != nil {
			return nil, err
		}
		groups = append(groups, &group{include: inc})
	}
	for _, s := range suites {
		inc, err := resolveTargets(s.included, skipDirs, false)
		if err != nil {
			return nil, usageErrorf("suite %s: %s: %v", s.file, s.name, err)
		}
		exc, err := resolveTargets(s.excluded, skipDirs, true)
		if err != nil {
			return nil, usageErrorf("suite %s: %s: %v", s.file, s.name, err)
		}
		groups = append(groups, &group{include: inc, exclude: exc})
	}
	return groups, nil
}

// Discover finds, loads and selects the test cases that args name: symbols
// and YAML suite files (the current directory when there are none). A
// directory is searched recursively for test_*.star and *_test.star,
// skipping hidden directories and opts.SkipDirs; a file named explicitly is
// loaded whatever its name. Files that fail to load become LoadFailures.
// A case is selected by a symbol of the command line, or by a suite that
// includes it and does not exclude it; opts.Exclude then removes cases
// from all. A symbol that selects nothing, and a selection without a
// single case, are UsageErrors that say why.
func Discover(loader *Loader, args []string, opts DiscoverOptions) (*Suite, error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	groups, err := selectionGroups(args, opts.SkipDirs)
	if err != nil {
		return nil, err
	}
	excluded, err := resolveTargets(opts.Exclude, opts.SkipDirs, true)
	if err != nil {
		return nil, err
	}
	var included []*target
	for _, g := range groups {
		included = append(included, g.include...)
	}
	if opts.Parameters != nil {
		for _, t := range included {
			if t.sym.Params != nil {
				return nil, usageErrorf("--parameters cannot be combined with a symbol's own parameters (%s): give the parameters one way", t.text)
			}
		}
	}

	suite := &Suite{}
	var files []string
	for _, t := range included {
		for _, f := range t.files {
			if !slices.Contains(files, f) {
				files = append(files, f)
			}
		}
	}
	failed := map[string]bool{}
	tests := map[string][]*Test{}
	var all []*Case
	displays := make([]string, len(files))
	for i, f := range files {
		displays[i] = displayPath(f)
	}
	layout := ResultsPaths(displays)
	for _, f := range files {
		display := displayPath(f)
		ts, err := loadTests(loader, f)
		if err != nil {
			suite.LoadFailures = append(suite.LoadFailures, &LoadFailure{File: display, ResultsPath: layout[display], Err: err})
			failed[f] = true
			continue
		}
		tests[f] = ts
		for _, t := range ts {
			t.ResultsPath = layout[display]
			var cases []*Case
			if opts.Parameters != nil {
				cases = []*Case{{Test: t, Params: opts.Parameters}}
			} else if cases, err = expandCases(t, loader.Marks.Of(t.Fn), getenv); err != nil {
				return nil, &UsageError{fmt.Sprintf("%s: %v", display, err)}
			}
			all = append(all, cases...)
		}
	}

	matched := make([]int, len(included))
	for _, c := range all {
		for i, t := range included {
			if t.matches(c) {
				matched[i]++
			}
		}
		if slices.ContainsFunc(groups, func(g *group) bool { return g.selects(c) }) &&
			!slices.ContainsFunc(excluded, func(t *target) bool { return t.matches(c) }) {
			suite.Cases = append(suite.Cases, c)
		}
	}
	for i, t := range included {
		if matched[i] == 0 {
			if err := explainNoMatch(t, tests, failed, all); err != nil {
				return nil, err
			}
		}
	}
	if len(suite.Cases) == 0 && len(suite.LoadFailures) == 0 {
		return nil, explainEmpty(args, files, all)
	}
	return suite, nil
}

// explainEmpty says why a selection that loaded fine has no case.
func explainEmpty(args, files []string, all []*Case) error {
	named := strings.Join(args, " ")
	switch {
	case len(files) == 0:
		return usageErrorf("no tests selected: %s holds no test files (test_*.star, *_test.star)", named)
	case len(all) == 0:
		var shown []string
		for _, f := range files {
			shown = append(shown, displayPath(f))
		}
		return usageErrorf("no tests selected: %s defines no tests (top-level functions named test_*)", strings.Join(shown, ", "))
	default:
		return usageErrorf("no tests selected: all %d cases of %s are excluded (by --exclude or a suite's excluded:)", len(all), named)
	}
}

// explainNoMatch says why t selected no case, or returns nil when that is
// no error (its files failed to load and are reported as such, or hold no
// tests).
func explainNoMatch(t *target, tests map[string][]*Test, failed map[string]bool, all []*Case) error {
	if t.sym.Test == "" {
		return nil
	}
	for _, f := range t.files {
		if failed[f] {
			return nil
		}
		if !slices.ContainsFunc(tests[f], func(x *Test) bool { return x.Name == t.sym.Test }) {
			return usageErrorf("%s: %s has no test named %s", t.text, displayPath(f), t.sym.Test)
		}
	}
	var have []string
	for _, c := range all {
		if c.Test.Name == t.sym.Test && slices.Contains(t.files, c.Test.Path) {
			have = append(have, c.ID())
		}
	}
	if len(have) > 5 {
		have = append(have[:5], fmt.Sprintf("... %d more", len(have)-5))
	}
	return usageErrorf("%s: no case of %s has those parameters; its cases are:\n  %s", t.text, t.sym.Test, strings.Join(have, "\n  "))
}

// loadTests loads a file and returns its tests; marks on functions that
// are not tests of the file are a load error.
func loadTests(loader *Loader, file string) ([]*Test, error) {
	globals, err := loader.LoadFile(file)
	if err != nil {
		return nil, err
	}
	display := displayPath(file)
	tests := TestsOf(display, globals)
	for _, t := range tests {
		t.Path = file
		if tm := loader.Marks.Of(t.Fn); tm != nil {
			t.Nodes, t.Timeout, t.Thresholds, t.OkToFail = tm.Nodes, tm.Timeout, tm.Thresholds, tm.OkToFail
		}
	}
	for fn, pos := range loader.Marks.Marked() {
		if fn.Position().Filename() == display && !slices.ContainsFunc(tests, func(t *Test) bool { return t.Fn == fn }) {
			return nil, fmt.Errorf("%s: a mark on %s, which is not a test (tests are top-level functions named test_*)", pos, fn.Name())
		}
	}
	return tests, nil
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
			tests = append(tests, &Test{File: file, Name: name, Fn: f, Setup: fn("setup"), Teardown: fn("teardown"), Description: strings.TrimSpace(f.Doc())})
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

// missingPathError is expandPath finding nothing at a path or glob.
type missingPathError struct{ msg string }

func (e *missingPathError) Error() string { return e.msg }

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
			return nil, &missingPathError{p + ": no file matches"}
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
			return nil, &missingPathError{path + ": no such file or directory"}
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

// ResultsPaths maps test files' display paths (as in test ids) to their
// paths in the results directory layout: a relative path (a file under the
// current directory) stays as it is; absolute paths (files outside it) are
// made relative to the deepest directory that holds them all, as the
// Python ducktape lays results out by module name, so that
// /tmp/perf/bench/a/test_x.star and /tmp/perf/bench/b/test_y.star become
// a/test_x.star and b/test_y.star. Where that would give a file the path of
// one under the current directory, the absolute files keep their whole
// paths. It touches nothing but its argument.
func ResultsPaths(displays []string) map[string]string {
	out := make(map[string]string, len(displays))
	var outside []string
	for _, d := range displays {
		if filepath.IsAbs(d) {
			outside = append(outside, filepath.Clean(d))
		} else {
			out[d] = d
		}
	}
	if len(outside) == 0 {
		return out
	}
	root := filepath.Dir(outside[0])
	for _, d := range outside[1:] {
		for !strings.HasPrefix(d, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator)) {
			root = filepath.Dir(root)
		}
	}
	rel := make(map[string]string, len(outside))
	for _, d := range outside {
		r, err := filepath.Rel(root, d)
		if err != nil || out[filepath.ToSlash(r)] != "" {
			rel = nil // a clash with a file under the current directory
			break
		}
		rel[d] = filepath.ToSlash(r)
	}
	for _, d := range displays {
		if filepath.IsAbs(d) {
			out[d] = d
			if r, ok := rel[filepath.Clean(d)]; ok {
				out[d] = r
			}
		}
	}
	return out
}
