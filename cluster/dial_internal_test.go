package cluster

import "testing"

// TestDirectRoute is the rule of docs/clusters.md, "How the driver
// reaches services".
func TestDirectRoute(t *testing.T) {
	jump := &sshTarget{hostname: "bastion"}
	for _, c := range []struct {
		hostname, eri string
		jumps         []*sshTarget
		direct        bool
	}{
		{"10.0.0.11", "10.0.0.11", nil, true},
		{"127.0.0.101", "127.0.0.101", nil, true},             // sshtest nodes: this machine's other loopback addresses
		{"worker1", "worker1", nil, true},                     // a name the driver resolves as the nodes do
		{"10.0.0.11", "10.0.0.11", []*sshTarget{jump}, false}, // behind a bastion
		{"203.0.113.5", "10.0.0.11", nil, false},              // public SSH address, private service address
		{"127.0.0.1", "10.99.0.2", nil, false},                // a remote docker engine's published port
		{"127.0.0.1", "127.0.0.1", nil, false},                // Vagrant's NAT forward
		{"::1", "::1", nil, false},
		{"localhost", "localhost", nil, false},
	} {
		if got := directRoute(&sshTarget{hostname: c.hostname, jumps: c.jumps}, c.eri); got != c.direct {
			t.Errorf("HostName %s, externally_routable_ip %s, %d jumps: direct = %v, want %v", c.hostname, c.eri, len(c.jumps), got, c.direct)
		}
	}
}
