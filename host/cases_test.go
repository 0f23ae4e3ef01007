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
		"def test_a(ctx): pass\ncluster(test_a)\n":                                                "give num_nodes = N or nodes = [node_spec(...), ...]",
		"def test_a(ctx): pass\ntimeout(test_a, \"soon\")\n":                                      "want a positive duration such as \"90s\" or \"10m\", not \"soon\"",
		"cluster(len, num_nodes = 1)\n":                                                           "the first argument must be a test function defined in Starlark, not builtin_function_or_method",
		"def test_a(ctx): pass\nparametrize(test_a, x = lambda: 1)\n":                             "parameters must be JSON values",
		"def test_a(ctx): pass\nenv(test_a, X = 1)\n":                                             "X must be a string",
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
