package sshtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

type loginUser struct{ name, home string }

// loginUsers returns the n nodes' login users. As root it creates one user
// per node, with a home under dir, and removes them (killing whatever they
// still run) when the test ends; otherwise it returns the current user n
// times.
func loginUsers(tb testing.TB, dir string, n int) []loginUser {
	users := make([]loginUser, n)
	if os.Geteuid() != 0 {
		name, home := currentUser(tb)
		for i := range users {
			users[i] = loginUser{name, home}
		}
		return users
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		tb.Skip("sshtest: useradd not found; as root the SSH nodes need their own users")
	}
	prefix := "dt" + RandomHex(tb) + "n"
	for i := range users {
		u := loginUser{name: prefix + strconv.Itoa(i+1), home: filepath.Join(dir, fmt.Sprintf("home%d", i+1))}
		// -p '*': no password, but not locked (sshd with UsePAM no refuses locked accounts).
		if out, err := UserDB("useradd", "-M", "-d", u.home, "-s", "/bin/sh", "-p", "*", u.name); err != nil {
			tb.Fatalf("sshtest: useradd %s: %v\n%s", u.name, err, out)
		}
		tb.Cleanup(func() { removeUser(tb, u.name) })
		if err := os.Mkdir(u.home, 0o755); err != nil {
			tb.Fatal(err)
		}
		uid, gid := lookupIDs(tb, u.name)
		if err := os.Chown(u.home, uid, gid); err != nil {
			tb.Fatal(err)
		}
		users[i] = u
	}
	return users
}

// removeUser kills the user's processes and deletes the user.
func removeUser(tb testing.TB, name string) {
	uid, _ := lookupIDs(tb, name)
	for range 3 { // processes may fork while being killed
		for _, pid := range processesOf(uid) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := UserDB("userdel", "-f", name); err != nil {
		tb.Errorf("sshtest: userdel %s: %v\n%s", name, err, out)
	}
}

func lookupIDs(tb testing.TB, name string) (uid, gid int) {
	out, err := exec.Command("id", "-u", name).Output()
	if err == nil {
		uid, err = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	if err == nil {
		out, err = exec.Command("id", "-g", name).Output()
	}
	if err == nil {
		gid, err = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	if err != nil {
		tb.Fatalf("sshtest: looking up user %s: %v", name, err)
	}
	return uid, gid
}
