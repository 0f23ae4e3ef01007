package docker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/moby/moby/client"
)

// defaultSocket is the engine's socket when DOCKER_HOST is not set, on the
// driver and on the far side of ssh:// engines.
const defaultSocket = "/var/run/docker.sock"

// engine is a connection to one Docker Engine. It is safe for concurrent
// use.
type engine struct {
	cli *client.Client
	// host is the engine's address as the user gave it (DOCKER_HOST, or the
	// default socket), for messages.
	host string
	// remoteHost is the engine machine's name for tcp:// and ssh:// engines,
	// where the driver reaches nodes through published ports; "" for a
	// local socket, where it reaches their bridge addresses.
	remoteHost string
	release    func() // closes an ssh:// tunnel; may be nil
}

// connect reaches the engine that DOCKER_HOST names (the default socket
// without it), negotiates the API version and checks that it answers. Its
// errors say which engine, why, and how to start one.
func connect(ctx context.Context) (*engine, error) {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix://" + defaultSocket
	}
	e := &engine{host: host}
	opts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	u, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("DOCKER_HOST=%q: %w", host, err)
	}
	switch u.Scheme {
	case "unix":
	case "tcp", "http", "https":
		e.remoteHost = u.Hostname()
	case "ssh":
		e.remoteHost = u.Hostname()
		dial, release, err := sshEngineDialer(ctx, u)
		if err != nil {
			return nil, e.unreachable(err)
		}
		e.release = release
		// The transport is set up for a unix socket, then its dialer
		// replaced by one that goes through the SSH connection.
		opts = append(opts, client.WithHost("unix://"+defaultSocket), client.WithDialContext(dial))
	default:
		return nil, fmt.Errorf("DOCKER_HOST=%q: unsupported scheme %q (want unix://, tcp:// or ssh://)", host, u.Scheme)
	}
	if e.cli, err = client.New(opts...); err != nil {
		e.close()
		return nil, fmt.Errorf("Docker client for %s: %w", host, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := e.cli.Ping(pingCtx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		e.close()
		return nil, e.unreachable(err)
	}
	return e, nil
}

// unreachable explains a failure to reach the engine.
func (e *engine) unreachable(err error) error {
	how := "start one (as root: `dockerd &`, or `systemctl start docker`) or point DOCKER_HOST at one (unix://, tcp://host:2375, ssh://user@host)"
	if os.Getenv("DOCKER_HOST") == "" {
		return &NoEngineError{fmt.Sprintf("no Docker Engine answers at %s (DOCKER_HOST is not set): %v; %s", e.host, err, how)}
	}
	return &NoEngineError{fmt.Sprintf("no Docker Engine answers at DOCKER_HOST=%s: %v; %s", e.host, err, how)}
}

func (e *engine) close() {
	if e.cli != nil {
		e.cli.Close()
	}
	if e.release != nil {
		e.release()
	}
}

// sshEngineDialer connects to an ssh://[user@]host[:port][/socket] engine's
// machine with ducktape's SSH client (keys, ~/.ssh/config and known_hosts as
// for cluster files) and returns a dialer of the engine's unix socket there
// (OpenSSH's streamlocal forwarding: no docker CLI is needed on either side).
func sshEngineDialer(ctx context.Context, u *url.URL) (func(context.Context, string, string) (net.Conn, error), func(), error) {
	cfg := cluster.SSHConfig{Host: u.Hostname(), User: u.User.Username()}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil {
			return nil, nil, fmt.Errorf("port %q: %w", p, err)
		}
		cfg.Port = port
	}
	socket := defaultSocket
	if strings.TrimPrefix(u.Path, "/") != "" {
		socket = u.Path
	}
	c, release, err := cluster.DialSSH(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	dial := func(context.Context, string, string) (net.Conn, error) { return c.Dial("unix", socket) }
	return dial, release, nil
}

// NoEngineError is the failure to reach a Docker Engine.
type NoEngineError struct{ msg string }

func (e *NoEngineError) Error() string { return e.msg }

// IsNoEngine reports whether err says that no Docker Engine answers.
func IsNoEngine(err error) bool {
	var ne *NoEngineError
	return errors.As(err, &ne)
}
