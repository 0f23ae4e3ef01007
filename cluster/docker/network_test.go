package docker

import "testing"

// TestEngineOnThisMachine: the engines whose networks can clash with this
// machine's interfaces (a bridge another engine left behind).
func TestEngineOnThisMachine(t *testing.T) {
	for remote, want := range map[string]bool{
		"":            true, // a local socket
		"localhost":   true,
		"127.0.0.1":   true,
		"::1":         true,
		"10.1.2.3":    false,
		"docker.host": false,
	} {
		if got := (&engine{remoteHost: remote}).onThisMachine(); got != want {
			t.Errorf("remoteHost %q: onThisMachine() = %v, want %v", remote, got, want)
		}
	}
}
