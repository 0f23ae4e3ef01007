package host_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
)

// TestFullResultsDisk runs a session whose results root is a 256 KiB
// tmpfs, which fills after a few cases: the session still runs every case
// and ends, says the disk is full once in words, exits with status 1, and
// what reports it has are whole.
func TestFullResultsDisk(t *testing.T) {
	bin := hosttest.BuildDucktape(t)
	results := mountSmallDisk(t, "256k")
	dir := hosttest.WriteTree(t, map[string]string{"test_full.star": `
def test_t(ctx, i):
    ctx.logger.info("case %d: " % i + "x" * 2000)
cluster(test_t, num_nodes = 1)
matrix(test_t, i = list(range(200)))
`})
	cmd := exec.Command(bin, "--results-root", results, "test_full.star")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	text := string(out)
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, text)
	}
	if !strings.Contains(text, "results disk full: writing ") || !strings.Contains(text, ": no space left on device") {
		t.Errorf("the output does not say the results disk is full:\n%s", text)
	}
	if n := strings.Count(text, "results disk full"); n != 1 {
		t.Errorf("the output says the disk is full %d times, want once:\n%s", n, text)
	}
	if !strings.Contains(text, "session ") || !strings.Contains(text, "200 passed") {
		t.Errorf("no summary of the 200 cases:\n%s", text)
	}
	// Whatever report.json the disk holds is whole: written to a
	// temporary file and renamed, never half replaced.
	if data, err := os.ReadFile(filepath.Join(results, "latest", "report.json")); err == nil {
		var rep struct{ Results []any }
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Errorf("report.json on the full disk is not JSON: %v", err)
		}
	}
}

// mountSmallDisk mounts a tmpfs of size on a temporary directory for the
// test, unmounted after it; it skips the test when it cannot (not root).
func mountSmallDisk(t *testing.T, size string) string {
	dir := t.TempDir()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a small tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", dir, err)
		}
	})
	return dir
}
