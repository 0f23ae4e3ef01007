package cluster

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// OpenVagrant builds an SSH cluster of the machines that `vagrant
// ssh-config`, run in the current directory, describes: one node per Host
// block, named by it, with its HostName, User, Port, IdentityFile,
// UserKnownHostsFile, StrictHostKeyChecking and ProxyJump. A node's
// externally routable IP is its HostName.
func OpenVagrant() (*Cluster, error) {
	cmd := exec.Command("vagrant", "ssh-config")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("--cluster vagrant: running vagrant ssh-config: %v\n%s", err, strings.TrimSpace(stderr.String()))
	}
	nodes, err := parseVagrantSSHConfig(out)
	if err != nil {
		return nil, fmt.Errorf("--cluster vagrant: vagrant ssh-config output: %w", err)
	}
	return NewSSH(nodes, "vagrant ssh-config")
}

// parseVagrantSSHConfig reads OpenSSH client configuration as `vagrant
// ssh-config` prints it: "Host name" lines, each followed by indented
// "Key value" lines. Unused keys are ignored.
func parseVagrantSSHConfig(out []byte) ([]SSHNode, error) {
	var nodes []SSHNode
	sc := bufio.NewScanner(bytes.NewReader(out))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		key, val, _ := strings.Cut(text, " ")
		key, val = strings.ToLower(key), strings.Trim(strings.TrimSpace(val), `"`)
		if key == "host" {
			nodes = append(nodes, SSHNode{SSH: SSHConfig{Host: val}})
			continue
		}
		if len(nodes) == 0 {
			return nil, fmt.Errorf("line %d: %q before the first Host", line, text)
		}
		c := &nodes[len(nodes)-1].SSH
		switch key {
		case "hostname":
			c.HostName = val
			nodes[len(nodes)-1].ExternallyRoutableIP = val
		case "user":
			c.User = val
		case "port":
			p, err := strconv.Atoi(val)
			if err != nil || p < 1 || p > 65535 {
				return nil, fmt.Errorf("line %d: bad Port %q", line, val)
			}
			c.Port = p
		case "identityfile":
			c.IdentityFiles = append(c.IdentityFiles, val)
		case "userknownhostsfile":
			c.KnownHostsFiles = strings.Fields(val)
		case "stricthostkeychecking":
			c.StrictHostKeyChecking = strings.ToLower(val)
		case "proxyjump":
			c.ProxyJump = val
		}
	}
	if len(nodes) == 0 {
		return nil, errNoNodes
	}
	return nodes, sc.Err()
}
