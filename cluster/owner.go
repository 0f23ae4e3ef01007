package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// OwnerEnv is the environment variable that marks every process a test
// starts on a node, on every provider: each command of an [Owner] runs
// after `export DUCKTAPE_OWNER=<driver id>/<n>-<test id>`, so the command
// and every process it starts inherit it, including the ones that leave
// its process group or session (setsid, nohup ... &, double forks).
// Processes that clear their environment (env -i, some daemons' own
// supervisors) escape the mark.
const OwnerEnv = "DUCKTAPE_OWNER"

// Owner is one test's claim on the processes it starts: every command run
// under a context carrying it (see [WithOwner]) marks its processes with
// the owner's id, and [Owner.KillLeftovers] kills what is left of them on
// the nodes it ran commands on. Marking costs nothing per command beyond
// the export in the command's text; the nodes are visited only when the
// test ends. Safe for concurrent use.
type Owner struct {
	id      string // the value of OwnerEnv, of characters that need no shell quoting
	tracker *leftoverTracker

	mu    sync.Mutex
	nodes []*RemoteAccount // touched and not yet cleaned, in first-use order
}

// ownerKey is the context key of the Owner.
type ownerKey struct{}

// WithOwner returns ctx carrying o: the commands that RemoteAccount runs
// under it are o's. A nil o returns ctx unchanged.
func WithOwner(ctx context.Context, o *Owner) context.Context {
	if o == nil {
		return ctx
	}
	return context.WithValue(ctx, ownerKey{}, o)
}

func ownerOf(ctx context.Context) *Owner {
	o, _ := ctx.Value(ownerKey{}).(*Owner)
	return o
}

// unsafeInID matches what an owner id does not keep of a test id.
var unsafeInID = regexp.MustCompile(`[^A-Za-z0-9._:@+=-]+`)

// maxIDName bounds the test-id part of an owner id.
const maxIDName = 80

// NewOwner returns a new owner for the test (or session) called name,
// unique to this cluster and so to this driver.
func (c *Cluster) NewOwner(name string) *Owner {
	t := c.leftovers
	n := t.seq.Add(1)
	name = unsafeInID.ReplaceAllString(name, "_")
	if len(name) > maxIDName {
		name = name[:maxIDName]
	}
	return &Owner{id: t.driver + "/" + strconv.FormatInt(n, 10) + "-" + name, tracker: t}
}

// ID returns the owner's mark, the value of OwnerEnv in its processes.
func (o *Owner) ID() string { return o.id }

// mark returns cmd, run as o's on a (which o remembers).
func (o *Owner) mark(a *RemoteAccount, cmd string) string {
	o.mu.Lock()
	known := false
	for _, n := range o.nodes {
		if n == a {
			known = true
			break
		}
	}
	if !known {
		o.nodes = append(o.nodes, a)
	}
	o.mu.Unlock()
	if !known {
		o.tracker.add(o)
	}
	return "export " + OwnerEnv + "='" + o.id + "'; " + cmd
}

// Leftover is what KillLeftovers found still running on one node.
type Leftover struct {
	Node string
	Pids []int // killed
}

// KillLeftovers SIGKILLs, on every node the owner ran commands on, every
// process still marked with its id, and nothing else: processes of other
// tests and of other drivers carry other ids. It visits the nodes in
// parallel, one command each, and returns what it killed, in node order.
// A node it cannot reach is an error naming it; its processes stay the
// owner's, and the cluster's Close tries again.
func (o *Owner) KillLeftovers(ctx context.Context) ([]Leftover, error) {
	o.mu.Lock()
	nodes := append([]*RemoteAccount(nil), o.nodes...)
	o.mu.Unlock()
	found, failed := killOnNodes(ctx, nodes, ownerMatch(o.id))
	o.mu.Lock()
	o.nodes = failedOnly(o.nodes, failed)
	clean := len(o.nodes) == 0
	o.mu.Unlock()
	if clean {
		o.tracker.remove(o)
	}
	return found, joinFailures(nodes, failed)
}

// leftoverTracker is a cluster's record of its owners that may have
// processes left. Safe for concurrent use.
type leftoverTracker struct {
	driver string // this cluster's id, the first part of its owners' ids
	seq    atomic.Int64

	mu     sync.Mutex
	owners map[*Owner]bool
}

func newLeftoverTracker() *leftoverTracker {
	return &leftoverTracker{driver: "dt" + randomHex(6), owners: map[*Owner]bool{}}
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

func (t *leftoverTracker) add(o *Owner) {
	t.mu.Lock()
	t.owners[o] = true
	t.mu.Unlock()
}

func (t *leftoverTracker) remove(o *Owner) {
	t.mu.Lock()
	delete(t.owners, o)
	t.mu.Unlock()
}

// closeKillTimeout bounds the kill of leftovers at a cluster's Close.
const closeKillTimeout = 30 * time.Second

// killAll kills every process of this driver on the nodes of owners not
// cleaned yet (whose test never ended, or whose node was unreachable at
// its end), for Cluster.Close.
func (t *leftoverTracker) killAll() error {
	t.mu.Lock()
	var nodes []*RemoteAccount
	seen := map[*RemoteAccount]bool{}
	for o := range t.owners {
		o.mu.Lock()
		for _, n := range o.nodes {
			if !seen[n] {
				seen[n] = true
				nodes = append(nodes, n)
			}
		}
		o.mu.Unlock()
	}
	t.owners = map[*Owner]bool{}
	t.mu.Unlock()
	if len(nodes) == 0 {
		return nil
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].node < nodes[j].node })
	ctx, cancel := context.WithTimeout(context.Background(), closeKillTimeout)
	defer cancel()
	_, failed := killOnNodes(ctx, nodes, driverMatch(t.driver))
	return joinFailures(nodes, failed)
}

// An envMatch is the grep(1) options and pattern that select the marked
// environment entries in /proc/<pid>/environ files.
type envMatch string

// ownerMatch selects the processes of one owner: the whole entry, fixed.
func ownerMatch(id string) envMatch { return envMatch("-xF '" + OwnerEnv + "=" + id + "'") }

// driverMatch selects the processes of every owner of one driver.
func driverMatch(driver string) envMatch { return envMatch("'^" + OwnerEnv + "=" + driver + "/'") }

// killPassesRemote is how many times the kill scans a node, because one
// scan can miss a process being forked by one being killed.
const killPassesRemote = 3

// killScript prints and SIGKILLs, in killPassesRemote scans 50 ms apart,
// the processes whose environment has an entry that m selects. It runs
// unmarked, so neither it nor its grep is among them; a process it cannot
// read (another user's, without root) is skipped, as it could not be
// killed. Zombies have an empty environment and are not matched.
func killScript(m envMatch) string {
	return fmt.Sprintf(`for i in %s; do `+
		`p=$(grep -lsz %s /proc/[0-9]*/environ | sed 's,^/proc/,,;s,/environ$,,'); `+
		`[ -n "$p" ] || break; echo $p; kill -KILL $p 2>/dev/null; sleep 0.05; done`,
		strings.TrimSpace(strings.Repeat("x ", killPassesRemote)), m)
}

// killOnNodes runs killScript(m) on every node at once. It returns what it
// killed on each node where it did (in node order) and the errors of the
// nodes it could not run it on.
func killOnNodes(ctx context.Context, nodes []*RemoteAccount, m envMatch) ([]Leftover, map[*RemoteAccount]error) {
	var mu sync.Mutex
	var found []Leftover
	failed := map[*RemoteAccount]error{}
	var wg sync.WaitGroup
	for _, a := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pids, err := a.killMarked(ctx, m)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				failed[a] = err
			case len(pids) > 0:
				found = append(found, Leftover{Node: a.node, Pids: pids})
			}
		}()
	}
	wg.Wait()
	sort.Slice(found, func(i, j int) bool { return found[i].Node < found[j].Node })
	return found, failed
}

// killMarked runs killScript(m) on the node, unmarked, and returns the
// distinct pids it killed.
func (a *RemoteAccount) killMarked(ctx context.Context, m envMatch) ([]int, error) {
	var out lockedBuffer
	tail := newTailBuffer(outputTailBytes)
	cmd := killScript(m)
	status, err := a.acct.Exec(ctx, cmd, &out, tail)
	if err != nil {
		return nil, &NodeError{Node: a.node, Op: "killing leftover processes", Err: err}
	}
	if status != 0 {
		return nil, &CommandError{Node: a.node, Command: cmd, ExitStatus: status, Tail: tail.Lines(tailLines)}
	}
	seen := map[int]bool{}
	var pids []int
	for _, f := range strings.Fields(out.String()) {
		if pid, err := strconv.Atoi(f); err == nil && !seen[pid] {
			seen[pid] = true
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids, nil
}

// failedOnly keeps the nodes of list that failed.
func failedOnly(list []*RemoteAccount, failed map[*RemoteAccount]error) []*RemoteAccount {
	var keep []*RemoteAccount
	for _, a := range list {
		if failed[a] != nil {
			keep = append(keep, a)
		}
	}
	return keep
}

// joinFailures joins the errors of failed in the order of nodes.
func joinFailures(nodes []*RemoteAccount, failed map[*RemoteAccount]error) error {
	var errs []error
	for _, a := range nodes {
		if err := failed[a]; err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
