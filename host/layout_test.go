package host_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

func TestResultsPaths(t *testing.T) {
	for _, tc := range []struct {
		name     string
		displays []string
		want     map[string]string
	}{
		{"under the current directory", []string{"t/test_a.star", "test_b.star"},
			map[string]string{"t/test_a.star": "t/test_a.star", "test_b.star": "test_b.star"}},
		{"one file outside", []string{"/tmp/perf/bench/test_x.star"},
			map[string]string{"/tmp/perf/bench/test_x.star": "test_x.star"}},
		{"a common root", []string{"/tmp/perf/bench/a/test_x.star", "/tmp/perf/bench/b/c/test_y.star", "/tmp/perf/bench/a/test_z.star"},
			map[string]string{"/tmp/perf/bench/a/test_x.star": "a/test_x.star", "/tmp/perf/bench/b/c/test_y.star": "b/c/test_y.star", "/tmp/perf/bench/a/test_z.star": "a/test_z.star"}},
		{"only / in common", []string{"/srv/test_x.star", "/tmp/test_y.star"},
			map[string]string{"/srv/test_x.star": "srv/test_x.star", "/tmp/test_y.star": "tmp/test_y.star"}},
		{"inside and outside", []string{"t/test_a.star", "/tmp/perf/a/test_x.star", "/tmp/perf/b/test_x.star"},
			map[string]string{"t/test_a.star": "t/test_a.star", "/tmp/perf/a/test_x.star": "a/test_x.star", "/tmp/perf/b/test_x.star": "b/test_x.star"}},
		{"a clash keeps the whole paths", []string{"a/test_x.star", "/tmp/perf/a/test_x.star", "/tmp/perf/b/test_y.star"},
			map[string]string{"a/test_x.star": "a/test_x.star", "/tmp/perf/a/test_x.star": "/tmp/perf/a/test_x.star", "/tmp/perf/b/test_y.star": "/tmp/perf/b/test_y.star"}},
	} {
		if got := host.ResultsPaths(tc.displays); !maps.Equal(got, tc.want) {
			t.Errorf("%s: ResultsPaths(%q) = %v, want %v", tc.name, tc.displays, got, tc.want)
		}
	}
}

// layout returns each discovered case's id and results directory.
func layout(t *testing.T, symbols ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range discover(t, symbols...).Cases {
		out[c.ID()] = filepath.ToSlash(host.CaseDir(c, 1, false))
	}
	return out
}

// TestAbsolutePathsLayout: files given by absolute paths, under the current
// directory or outside it, through symbolic links or not. Test ids keep
// paths relative to the current directory when the file is under it
// (however it was named), else absolute; results directories are relative
// to the current directory or to the outside files' common root.
func TestAbsolutePathsLayout(t *testing.T) {
	root := hosttest.WriteTree(t, map[string]string{
		"proj/t/test_in.star":          "def test_in(ctx): pass\n",
		"outside/bench/a/test_x.star":  "def test_x(ctx): pass\n",
		"outside/bench/b/test_y.star":  "def test_y(ctx): pass\n",
		"outside/other/test_link.star": "def test_z(ctx): pass\n",
	})
	root, _ = filepath.EvalSymlinks(root)
	proj, bench := filepath.Join(root, "proj"), filepath.Join(root, "outside", "bench")
	if err := os.Symlink(filepath.Join(root, "outside", "other", "test_link.star"), filepath.Join(proj, "t", "test_linked.star")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(proj, filepath.Join(root, "proj-link")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, cwd string
		symbols   []string
		want      map[string]string
	}{
		{"an absolute path under the current directory", proj, []string{filepath.Join(proj, "t", "test_in.star")},
			map[string]string{"t/test_in.star::test_in": "t/test_in.star/test_in/1"}},
		{"an absolute path outside", proj, []string{filepath.Join(bench, "a", "test_x.star")},
			map[string]string{bench + "/a/test_x.star::test_x": "test_x.star/test_x/1"}},
		{"a directory outside and a file inside", proj, []string{bench, "t/test_in.star"},
			map[string]string{bench + "/a/test_x.star::test_x": "a/test_x.star/test_x/1", bench + "/b/test_y.star::test_y": "b/test_y.star/test_y/1", "t/test_in.star::test_in": "t/test_in.star/test_in/1"}},
		{"a link inside to a file outside", proj, []string{filepath.Join(proj, "t", "test_linked.star")},
			map[string]string{"t/test_linked.star::test_z": "t/test_linked.star/test_z/1"}},
		{"the current directory through a link, the file by its real path", filepath.Join(root, "proj-link"), []string{filepath.Join(proj, "t", "test_in.star")},
			map[string]string{"t/test_in.star::test_in": "t/test_in.star/test_in/1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(tc.cwd)
			if got := layout(t, tc.symbols...); !maps.Equal(got, tc.want) {
				t.Errorf("ids and results directories %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRerunOfAFileOutside: a failed test of a file outside the current
// directory is listed in rerun-failed.yml by its absolute id, which selects
// it again.
func TestRerunOfAFileOutside(t *testing.T) {
	file := hosttest.WriteFile(t, t.TempDir(), "bench/test_f.star", "def test_f(ctx):\n    fail(\"no\")\n")
	rep, session := hosttest.Run(t, hosttest.LocalCluster(t, 1), []string{file}, hosttest.Options{})
	if got := rep.Results[0].ResultsDir; got != filepath.Join("test_f.star", "test_f", "1") {
		t.Errorf("results directory %s, want test_f.star/test_f/1", got)
	}
	rerun := discover(t, filepath.Join(session, host.RerunFileName))
	var ids []string
	for _, c := range rerun.Cases {
		ids = append(ids, c.ID())
	}
	if want := []string{file + "::test_f"}; !slices.Equal(ids, want) {
		t.Errorf("the rerun selects %q, want %q", ids, want)
	}
}
