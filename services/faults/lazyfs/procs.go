package lazyfs

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Mount is a mount of the node, from /proc/self/mountinfo.
type Mount struct {
	Point  string // where it is mounted
	Type   string // its file system type ("ext4", "fuse.ducktape-lazyfs")
	Source string // what is mounted (for a lazy file system: its FsName)
}

// ReadMounts returns the mounts this process sees.
func ReadMounts() ([]Mount, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	return ParseMountinfo(string(data))
}

// ParseMountinfo parses the text of /proc/<pid>/mountinfo (see proc(5)):
// per line, the mount point is the fifth field and the type and source
// follow the "-" separator; octal escapes (\040 for a space) are decoded.
func ParseMountinfo(text string) ([]Mount, error) {
	var mounts []Mount
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Fields(line)
		sep := slices.Index(f, "-")
		if sep < 6 || sep+2 >= len(f) {
			return nil, fmt.Errorf("mountinfo line %d is malformed: %q", i+1, line)
		}
		mounts = append(mounts, Mount{Point: unescapeOctal(f[4]), Type: f[sep+1], Source: unescapeOctal(f[sep+2])})
	}
	return mounts, nil
}

// unescapeOctal decodes the \ooo escapes the kernel writes for spaces,
// tabs, newlines and backslashes in mount paths.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Holders returns the processes that use dir: with a file open below it,
// or their working directory, root or a mapped file there. The calling
// process and its ancestors (the shell and driver that started it) are
// left out.
func Holders(dir string) []int {
	spare := ancestors()
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || spare[pid] {
			continue
		}
		if uses(pid, dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// uses reports whether process pid uses dir (see Holders).
func uses(pid int, dir string) bool {
	base := "/proc/" + strconv.Itoa(pid)
	for _, l := range []string{"cwd", "root", "exe"} {
		if t, err := os.Readlink(base + "/" + l); err == nil && within(t, dir) {
			return true
		}
	}
	fds, _ := os.ReadDir(base + "/fd")
	for _, fd := range fds {
		if t, err := os.Readlink(base + "/fd/" + fd.Name()); err == nil && within(strings.TrimSuffix(t, " (deleted)"), dir) {
			return true
		}
	}
	maps, _ := os.ReadFile(base + "/maps")
	for _, line := range strings.Split(string(maps), "\n") {
		if f := strings.Fields(line); len(f) >= 6 && within(strings.Join(f[5:], " "), dir) {
			return true
		}
	}
	return false
}

// ancestors returns this process and its ancestors.
func ancestors() map[int]bool {
	out := map[int]bool{}
	for pid := os.Getpid(); pid > 1 && !out[pid]; {
		out[pid] = true
		ppid, _, ok := procStat(pid)
		if !ok {
			break
		}
		pid = ppid
	}
	return out
}

// procStat returns the parent and state of process pid.
func procStat(pid int) (ppid int, state byte, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 || len(f[0]) != 1 {
		return 0, 0, false
	}
	ppid, err = strconv.Atoi(f[1])
	return ppid, f[0][0], err == nil
}

// killWait bounds how long KillHolders waits for a killed process to let
// go of its files.
const killWait = 10 * time.Second

// reapWait bounds how long KillHolders waits for the zombies it made to be
// reaped.
const reapWait = 5 * time.Second

// KillHolders SIGKILLs every process that uses dir (see Holders), waits
// until they have let go (exited, or zombies), and looks again, since a
// process can fork while it is being killed. Then it waits, at most
// reapWait, until no killed process is a zombie any more: after a power
// loss nothing of the old processes is left, and a server restarted at once
// must not find its predecessor's pid alive (PostgreSQL refuses to start
// while the pid in its lock file exists; an init that reaps orphans only
// now and then keeps them for a while). It returns the processes it
// killed, in order.
func KillHolders(dir string) ([]int, error) {
	killed, err := killHolders(dir)
	deadline := time.Now().Add(reapWait)
	for _, pid := range killed {
		for zombie(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	return killed, err
}

func killHolders(dir string) ([]int, error) {
	var killed []int
	for pass := 0; pass < 5; pass++ {
		pids := Holders(dir)
		if len(pids) == 0 {
			break
		}
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		killed = append(killed, pids...)
		deadline := time.Now().Add(killWait)
		for _, pid := range pids {
			for !gone(pid) {
				if time.Now().After(deadline) {
					return killed, fmt.Errorf("process %d still uses %s %s after SIGKILL", pid, dir, killWait)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	slices.Sort(killed)
	return slices.Compact(killed), nil
}

// zombie reports whether process pid is a zombie: dead, not reaped yet.
func zombie(pid int) bool {
	_, state, ok := procStat(pid)
	return ok && state == 'Z'
}

// gone reports whether process pid has exited or is a zombie (which holds
// no files).
func gone(pid int) bool {
	_, state, ok := procStat(pid)
	return !ok || state == 'Z' || state == 'X'
}
