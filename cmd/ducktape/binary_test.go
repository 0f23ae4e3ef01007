package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// buildBinary builds the ducktape binary into a temporary directory, for
// the tests that run it as a user does (signals, a terminal, examples/);
// the build cache makes every build after the first quick. It skips the
// test with -short.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "ducktape")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
