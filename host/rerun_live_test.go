package host_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestLiveRerunSelectsFailedAndUnfinished plans a session of four cases,
// each run twice (--repeat 2), records some of their runs, and discovers
// the live rerun-failed.yml as a rerun would: it selects the case with a
// failed run, the case with a run left and the case never run, not the
// one whose two runs passed. After Finish it lists the failed case only.
func TestLiveRerunSelectsFailedAndUnfinished(t *testing.T) {
	dir := hosttest.WriteTree(t, map[string]string{"tests/test_r.star": `
def test_x(ctx, i):
    pass
matrix(test_x, i = [1, 2, 3])

def test_y(ctx):
    pass
`})
	t.Chdir(dir)
	suite, err := host.Discover(newLoader(), []string{"tests"}, host.DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	session := filepath.Join("results", "2026-12-01--001")
	os.MkdirAll(session, 0o755)
	r := host.NewReport(host.Version, "2026-12-01--001", session, time.Now())
	if err := r.Plan(suite, 2); err != nil {
		t.Fatal(err)
	}
	add := func(id string, status host.Status) {
		if err := r.Add(&host.Result{TestID: "tests/test_r.star::" + id, ModuleName: "tests/test_r.star", TestStatus: status}); err != nil {
			t.Fatal(err)
		}
	}
	rerun := func() []string {
		t.Helper()
		s, err := host.Discover(newLoader(), []string{filepath.Join(session, host.RerunFileName)}, host.DiscoverOptions{})
		if err != nil {
			t.Fatalf("discovering %s: %v", host.RerunFileName, err)
		}
		var ids []string
		for _, c := range s.Cases {
			ids = append(ids, c.ID())
		}
		slices.Sort(ids)
		return ids
	}
	all := []string{`tests/test_r.star::test_x@{"i":1}`, `tests/test_r.star::test_x@{"i":2}`, `tests/test_r.star::test_x@{"i":3}`, "tests/test_r.star::test_y"}
	if got := rerun(); !slices.Equal(got, all) {
		t.Errorf("before any result the rerun selects %q, want every case %q", got, all)
	}
	add(`test_x@{"i":1}`, host.StatusPass)
	add(`test_x@{"i":1}`, host.StatusPass)
	add(`test_x@{"i":2}`, host.StatusPass)
	add(`test_x@{"i":2}`, host.StatusFail)
	add(`test_x@{"i":3}`, host.StatusPass)
	if got := rerun(); !slices.Equal(got, all[1:]) {
		t.Errorf("the rerun selects %q, want %q (all but the case whose two runs passed)", got, all[1:])
	}
	if err := r.Finish(time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := rerun(); !slices.Equal(got, all[1:2]) {
		t.Errorf("after Finish the rerun selects %q, want the failed case %q", got, all[1:2])
	}
}
