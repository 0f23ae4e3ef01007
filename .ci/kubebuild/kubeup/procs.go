package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// start runs a component in the background, in a session of its own (it
// outlives kubeup), its output in logs/<name>.log, its pid in
// run/<name>.pid beside the binary's path.
func (c *kube) start(name, bin string, args ...string) error {
	log, err := os.Create(c.path("logs", name+".log"))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	go cmd.Wait() // reaps it should it die while up runs
	return os.WriteFile(c.path("run", name+".pid"), fmt.Appendf(nil, "%d %s\n", cmd.Process.Pid, bin), 0o644)
}

// stop ends a component that start ran, if it still runs: SIGTERM, then
// SIGKILL after ten seconds.
func (c *kube) stop(name string) error {
	pidFile := c.path("run", name+".pid")
	data, err := os.ReadFile(pidFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	pidText, bin, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		return fmt.Errorf("%s: bad pid file %q", pidFile, data)
	}
	if running(pid, bin) {
		syscall.Kill(pid, syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for running(pid, bin) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if running(pid, bin) {
			syscall.Kill(pid, syscall.SIGKILL)
			for running(pid, bin) {
				time.Sleep(50 * time.Millisecond)
			}
		}
	}
	return os.Remove(pidFile)
}

// running reports whether process pid exists, is no zombie, and runs bin
// (so a pid reused by another program is left alone).
func running(pid int, bin string) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	if i := bytes.LastIndexByte(stat, ')'); i > 0 && bytes.HasPrefix(stat[i+1:], []byte(" Z")) {
		return false
	}
	// A process in the middle of its exec has no arguments yet (the
	// kernel sets them up after it has closed the descriptors whose
	// closing ends exec.Cmd.Start): read again for up to a second. Under
	// load that window made a starting kube-apiserver look dead.
	for try := 0; ; try++ {
		cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			return false
		}
		if len(cmdline) > 0 || try == 100 {
			arg0, _, _ := bytes.Cut(cmdline, []byte{0})
			return filepath.Clean(string(arg0)) == filepath.Clean(bin)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// alive checks that the components started so far still run, naming the
// first that died with the end of its log.
func (c *kube) alive() error {
	entries, _ := os.ReadDir(c.path("run"))
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".pid")
		if !ok {
			continue
		}
		data, err := os.ReadFile(c.path("run", e.Name()))
		if err != nil {
			continue
		}
		pidText, bin, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
		if pid, err := strconv.Atoi(pidText); err == nil && !running(pid, bin) {
			return fmt.Errorf("%s exited; the end of %s:\n%s", name, c.path("logs", name+".log"), c.logTail(name, 15))
		}
	}
	return nil
}

// logTail returns the last n lines of a component's log.
func (c *kube) logTail(name string, n int) string {
	data, _ := os.ReadFile(c.path("logs", name+".log"))
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}
