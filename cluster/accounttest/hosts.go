package accounttest

import (
	"context"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster"
)

// CheckNodesAreHosts checks that two nodes of a provider whose nodes are
// hosts of their own (containers, pods) are: a's hostname is its name, b
// resolves that name to a's address, their addresses differ, and a file
// made on a does not exist on b.
func CheckNodesAreHosts(t *testing.T, a, b *cluster.Node) {
	t.Helper()
	ctx := context.Background()
	if got, _ := a.Account.Output(ctx, "hostname", cluster.OutputOptions{}); strings.TrimSpace(got) != a.Name {
		t.Errorf("hostname of %s: %q", a.Name, got)
	}
	ip := a.Account.Info().ExternallyRoutableIP
	resolved, err := b.Account.Output(ctx, "getent hosts "+a.Name, cluster.OutputOptions{})
	if err != nil || strings.Fields(resolved)[0] != ip {
		t.Errorf("%s resolves %s to %q (%v), want %s", b.Name, a.Name, resolved, err, ip)
	}
	if ip == b.Account.Info().ExternallyRoutableIP {
		t.Errorf("both nodes have address %s", ip)
	}
	if err := a.Account.CreateFile(ctx, "mine", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Account.Exists(ctx, "mine"); ok || err != nil {
		t.Errorf("a file made on %s exists on %s (%v)", a.Name, b.Name, err)
	}
}
