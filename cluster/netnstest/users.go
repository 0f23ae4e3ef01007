package netnstest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// addRootAlias creates user name with uid and gid 0 and home as its home
// directory, and deletes it (without touching its processes, which are
// root's) when the test ends.
func addRootAlias(tb testing.TB, name, home string) {
	if err := os.Mkdir(home, 0o755); err != nil {
		tb.Fatal(err)
	}
	// -p '*': no password, but not locked (sshd with UsePAM no refuses locked accounts).
	if out, err := userdb("useradd", "-o", "-u", "0", "-g", "0", "-M", "-d", home, "-s", "/bin/sh", "-p", "*", name); err != nil {
		tb.Fatalf("netnstest: useradd %s: %v\n%s", name, err, out)
	}
	tb.Cleanup(func() {
		if out, err := userdb("userdel", "-f", name); err != nil {
			tb.Errorf("netnstest: userdel %s: %v\n%s", name, err, out)
		}
	})
}

// userdb runs a user-database command, retrying while another test process
// holds the lock on /etc/passwd.
func userdb(name string, args ...string) ([]byte, error) {
	for try := 0; ; try++ {
		out, err := exec.Command(name, args...).CombinedOutput()
		if err == nil || try == 50 || !strings.Contains(string(out), "lock") {
			return out, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
