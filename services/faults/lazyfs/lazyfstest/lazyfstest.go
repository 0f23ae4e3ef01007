// Package lazyfstest decides whether a test that mounts lazy file systems
// runs: it skips where this machine cannot mount FUSE file systems, unless
// DUCKTAPE_REQUIRE_FUSE=1 (CI) makes that a failure.
package lazyfstest

import (
	"os"
	"testing"
)

// RequireEnv names the variable that makes a missing FUSE a failure.
const RequireEnv = "DUCKTAPE_REQUIRE_FUSE"

// Require skips t (or fails it, under RequireEnv) when probe, which mounts
// a test file system (lazyfs.Probe), fails. probe is passed in so that
// package lazyfs's own tests can use this one.
func Require(t testing.TB, probe func() error) {
	t.Helper()
	if err := probe(); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("cannot mount a FUSE file system here (%s=1): %v", RequireEnv, err)
		}
		t.Skipf("cannot mount a FUSE file system here (root and /dev/fuse needed): %v", err)
	}
}
