package hosttest

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildDucktape builds the ducktape binary into a temporary directory and
// returns its path, for the tests that run it as a user does (signals, a
// terminal, examples/ on an SSH cluster); the build cache makes every
// build after the first quick. It skips tb with -short.
func BuildDucktape(tb testing.TB) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds the ducktape binary")
	}
	bin := filepath.Join(tb.TempDir(), "ducktape")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/ducktape-go/ducktape/cmd/ducktape").CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
