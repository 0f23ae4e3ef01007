package host_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/hosttest"
)

func TestOkToFailSkipAndDescription(t *testing.T) {
	rep, dir := runWith(t, hosttest.LocalCluster(t, 1), map[string]string{"test_p.star": `
def test_known(ctx):
    """A known failure (KAFKA-1234).

    Fixed in 4.0."""
    fail("known bug")
ok_to_fail(test_known)

def test_known_passes(ctx):
    pass
ok_to_fail(test_known_passes)

def test_skipped(ctx):
    """Needs a binary."""
    ctx.logger.info("before the skip")
    ctx.skip("no kafka binary here")
    fail("not reached")
`, "test_s.star": `
def setup(ctx):
    ctx.skip("setup says no")

def test_never(ctx):
    fail("not reached")
`}, func(r *host.Runner) { r.Deflake = 3 })
	for name, want := range map[string]struct {
		status  host.Status
		summary string
	}{
		"test_known":        {host.StatusOFail, "known bug"},
		"test_known_passes": {host.StatusOPass, ""},
		"test_skipped":      {host.StatusIgnore, "skipped: no kafka binary here"},
		"test_never":        {host.StatusIgnore, "skipped: setup says no"},
	} {
		r := hosttest.Result(t, rep, name)
		if r.TestStatus != want.status || !strings.Contains(r.Summary, want.summary) {
			t.Errorf("%s: %s %q, want %s %q", name, r.TestStatus, r.Summary, want.status, want.summary)
		}
	}
	known := hosttest.Result(t, rep, "test_known")
	if known.Description != "A known failure (KAFKA-1234).\n\n    Fixed in 4.0." || !strings.HasSuffix(known.ResultsDir, "test_known/1") {
		t.Errorf("ok_to_fail: description %q, dir %s (one attempt only under --deflake)", known.Description, known.ResultsDir)
	}
	if rep.NumOPassed != 1 || rep.NumOFailed != 1 || rep.NumIgnored != 2 || rep.NumFailed != 0 || len(rep.Failed()) != 0 {
		t.Errorf("counts: opassed %d ofailed %d ignored %d failed %d", rep.NumOPassed, rep.NumOFailed, rep.NumIgnored, rep.NumFailed)
	}
	log, _ := os.ReadFile(filepath.Join(dir, hosttest.Result(t, rep, "test_skipped").ResultsDir, "test_log.info"))
	if !strings.Contains(string(log), "before the skip") || strings.Contains(string(log), "not reached") {
		t.Errorf("the skipped test's log:\n%s", log)
	}
	read := func(f string) string {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	for f, wants := range map[string][]string{
		"report.json": {`"num_opassed": 1`, `"num_ofailed": 1`, `"test_status": "OFAIL"`, `"description": "Needs a binary."`},
		"report.txt":  {"opassed:          1", "ofailed:          1", "status:     OFAIL"},
		"report.xml":  {`<skipped message="OFAIL (ok_to_fail): Error in fail: fail: known bug">`, `<skipped message="skipped: no kafka binary here">`},
		"report.html": {`"description":"Needs a binary."`, `"status":"OPASS"`},
	} {
		text := read(f)
		for _, want := range wants {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %s", f, want)
			}
		}
	}
}
