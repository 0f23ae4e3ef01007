package docker

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// DefaultNodes is the size of a docker cluster without --docker-nodes.
const DefaultNodes = 8

// Options configure a docker cluster, as the --docker-* flags do.
type Options struct {
	// Nodes is the number of containers (default DefaultNodes).
	Nodes int
	// Image is the nodes' image; empty means the default image, built from
	// the driver's packages when the engine lacks it. Another image must
	// have /bin/sh and sshd (openssh-server).
	Image string
	// Packages are more of the driver's Debian packages to put into the
	// default image (--docker-packages), with their dependencies.
	Packages []string
	// Mounts are bind mounts into every node.
	Mounts []Mount
	// Keep leaves the containers and the network when the cluster closes.
	Keep bool
	// Privileged runs the containers privileged (they always get NET_ADMIN).
	Privileged bool
	// Log receives what the user should know (an image being built,
	// leftovers of killed sessions, how to enter kept nodes); nil discards.
	Log io.Writer
}

// Mount is one bind mount, as --docker-mount SRC:DST[:ro] gives it.
type Mount struct {
	Source, Target string
	ReadOnly       bool
}

// ParseMount parses SRC:DST[:ro]. SRC is made absolute against the current
// directory (the engine needs absolute paths); DST must be absolute.
func ParseMount(s string) (Mount, error) {
	parts := strings.Split(s, ":")
	m := Mount{}
	switch {
	case len(parts) == 3 && (parts[2] == "ro" || parts[2] == "rw"):
		m.ReadOnly = parts[2] == "ro"
	case len(parts) != 2:
		return Mount{}, fmt.Errorf("--docker-mount %q: want SRC:DST or SRC:DST:ro", s)
	}
	if parts[0] == "" || parts[1] == "" {
		return Mount{}, fmt.Errorf("--docker-mount %q: want SRC:DST or SRC:DST:ro", s)
	}
	src, err := filepath.Abs(parts[0])
	if err != nil {
		return Mount{}, fmt.Errorf("--docker-mount %q: %w", s, err)
	}
	if !strings.HasPrefix(parts[1], "/") {
		return Mount{}, fmt.Errorf("--docker-mount %q: the destination %q must be an absolute path", s, parts[1])
	}
	m.Source, m.Target = src, parts[1]
	return m, nil
}

// bind renders m as the engine's bind syntax.
func (m Mount) bind() string {
	if m.ReadOnly {
		return m.Source + ":" + m.Target + ":ro"
	}
	return m.Source + ":" + m.Target
}
