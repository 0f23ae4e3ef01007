package lazyfs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Ops are the operations a rule can act on, as disk_errors names them:
//
//	open     opening a file
//	read     reading
//	write    writing, truncating, allocating
//	fsync    fsync and fdatasync of a file or a directory
//	create   creating a file, directory, link or special file
//	rename   renaming
//	unlink   removing a file or directory
var Ops = []string{"open", "read", "write", "fsync", "create", "rename", "unlink"}

// Errnos are the errors a rule can make operations fail with.
var Errnos = map[string]syscall.Errno{"EIO": syscall.EIO, "ENOSPC": syscall.ENOSPC}

// errnoNames lists Errnos' keys in order, for messages.
var errnoNames = []string{"EIO", "ENOSPC"}

// op is an operation as rules see it: an index into Ops.
type op int

const (
	opOpen op = iota
	opRead
	opWrite
	opFsync
	opCreate
	opRename
	opUnlink
	numOps
)

// Rule makes operations under the mount fail, or take longer: each
// operation among Ops first waits DelayMs milliseconds, then fails with
// Errno (when set) with probability Probability.
type Rule struct {
	ID          int      `json:"id"`
	Ops         []string `json:"ops"`
	Errno       string   `json:"errno,omitempty"`
	Probability float64  `json:"probability,omitempty"`
	DelayMs     float64  `json:"delay_ms,omitempty"`
}

// Check says what is wrong with the rule, or returns nil: unknown
// operations or errno, a probability outside [0, 1], a negative or
// absurd delay, or a rule that does nothing.
func (r Rule) Check() error {
	if len(r.Ops) == 0 {
		return fmt.Errorf("no operations given (want some of %s)", strings.Join(Ops, ", "))
	}
	for _, o := range r.Ops {
		if !slices.Contains(Ops, o) {
			return fmt.Errorf("unknown operation %q (want some of %s)", o, strings.Join(Ops, ", "))
		}
	}
	if r.Errno != "" {
		if _, ok := Errnos[r.Errno]; !ok {
			return fmt.Errorf("unknown errno %q (want one of %s)", r.Errno, strings.Join(errnoNames, ", "))
		}
	}
	if !(r.Probability >= 0 && r.Probability <= 1) { // also refuses NaN
		return fmt.Errorf("probability must be between 0 and 1, not %g", r.Probability)
	}
	if !(r.DelayMs >= 0 && r.DelayMs <= maxDelayMs) {
		return fmt.Errorf("the delay must be between 0 and %d ms, not %g", maxDelayMs, r.DelayMs)
	}
	if r.Errno == "" && r.DelayMs == 0 {
		return fmt.Errorf("the rule neither fails nor delays anything")
	}
	return nil
}

// maxDelayMs bounds a rule's delay: an hour.
const maxDelayMs = 3_600_000

// ruleSet is the rules in effect, compiled: immutable once made, so that
// operations read it without a lock.
type ruleSet struct {
	rules []Rule
	delay [numOps]time.Duration
	fails [numOps][]failure
}

type failure struct {
	errno syscall.Errno
	p     float64
}

// compile makes the ruleSet of rules (checked already).
func compile(rules []Rule) *ruleSet {
	s := &ruleSet{rules: rules}
	for _, r := range rules {
		for _, name := range r.Ops {
			o := slices.Index(Ops, name)
			s.delay[o] += time.Duration(r.DelayMs * float64(time.Millisecond))
			if r.Errno != "" {
				s.fails[o] = append(s.fails[o], failure{Errnos[r.Errno], r.Probability})
			}
		}
	}
	return s
}

// apply delays operation o as the rules say, then returns the error it
// must fail with, or 0.
func (s *ruleSet) apply(o op) syscall.Errno {
	if s == nil {
		return 0
	}
	if d := s.delay[o]; d > 0 {
		time.Sleep(d)
	}
	for _, f := range s.fails[o] {
		if f.p >= 1 || rand.Float64() < f.p {
			return f.errno
		}
	}
	return 0
}
