package host_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

func TestMarksExpansion(t *testing.T) {
	file, _ := filepath.Abs("testdata/test_marks.star")
	suite, err := host.Discover(newLoader(), []string{file}, host.DiscoverOptions{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if len(suite.LoadFailures) > 0 {
		t.Fatal(suite.LoadFailures[0].Message())
	}
	var got []string
	cases := map[string]*host.Case{}
	for _, c := range suite.Cases {
		id := strings.TrimPrefix(c.ID(), "testdata/test_marks.star::")
		if c.Ignored != "" {
			id += " IGNORED"
		}
		got = append(got, id)
		cases[c.Test.Name] = c
	}
	want := []string{
		`test_plain`,
		`test_matrix@{"acks":1,"size":100}`,
		`test_matrix@{"acks":1,"size":1000}`,
		`test_matrix@{"acks":-1,"size":100}`,
		`test_matrix@{"acks":-1,"size":1000}`,
		`test_parametrize@{"mode":"fast"}`,
		`test_parametrize@{"level":2,"mode":"safe"}`,
		`test_defaults@{"x":1,"y":"a"}`,
		`test_defaults@{"x":1,"y":"b"}`,
		`test_defaults@{"x":2,"y":"given"}`,
		`test_ignored_some@{"n":1}`,
		`test_ignored_some@{"n":2} IGNORED`,
		`test_ignored_some@{"n":3}`,
		`test_ignored_all IGNORED`,
		`test_env IGNORED`,
		`test_typed`,
		`test_timeout_seconds`,
		`test_duplicates@{"a":1}`,
		`test_duplicates@{"a":2}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cases:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := len(cases["test_matrix"].Test.Nodes); n != 2 {
		t.Errorf("test_matrix asks for %d nodes, want 2", n)
	}
	if cases["test_plain"].Test.Nodes != nil {
		t.Errorf("a test without cluster(...) must ask for the whole cluster (nil)")
	}
	typed := cases["test_typed"].Test
	if want := []cluster.NodeSpec{{NodeType: "large"}, {OS: "linux"}}; len(typed.Nodes) != 2 || typed.Nodes[0] != want[0] || typed.Nodes[1] != want[1] {
		t.Errorf("typed nodes %v", typed.Nodes)
	}
	if typed.Timeout != 90*time.Second || cases["test_timeout_seconds"].Test.Timeout != 2500*time.Millisecond {
		t.Errorf("timeouts %v %v", typed.Timeout, cases["test_timeout_seconds"].Test.Timeout)
	}
	if why := cases["test_env"].Ignored; !strings.Contains(why, `RUN_SLOW="1"`) {
		t.Errorf("env reason %q", why)
	}

	// The environment that env(...) asks for runs the test.
	suite, _ = host.Discover(newLoader(), []string{file + "::test_env"}, host.DiscoverOptions{Getenv: func(k string) string {
		return map[string]string{"RUN_SLOW": "1"}[k]
	}})
	if len(suite.Cases) != 1 || suite.Cases[0].Ignored != "" {
		t.Errorf("env satisfied: %+v", suite.Cases)
	}
}

func TestSelectionBySymbol(t *testing.T) {
	file, _ := filepath.Abs("testdata/test_marks.star")
	count := func(symbols []string, opts host.DiscoverOptions) int {
		t.Helper()
		suite, err := host.Discover(newLoader(), symbols, opts)
		if err != nil {
			t.Fatalf("%v: %v", symbols, err)
		}
		return len(suite.Cases)
	}
	if n := count([]string{file + `::test_matrix@{"size": 100, "acks": -1}`}, host.DiscoverOptions{}); n != 1 {
		t.Errorf("one case by its parameters (any key order): %d", n)
	}
	if n := count([]string{file + `::test_matrix@[{"acks":1,"size":100},{"acks":1,"size":1000}]`}, host.DiscoverOptions{}); n != 2 {
		t.Errorf("a list of cases: %d", n)
	}
	if n := count([]string{file}, host.DiscoverOptions{Exclude: []string{file + "::test_matrix", file + `::test_defaults@{"x":1,"y":"a"}`}}); n != 19-4-1 {
		t.Errorf("--exclude: %d", n)
	}
	if n := count([]string{file + "::test_matrix"}, host.DiscoverOptions{Parameters: map[string]any{"acks": 0, "size": 5}}); n != 1 {
		t.Errorf("--parameters replaces the marks' cases: %d", n)
	}
	_, err := host.Discover(newLoader(), []string{file + `::test_matrix@{"acks": 7}`}, host.DiscoverOptions{})
	if err == nil || !strings.Contains(err.Error(), "no case of test_matrix has those parameters; its cases are:") || !strings.Contains(err.Error(), `test_matrix@{"acks":1,"size":100}`) {
		t.Errorf("unknown parameters: %v", err)
	}
}

func TestMarkErrors(t *testing.T) {
	for src, want := range map[string]string{
		"def helper(ctx): pass\ncluster(helper, num_nodes = 1)\n":                                 "test_m.star:2: a mark on helper, which is not a test",
		"def test_a(ctx): pass\nmatrix(test_a, x = 1)\n":                                          "matrix(test_a): x must be a non-empty list of values, not 1",
		"def test_a(ctx): pass\nmatrix(test_a, x = [])\n":                                         "x must be a non-empty list",
		"def test_a(ctx): pass\ncluster(test_a, num_nodes = 1)\ncluster(test_a, num_nodes = 2)\n": "already has a cluster(...) mark",
		"def test_a(ctx): pass\nmatrix(test_a)\n":                                                 "matrix(test_a): no parameters given",
		"def test_a(ctx): pass\ntimeout(test_a, \"soon\")\n":                                      "want a positive duration such as \"90s\" or \"10m\", not \"soon\"",
		"cluster(len, num_nodes = 1)\n":                                                           "the first argument must be a test function defined in Starlark, not builtin_function_or_method",
		"def test_a(ctx): pass\nparametrize(test_a, x = lambda: 1)\n":                             "parameters must be JSON values",
		"def test_a(ctx): pass\nenv(test_a, X = 1)\n":                                             "X must be a string",
		"def test_a(ctx): pass\nok_to_fail(test_a, reason = 1)\n":                                 "ok_to_fail(test_a): takes only the test function",
	} {
		root := hosttest.WriteTree(t, map[string]string{"test_m.star": src})
		suite := discover(t, root)
		if len(suite.LoadFailures) != 1 || !strings.Contains(suite.LoadFailures[0].Message(), want) {
			var msgs []string
			for _, f := range suite.LoadFailures {
				msgs = append(msgs, f.Message())
			}
			t.Errorf("%q: load failures %q, want one with %q", src, msgs, want)
		}
	}
}

func TestSuiteFiles(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"tests/test_a.star": "def test_one(ctx): pass\ndef test_two(ctx): pass\n",
		"tests/test_b.star": "def test_three(ctx): pass\n",
		"suites/all.yml": `
import: base.yml
everything:
  included:
    - ../tests
  excluded:
    - ../tests/test_a.star::test_two
`,
		"suites/base.yml": "base:\n  - ../tests/test_b.star\n",
		"suites/bad.yml":  "broken:\n  included: [x]\n  bogus: [y]\n",
	})
	suite, err := host.Discover(newLoader(), []string{filepath.Join(root, "suites/all.yml")}, host.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids(suite, root), " "); got != "tests/test_b.star::test_three tests/test_a.star::test_one" {
		t.Errorf("suite cases: %s", got)
	}
	_, err = host.Discover(newLoader(), []string{filepath.Join(root, "suites/bad.yml")}, host.DiscoverOptions{})
	if err == nil || !strings.Contains(err.Error(), `unknown key "bogus"`) {
		t.Errorf("bad suite: %v", err)
	}
}

// caseList returns the ids of suite's cases relative to root, with
// " IGNORED" after the ignored ones.
func caseList(suite *host.Suite, root string) string {
	var out []string
	for _, c := range suite.Cases {
		id := strings.TrimPrefix(c.ID(), root+"/")
		if c.Ignored != "" {
			id += " IGNORED"
		}
		out = append(out, id)
	}
	return strings.Join(out, "\n")
}

func TestIgnoreMatchesOnlyEqualCases(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{"test_i.star": `
def test_missing_key(ctx, y, x = 0): pass
parametrize(test_missing_key, x = 1, y = 2)
parametrize(test_missing_key, y = 3)
ignore(test_missing_key, x = 1)
ignore(test_missing_key, y = 3)

def test_subset(ctx, x, y, z): pass
parametrize(test_subset, x = 100, y = 200, z = 300)
parametrize(test_subset, x = 100, z = 300, y = 1)
ignore(test_subset, x = 100, z = 300)
ignore(test_subset, x = 100, y = 1, z = 300)
`})
	got := caseList(discover(t, root), root)
	want := strings.Join([]string{
		`test_i.star::test_missing_key@{"x":1,"y":2}`,
		`test_i.star::test_missing_key@{"y":3} IGNORED`,
		`test_i.star::test_subset@{"x":100,"y":200,"z":300}`,
		`test_i.star::test_subset@{"x":100,"y":1,"z":300} IGNORED`,
	}, "\n")
	if got != want {
		t.Errorf("cases:\n%s\nwant:\n%s", got, want)
	}
}

func TestBareParametrizeAndEmptyCluster(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{"test_b.star": `
def test_defaults_only(ctx, x = 5): pass
parametrize(test_defaults_only)
parametrize(test_defaults_only, x = 6)
cluster(test_defaults_only)
`})
	suite := discover(t, root)
	if len(suite.LoadFailures) > 0 {
		t.Fatal(suite.LoadFailures[0].Message())
	}
	want := "test_b.star::test_defaults_only\ntest_b.star::test_defaults_only@{\"x\":6}"
	if got := caseList(suite, root); got != want {
		t.Errorf("cases:\n%s\nwant:\n%s", got, want)
	}
	if suite.Cases[0].Test.Nodes != nil {
		t.Errorf("an empty cluster(...) must ask for the whole cluster, as no mark: %v", suite.Cases[0].Test.Nodes)
	}
}

func TestSuiteExcludesApplyToTheirOwnSuite(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"tests/test_a.star": "def test_one(ctx): pass\ndef test_two(ctx): pass\n",
		"tests/test_b.star": "def test_three(ctx): pass\n",
		"suites/s.yml": `
import: other.yml
no_two:
  included: [../tests/test_a.star]
  excluded: [../tests/test_a.star::test_two, ../tests/gone.star]
`,
		"suites/other.yml":  "all_b:\n  included: [../tests/test_b.star]\n  excluded: [../tests/test_a.star]\n",
		"suites/empty.yml":  "nothing:\n",
		"suites/empty2.yml": "nothing: []\n",
		"suites/only.yml":   "only:\n  excluded: [../tests]\n",
		"suites/star.yml":   "import: ../tests/test_a.star\n",
	})
	sel := func(args ...string) string {
		t.Helper()
		suite, err := host.Discover(newLoader(), args, host.DiscoverOptions{})
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return strings.Join(ids(suite, root), " ")
	}
	s := filepath.Join(root, "suites/s.yml")
	// other.yml's exclusion of test_a.star does not reach s.yml's suite.
	if got := sel(s); got != "tests/test_b.star::test_three tests/test_a.star::test_one" {
		t.Errorf("suites: %s", got)
	}
	// A symbol named on the command line beats a suite's exclude.
	if got := sel(s, filepath.Join(root, "tests/test_a.star::test_two")); got != "tests/test_a.star::test_one tests/test_a.star::test_two tests/test_b.star::test_three" {
		t.Errorf("explicit include: %s", got)
	}
	for file, want := range map[string]string{
		"empty.yml":  "suite " + root + "/suites/empty.yml: nothing is empty; a suite must include some tests",
		"empty2.yml": "nothing is empty",
		"only.yml":   "only has only excluded: symbols",
		"star.yml":   "suite " + root + "/suites/star.yml: import " + root + "/suites/../tests/test_a.star: not a suite file",
	} {
		wantUsageError(t, []string{filepath.Join(root, "suites", file)}, host.DiscoverOptions{}, want)
	}
}

func TestEmptySelectionIsAnError(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"empty/README":           "no tests here",
		"none/test_none.star":    "def helper(ctx): pass\n",
		"some/test_some.star":    "def test_a(ctx): pass\n",
		"ignored/test_skip.star": "def test_s(ctx): pass\nignore(test_s)\n",
	})
	for _, tc := range []struct {
		args    []string
		exclude []string
		want    string
	}{
		{[]string{root + "/empty"}, nil, "no tests selected: " + root + "/empty holds no test files"},
		{[]string{root + "/none"}, nil, "no tests selected: " + root + "/none/test_none.star defines no tests"},
		{[]string{root + "/some"}, []string{root + "/some"}, "no tests selected: all 1 cases of " + root + "/some are excluded"},
	} {
		wantUsageError(t, tc.args, host.DiscoverOptions{Exclude: tc.exclude}, tc.want)
	}
	// Ignored cases are selected (reported IGNORE); excluding a path that
	// does not exist is fine.
	suite, err := host.Discover(newLoader(), []string{root + "/ignored"}, host.DiscoverOptions{Exclude: []string{root + "/nowhere", root + "/no*glob"}})
	if err != nil || len(suite.Cases) != 1 {
		t.Errorf("ignored cases, missing excludes: %v %v", suite, err)
	}
}

// wantUsageError checks that discovering args fails with a UsageError that
// contains want.
func wantUsageError(t *testing.T, args []string, opts host.DiscoverOptions, want string) {
	t.Helper()
	_, err := host.Discover(newLoader(), args, opts)
	var usage *host.UsageError
	if !asUsage(err, &usage) || !strings.Contains(err.Error(), want) {
		t.Errorf("%v: %v, want a usage error with %q", args, err, want)
	}
}
