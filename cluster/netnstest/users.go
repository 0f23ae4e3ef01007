package netnstest

import (
	"os"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
)

// addRootAlias creates user name with uid and gid 0 and home as its home
// directory, and deletes it (without touching its processes, which are
// root's) when the test ends.
func addRootAlias(tb testing.TB, name, home string) {
	if err := os.Mkdir(home, 0o755); err != nil {
		tb.Fatal(err)
	}
	// -p '*': no password, but not locked (sshd with UsePAM no refuses locked accounts).
	if out, err := sshtest.UserDB("useradd", "-o", "-u", "0", "-g", "0", "-M", "-d", home, "-s", "/bin/sh", "-p", "*", name); err != nil {
		tb.Fatalf("netnstest: useradd %s: %v\n%s", name, err, out)
	}
	tb.Cleanup(func() {
		if out, err := sshtest.UserDB("userdel", "-f", name); err != nil {
			tb.Errorf("netnstest: userdel %s: %v\n%s", name, err, out)
		}
	})
}
