package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// down stops the cluster and removes what up made, also after a kill: the
// pod sandboxes (through containerd's CRI, which tears their networks
// down), the components, leftover shims and mounts, the bridge, the
// FORWARD rule and the state directory. The images stay in the cache.
func (c *kube) down() error {
	if _, err := os.Stat(c.dir); errors.Is(err, os.ErrNotExist) {
		return c.removeNetwork()
	}
	var list []error
	// The kubelet first, so that it restarts no pod, then every other
	// component up started (by name: whatever version of up started them)
	// but containerd, which removeSandboxes needs.
	list = append(list, c.stop("kubelet"))
	pids, _ := filepath.Glob(c.path("run", "*.pid"))
	for _, p := range pids {
		if name := strings.TrimSuffix(filepath.Base(p), ".pid"); name != "containerd" {
			list = append(list, c.stop(name))
		}
	}
	list = append(list, c.removeSandboxes())
	list = append(list, c.stop("containerd"))
	c.killShims()
	list = append(list, c.unmountAll(), c.removeNetwork())
	if err := os.RemoveAll(c.dir); err != nil {
		list = append(list, err)
	}
	return errors.Join(list...)
}

// removeSandboxes stops and removes every pod sandbox containerd has (and
// so their containers and network namespaces), starting containerd for it
// when a killed cluster left its state without it.
func (c *kube) removeSandboxes() error {
	if _, err := os.Stat(c.path("containerd", "config.toml")); err != nil {
		return nil
	}
	if _, err := os.Stat(c.path("run", "containerd.pid")); err != nil || c.alive() != nil {
		c.stop("containerd")
		if err := c.start("containerd", "/usr/bin/containerd", "--config", c.path("containerd", "config.toml")); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.waitFile(ctx, "containerd", c.containerdSock()); err != nil {
		return err
	}
	conn, err := grpc.NewClient("unix://"+c.containerdSock(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	rt := runtimeapi.NewRuntimeServiceClient(conn)
	var res *runtimeapi.ListPodSandboxResponse
	for {
		if res, err = rt.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{}); err == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond) // the CRI plugin starts after the socket
	}
	if err != nil {
		return fmt.Errorf("listing pod sandboxes: %w", err)
	}
	var list []error
	for _, sb := range res.Items {
		if _, err := rt.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sb.Id}); err != nil {
			list = append(list, fmt.Errorf("stopping pod sandbox %s (%s/%s): %w", sb.Id, sb.Metadata.GetNamespace(), sb.Metadata.GetName(), err))
			continue
		}
		if _, err := rt.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sb.Id}); err != nil {
			list = append(list, fmt.Errorf("removing pod sandbox %s: %w", sb.Id, err))
		}
	}
	return errors.Join(list...)
}

// killShims kills the runc shims of this cluster's containerd that
// outlived it: their command line names its socket.
func (c *kube) killShims() {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(data), "\x00"+c.containerdSock()+"\x00") {
			continue
		}
		var pid int
		fmt.Sscanf(p, "/proc/%d/cmdline", &pid)
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// unmountAll unmounts what is mounted under the state directory (the
// containers' root file systems, network namespaces, the kubelet's
// volumes), deepest first.
func (c *kube) unmountAll() error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && (fields[4] == c.dir || strings.HasPrefix(fields[4], c.dir+"/")) {
			points = append(points, fields[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	var list []error
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
			list = append(list, fmt.Errorf("unmounting %s: %w", p, err))
		}
	}
	return errors.Join(list...)
}

// removeNetwork deletes the bridge and the FORWARD rule, if there.
func (c *kube) removeNetwork() error {
	var list []error
	if exec.Command("ip", "link", "show", bridge).Run() == nil {
		if out, err := exec.Command("ip", "link", "del", bridge).CombinedOutput(); err != nil {
			list = append(list, fmt.Errorf("ip link del %s: %v: %s", bridge, err, out))
		}
	}
	rule := strings.Fields(forwardRule)
	for exec.Command("iptables", append([]string{"-w", "-C", "FORWARD"}, rule...)...).Run() == nil {
		if out, err := exec.Command("iptables", append([]string{"-w", "-D", "FORWARD"}, rule...)...).CombinedOutput(); err != nil {
			list = append(list, fmt.Errorf("iptables -D FORWARD: %v: %s", err, out))
			break
		}
	}
	return errors.Join(list...)
}
