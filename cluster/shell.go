package cluster

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// What providers whose commands run in a remote POSIX shell share: the
// process-group kill of a cancelled command, and process lookups with ps.

// pgidMarker starts the line the remote shell prints first: its pid, which
// is also its process group (sshd makes every session's shell a session
// leader, and so does runc every process it execs in a container). A
// cancelled command's whole group is killed through it.
const pgidMarker = "\x1educktape-pgid "

// PgidScript returns cmd preceded by the line that reports the shell's pid
// to a [PgidSniffer].
func PgidScript(cmd string) string { return `printf '` + pgidMarker + `%d\n' $$; ` + cmd }

// KillGroupCmd is the shell command that SIGKILLs process group pgid.
func KillGroupCmd(pgid int) string {
	return fmt.Sprintf("kill -KILL -%d", pgid) // dash's kill takes no "--"
}

// NewPgidSniffer returns a sniffer that writes the output to w.
func NewPgidSniffer(w io.Writer) *PgidSniffer {
	return &PgidSniffer{w: w, found: make(chan int, 1)}
}

// Found delivers the shell's pid once its marker line has passed.
func (p *PgidSniffer) Found() <-chan int { return p.found }

// pidsCmd lists processes with their full command lines, for Pids to match
// here: pgrep -f would put the pattern in its own command line, where a
// concurrent lookup of the same pattern (two threads of a test, or two
// services on one host) would find and signal it. A non-root login sees
// only its own processes (it could not signal others anyway), which also
// keeps nodes that share a machine under distinct users apart; root sees
// every process. The state column lets zombies be left out: a killed
// process whose parent has not reaped it yet (PID 1 on many machines reaps
// orphans late) is not running, though ps lists it.
const pidsCmd = `u=$(id -u); if [ "$u" = 0 ]; then exec ps -ww -eo pid=,stat=,args=; else exec ps -ww -o pid=,stat=,args= -u "$u"; fi`

// psSelf is how the listing's own ps process appears in it.
const psSelf = "ps -ww "

// PsPids implements [Account.Pids] with ps(1) on any account whose Exec
// runs a POSIX shell with procps' ps, matching the command lines here.
func PsPids(ctx context.Context, a Account, pattern string) ([]int, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("bad process pattern %q: %w", pattern, err)
	}
	var out, errOut bytes.Buffer
	status, err := a.Exec(ctx, pidsCmd, &out, &errOut)
	if err != nil {
		return nil, err
	}
	if status != 0 {
		return nil, fmt.Errorf("listing processes with ps exited with status %d: %s", status, strings.TrimSpace(errOut.String()))
	}
	var pids []int
	for _, line := range strings.Split(out.String(), "\n") {
		pidText, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
		state, args, _ := strings.Cut(strings.TrimSpace(rest), " ")
		args = strings.TrimSpace(args)
		if pidText == "" || strings.HasPrefix(state, "Z") || strings.HasPrefix(args, psSelf) || !re.MatchString(args) {
			continue
		}
		pid, err := strconv.Atoi(pidText)
		if err != nil {
			return nil, fmt.Errorf("ps printed %q", line)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// PgidSniffer passes a command's stdout through, less the marker line of
// [PgidScript] that carries the shell's pid, which it sends on Found. Lines
// a login script prints before the marker pass through; after maxSniff
// bytes without it, sniffing stops. Safe for concurrent use.
type PgidSniffer struct {
	w     io.Writer
	found chan int

	mu   sync.Mutex
	buf  []byte
	done bool
}

const maxSniff = 4096

func (p *PgidSniffer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return p.w.Write(b)
	}
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			if len(p.buf) > maxSniff {
				return len(b), p.flush()
			}
			return len(b), nil
		}
		line := p.buf[:i]
		if rest, ok := bytes.CutPrefix(line, []byte(pgidMarker)); ok {
			if pid, err := strconv.Atoi(string(rest)); err == nil {
				p.found <- pid
			}
			p.buf = p.buf[i+1:]
			return len(b), p.flush()
		}
		if _, err := p.w.Write(p.buf[:i+1]); err != nil {
			return 0, err
		}
		p.buf = p.buf[i+1:]
	}
}

// flush stops sniffing and writes what is held.
func (p *PgidSniffer) flush() error {
	p.done = true
	if len(p.buf) == 0 {
		return nil
	}
	_, err := p.w.Write(p.buf)
	p.buf = nil
	return err
}
