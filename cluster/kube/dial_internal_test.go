package kube

import (
	"context"
	"os"
	"testing"
)

// TestReachable: a refusal counts when the kernel whose resets are
// counted sent it (here this machine's, for 127.0.0.1), and not when it
// came from elsewhere (a counter that did not move).
func TestReachable(t *testing.T) {
	ctx := context.Background()
	hostResets := func(context.Context) (int64, error) {
		snmp, err := os.ReadFile("/proc/net/snmp")
		if err != nil {
			return 0, err
		}
		return outRsts(string(snmp))
	}
	if !reachable(ctx, "127.0.0.1", hostResets) {
		t.Error("an address whose kernel refused: not reachable")
	}
	still := func(context.Context) (int64, error) { return 7, nil }
	if reachable(ctx, "127.0.0.1", still) {
		t.Error("a refusal by another kernel: reachable")
	}
}
