package cluster

import (
	"fmt"
	"strings"
)

// SSHDConfig is the OpenSSH server configuration of the nodes ducktape runs
// itself (docker nodes, and the sshd nodes of its tests): key login only,
// to the keys in authorizedKeys, for any user including root; no PAM (so
// accounts without a password are accepted); SFTP; TCP forwarding (for
// ProxyJump); room for many pooled sessions at once. listen "" means every
// address; logLevel is sshd's LogLevel (e.g. "ERROR", "INFO").
func SSHDConfig(listen string, port int, hostKey, authorizedKeys, logLevel string) string {
	var b strings.Builder
	if listen != "" {
		fmt.Fprintf(&b, "ListenAddress %s\n", listen)
	}
	fmt.Fprintf(&b, `Port %d
HostKey %s
PidFile none
AuthorizedKeysFile %s
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
UseDNS no
AllowTcpForwarding yes
MaxStartups 200:30:400
LogLevel %s
Subsystem sftp internal-sftp
`, port, hostKey, authorizedKeys, logLevel)
	return b.String()
}
