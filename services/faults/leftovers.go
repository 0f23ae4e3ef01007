package faults

import (
	"context"
	"strings"

	"github.com/ducktape-go/ducktape/cluster"
)

// leftoversCmd prints the iptables rules tagged by ducktape and the qdiscs
// a delay installs, with sudo unless root.
const leftoversCmd = pathPrefix + `[ "$(id -u)" = 0 ] && s= || s="sudo -n "
{ ${s}iptables-save 2>/dev/null | grep -e '--comment "\?ducktape-'; ${s}tc qdisc show 2>/dev/null | grep ' ` + delayHandle + ` '; } || true`

// Leftovers returns what fault injection has left on n, one line each:
// iptables rules tagged "ducktape-..." (by any test) and qdiscs with the
// delay's handle. After a test's teardown it is empty.
func Leftovers(ctx context.Context, n *cluster.Node) ([]string, error) {
	out, err := n.Account.Output(ctx, leftoversCmd, cluster.OutputOptions{})
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return lines, nil
}
