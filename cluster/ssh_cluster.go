package cluster

import (
	"errors"
	"fmt"
)

// SSHNode describes one node of an SSH cluster, as a cluster file or
// `vagrant ssh-config` gives it.
type SSHNode struct {
	SSH                  SSHConfig
	ExternallyRoutableIP string // default: the resolved HostName
	NodeType             string
	OS                   string // default "linux"
}

// NewSSH makes a cluster of SSH nodes. Each node is named by its Host alias
// (its address when it has none); names must be unique. Settings are
// resolved against ~/.ssh/config and identity files loaded now, but nothing
// is dialled until a node is first used. where names the source (a file)
// in errors, which also name the node's index and field.
func NewSSH(nodes []SSHNode, where string) (*Cluster, error) {
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%s: no nodes", where)
	}
	user, err := loadUserSSHConfig()
	if err != nil {
		return nil, fmt.Errorf("reading ~/.ssh/config: %w", err)
	}
	seen := map[string]int{}
	var known knownHostsFiles // one parse of each known_hosts file for every node
	var built []*Node
	fail := func(err error) (*Cluster, error) {
		for _, n := range built {
			n.Account.Account().Close()
		}
		return nil, err
	}
	for i, n := range nodes {
		t, err := user.resolve(n.SSH, nil)
		if err != nil {
			return fail(fmt.Errorf("%s: nodes[%d].ssh_config: %w", where, i, err))
		}
		if j, dup := seen[t.name]; dup {
			return fail(fmt.Errorf("%s: nodes[%d].ssh_config.host: %q is also nodes[%d]'s; node names must be unique", where, i, t.name, j))
		}
		seen[t.name] = i
		d, err := newSSHDialer(t, &known)
		if err != nil {
			return fail(fmt.Errorf("%s: nodes[%d].ssh_config: %w", where, i, err))
		}
		ip := n.ExternallyRoutableIP
		if ip == "" {
			ip = t.hostname
		}
		os := n.OS
		if os == "" {
			os = "linux"
		}
		info := AccountInfo{Hostname: t.name, SSHHostname: t.hostname, User: t.user, ExternallyRoutableIP: ip}
		built = append(built, &Node{Name: t.name, OS: os, NodeType: n.NodeType, Account: NewRemoteAccount(t.name, newSSHAccount(info, d))})
	}
	return New(built, nil), nil
}

// errNoNodes is returned for a cluster source that lists no node.
var errNoNodes = errors.New("no nodes")
