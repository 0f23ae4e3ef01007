package check

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ducktape-go/ducktape/host/history"
)

// maxNamed bounds how many operations and keys a summary names.
const maxNamed = 5

// dead is a partition whose search ended without a linearization: the
// longest linearizable prefix porcupine found, the state after it, and the
// operations that could have come next, none of which can.
type dead struct {
	prefix   []*call
	state    string
	blocking *call   // the remaining operation that returned first
	next     []*call // the remaining operations called before it returned, by call time
}

// explain names, in words, the first operations that cannot be linearized:
// for the partition that fails earliest, the state after the longest
// linearizable prefix and why each operation that could go next cannot.
func explain(m *model, parts [][]porcupine.Operation, info porcupine.LinearizationInfo) string {
	partials := info.PartialLinearizationsOperations()
	var deads []dead
	for p, ops := range parts {
		if d, ok := deadEnd(m, ops, partials[p]); ok {
			deads = append(deads, d)
		}
	}
	if len(deads) == 0 { // a search cut short by the time limit is no dead end
		return "no linearization found before the time limit"
	}
	sort.SliceStable(deads, func(i, j int) bool { return earlier(deads[i], deads[j]) })
	d := deads[0]
	var b strings.Builder
	if m.partitioned {
		fmt.Fprintf(&b, "key %s: ", d.blocking.key)
	}
	if len(d.prefix) == 0 {
		fmt.Fprintf(&b, "in the initial state %s", m.showState(d.state))
	} else {
		last := d.prefix[len(d.prefix)-1]
		fmt.Fprintf(&b, "after %s linearize (the last: %s) the state is %s", plural(len(d.prefix), "operation"),
			describeOp(m, last), truncate(m.showState(d.state)))
	}
	if len(d.next) == 1 {
		fmt.Fprintf(&b, ", and %s cannot come next: %s", describeOp(m, d.next[0]), truncate(m.why(d.state, d.next[0])))
	} else {
		fmt.Fprintf(&b, ", and none of the %d operations that could come next before %s returns can:", len(d.next),
			describeOp(m, d.blocking))
		for i, c := range d.next {
			if i == maxNamed {
				fmt.Fprintf(&b, " (and %d more)", len(d.next)-maxNamed)
				break
			}
			fmt.Fprintf(&b, " %s: %s;", describeOp(m, c), truncate(m.why(d.state, c)))
		}
	}
	out := strings.TrimSuffix(b.String(), ";")
	if len(deads) > 1 {
		keys := make([]string, 0, len(deads)-1)
		for _, o := range deads[1:] {
			keys = append(keys, o.blocking.key)
		}
		keys = sortForPeople(keys)
		if len(keys) > maxNamed {
			keys = append(keys[:maxNamed], fmt.Sprintf("and %d more", len(keys)-maxNamed))
		}
		noun := "key"
		if len(deads) > 2 {
			noun = "keys"
		}
		out += fmt.Sprintf(". Also not linearizable: %s %s", noun, strings.Join(keys, ", "))
	}
	return out
}

// deadEnd finds a partition's dead end, if its search ended without a
// complete linearization. Of the longest linearizable prefixes porcupine
// found, it takes the one whose blocking operation returns first (then the
// one with the earliest operations), so the summary does not depend on
// search order. A prefix after which an operation could still come next
// means the search was cut short by the time limit, not refuted: no dead
// end.
func deadEnd(m *model, ops []porcupine.Operation, partials [][]porcupine.Operation) (dead, bool) {
	longest := 0
	for _, l := range partials {
		longest = max(longest, len(l))
	}
	if longest == len(ops) {
		return dead{}, false
	}
	if len(partials) == 0 { // not even a first operation linearizes
		partials = [][]porcupine.Operation{nil}
	}
	var best dead
	found := false
	for _, l := range partials {
		if len(l) != longest {
			continue
		}
		d, refuted := deadAfter(m, ops, l)
		if !refuted {
			return dead{}, false
		}
		if !found || earlier(d, best) {
			best, found = d, true
		}
	}
	return best, found
}

// deadAfter replays prefix and finds the operations that could come next;
// refuted is false when one of them can.
func deadAfter(m *model, ops, prefix []porcupine.Operation) (d dead, refuted bool) {
	d.state = m.init
	in := map[*call]bool{}
	for _, op := range prefix {
		c := op.Input.(*call)
		in[c] = true
		d.prefix = append(d.prefix, c)
		_, d.state = m.step(d.state, c)
	}
	var rest []*call
	for _, op := range ops {
		if c := op.Input.(*call); !in[c] {
			rest = append(rest, c)
			if d.blocking == nil || returnOf(c) < returnOf(d.blocking) {
				d.blocking = c
			}
		}
	}
	for _, c := range rest {
		if c.op.Call <= returnOf(d.blocking) {
			if ok, _ := m.step(d.state, c); ok {
				return dead{}, false
			}
			d.next = append(d.next, c)
		}
	}
	sort.SliceStable(d.next, func(i, j int) bool { return d.next[i].op.Call < d.next[j].op.Call })
	return d, true
}

// earlier orders dead ends: blocking operation's return, then the prefixes'
// operations by history index.
func earlier(a, b dead) bool {
	if ra, rb := returnOf(a.blocking), returnOf(b.blocking); ra != rb {
		return ra < rb
	}
	for i := range a.prefix {
		if a.prefix[i].op.Index != b.prefix[i].op.Index {
			return a.prefix[i].op.Index < b.prefix[i].op.Index
		}
	}
	return false
}

// returnOf is when c's effect must have happened by: its return, or never
// for an operation whose outcome is unknown.
func returnOf(c *call) time.Duration {
	if c.unknown {
		return math.MaxInt64
	}
	return c.op.Return
}

// describeOp renders an operation in words: who, what, when.
func describeOp(m *model, c *call) string {
	when := fmt.Sprintf("[%s, %s]", seconds(c.op.Call), seconds(c.op.Return))
	switch {
	case c.op.Type == history.Info && c.op.Return < 0:
		when = fmt.Sprintf("[%s, never completed]", seconds(c.op.Call))
	case c.unknown:
		when = fmt.Sprintf("[%s, unknown (info at %s)]", seconds(c.op.Call), seconds(c.op.Return))
	}
	return fmt.Sprintf("process %d %s %s", c.op.Process, truncate(m.describe(c)), when)
}

// plural renders "1 operation", "2 operations".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3fs", d.Seconds()) }

// truncate keeps summaries readable when values (sets) are large.
func truncate(s string) string {
	const limit = 200
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
