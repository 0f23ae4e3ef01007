package docker

import (
	"testing"
	"time"
)

// SetReadyTimeout shortens how long Open waits for a node's sshd, until
// tb ends. Not for parallel tests.
func SetReadyTimeout(tb testing.TB, d time.Duration) {
	old := readyTimeout
	readyTimeout = d
	tb.Cleanup(func() { readyTimeout = old })
}
