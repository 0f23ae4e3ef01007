package docker_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/accounttest"
	"github.com/ducktape-go/ducktape/cluster/docker"
	"github.com/ducktape-go/ducktape/cluster/docker/dockertest"
)

func TestDockerConformance(t *testing.T) {
	accounttest.Run(t, accounttest.Views(dockertest.Start(t, 2, docker.Options{})))
}

func TestDockerIsolation(t *testing.T) {
	accounttest.RunIsolation(t, accounttest.Views(dockertest.Start(t, 2, docker.Options{})))
}

// TestDockerNodesAreHosts: each node is a host of its own: its hostname is
// its name, the others resolve that name to its address, and its file
// system is its own.
func TestDockerNodesAreHosts(t *testing.T) {
	nodes := dockertest.Start(t, 2, docker.Options{}).Nodes()
	accounttest.CheckNodesAreHosts(t, nodes[0], nodes[1])
	checkServiceDial(t, nodes[0], cluster.RouteDirect)
}

// checkServiceDial dials the node's sshd as a service at its externally
// routable address (as the protocol clients of a test dial theirs) and
// reads its greeting: the route is as docs/clusters.md says.
func checkServiceDial(t *testing.T, n *cluster.Node, route cluster.Route) {
	t.Helper()
	if got := n.Account.Route(); got != route {
		t.Errorf("%s: route %q, want %q", n.Name, got, route)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := n.Account.Dial(ctx, "tcp", net.JoinHostPort(n.Account.Info().ExternallyRoutableIP, "22"))
	if err != nil {
		t.Fatalf("%s: %v", n.Name, err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	greeting, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(greeting, "SSH-2.0-") {
		t.Errorf("%s: the service at port 22 said %q (%v), want an SSH greeting", n.Name, greeting, err)
	}
}

// TestDockerDeadNode: a command on a node whose container died fails
// naming the node, how its container ended and its last log lines.
func TestDockerDeadNode(t *testing.T) {
	ctx := context.Background()
	cl := dockertest.Start(t, 1, docker.Options{})
	n := cl.Nodes()[0]
	container := dockertest.ClustersOf(t, os.Getpid())[0].Containers[0]
	if out, err := exec.Command("docker", "kill", container).CombinedOutput(); err != nil {
		t.Fatalf("docker kill: %v\n%s", err, out)
	}
	_, err := n.Account.SSH(ctx, "true", false)
	var dead *docker.DeadNodeError
	if !errors.As(err, &dead) {
		t.Fatalf("after the container was killed: %v", err)
	}
	for _, want := range []string{"node docker1 died", "exited with status 137", "Server listening"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
}

func TestParseMount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want docker.Mount
		err  string
	}{
		{in: "/src:/dst", want: docker.Mount{Source: "/src", Target: "/dst"}},
		{in: "/src:/dst:ro", want: docker.Mount{Source: "/src", Target: "/dst", ReadOnly: true}},
		{in: "/src:/dst:rw", want: docker.Mount{Source: "/src", Target: "/dst"}},
		{in: "/src", err: "want SRC:DST"},
		{in: "/src:dst", err: "must be an absolute path"},
		{in: ":/dst", err: "want SRC:DST"},
		{in: "/a:/b:/c", err: "want SRC:DST"},
	} {
		got, err := docker.ParseMount(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseMount(%q): %v, want an error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseMount(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestDockerNoStrays: a detached process, a command that prints a lot and
// a command cancelled midway leave nothing running once the cluster is
// closed (the containers' processes are this machine's, so pgrep sees them).
func TestDockerNoStrays(t *testing.T) {
	dockertest.RequireEngine(t)
	cl, err := docker.Open(context.Background(), docker.Options{Nodes: 1})
	if err != nil {
		t.Fatal(err)
	}
	acct := cl.Nodes()[0].Account
	if _, err := acct.SSH(context.Background(), "nohup sleep 43.25 > /dev/null 2>&1 &", false); err != nil {
		t.Fatal(err)
	}
	out, err := acct.Output(context.Background(), "head -c 10000000 /dev/zero | tr '\\0' x", cluster.OutputOptions{})
	if err != nil || len(out) != 10000000 {
		t.Errorf("a 10 MB output: %d bytes, %v", len(out), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := acct.SSH(ctx, "sleep 44.25", false); err == nil {
		t.Error("a command cancelled after 1 s succeeded")
	}
	if !running("sleep 43.25") {
		t.Fatal("the detached process is not running")
	}
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"sleep 43.25", "sleep 44.25"} {
		if running(p) {
			t.Errorf("%q survived the cluster", p)
		}
	}
}

// running reports whether a process of this machine runs cmdline.
func running(cmdline string) bool {
	out, _ := exec.Command("pgrep", "-f", cmdline).Output()
	return len(strings.TrimSpace(string(out))) > 0
}

// TestDockerRemoteEngine: with a tcp:// engine the runner reaches the
// nodes through the ports the engine publishes on its host, while the
// nodes still reach each other at their bridge addresses. It needs an
// engine listening on TCP, named by DUCKTAPE_TEST_DOCKER_TCP (CI starts
// one on loopback).
func TestDockerRemoteEngine(t *testing.T) {
	host := os.Getenv("DUCKTAPE_TEST_DOCKER_TCP")
	if host == "" {
		t.Skip("DUCKTAPE_TEST_DOCKER_TCP is not set (e.g. tcp://127.0.0.1:23750, an engine listening on TCP)")
	}
	t.Setenv("DOCKER_HOST", host)
	nodes := dockertest.Start(t, 2, docker.Options{}).Nodes()
	a, b := nodes[0].Account, nodes[1].Account
	if got := a.Info().SSHHostname; got != "127.0.0.1" {
		t.Errorf("the runner reaches %s at %s, want the engine's host 127.0.0.1", nodes[0].Name, got)
	}
	if _, err := b.SSH(context.Background(), "timeout 5 bash -c 'exec 3<>/dev/tcp/"+a.Info().ExternallyRoutableIP+"/22'", false); err != nil {
		t.Errorf("%s cannot reach %s at its bridge address: %v", nodes[1].Name, nodes[0].Name, err)
	}
	checkServiceDial(t, nodes[0], cluster.RouteSSH)
}

// TestDockerNodeWithoutSSHD: a node whose sshd never answers fails the
// open once the ready timeout has passed, one whose image has no sshd
// fails it at once, with its container's state and last log lines; both
// name the node and leave nothing behind. The default image's sshd is
// replaced by a file bind-mounted over it.
func TestDockerNodeWithoutSSHD(t *testing.T) {
	dockertest.RequireEngine(t)
	for _, tc := range []struct {
		name, sshd string
		mode       os.FileMode
		timeout    time.Duration
		// within bounds the open's failure: waiting for the banner and
		// then for the first command are each bounded by the timeout; a
		// stopped container ends both at once.
		within time.Duration
		want   []string
	}{
		{"mute", "#!/bin/sh\nexec sleep 600\n", 0o755, 5 * time.Second, 20 * time.Second, []string{"node docker1 did not come up", "node docker2 did not come up"}},
		{"missing", "", 0o644, 30 * time.Second, 30 * time.Second, []string{"node docker1 died: its container exited with status 127", "this image has no sshd"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docker.SetReadyTimeout(t, tc.timeout)
			sshd := filepath.Join(t.TempDir(), "sshd")
			if err := os.WriteFile(sshd, []byte(tc.sshd), tc.mode); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err := docker.Open(context.Background(), docker.Options{Nodes: 2, Mounts: []docker.Mount{{Source: sshd, Target: "/usr/sbin/sshd", ReadOnly: true}}})
			took := time.Since(start)
			for _, want := range tc.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("the open's error lacks %q: %v", want, err)
				}
			}
			if took > tc.within {
				t.Errorf("the open failed after %s; want within %s (ready timeout %s)", took.Round(time.Millisecond), tc.within, tc.timeout)
			}
			if left := dockertest.ClustersOf(t, os.Getpid()); len(left) > 0 {
				t.Errorf("a failed open left %+v", left)
			}
		})
	}
}

// TestDockerBadOptions: options that cannot work fail with what to do, and
// create nothing.
func TestDockerBadOptions(t *testing.T) {
	if _, err := docker.Open(context.Background(), docker.Options{Nodes: 300}); err == nil || !strings.Contains(err.Error(), "--docker-nodes must be between 1 and 253") {
		t.Errorf("300 nodes: %v", err)
	}
	dockertest.RequireEngine(t)
	_, err := docker.Open(context.Background(), docker.Options{Nodes: 1, Image: "ducktape-no-such-image:1"})
	if err == nil || !strings.Contains(err.Error(), "has no such image, and ducktape never pulls") {
		t.Errorf("a missing image: %v", err)
	}
	_, err = docker.Open(context.Background(), docker.Options{Nodes: 1, Image: "ducktape-no-such-image:1", Packages: []string{"curl"}})
	if err == nil || !strings.Contains(err.Error(), "cannot be combined with --docker-image") {
		t.Errorf("--docker-packages with --docker-image: %v", err)
	}
	if left := dockertest.ClustersOf(t, os.Getpid()); len(left) > 0 {
		t.Errorf("a failed Open left %+v", left)
	}
}
