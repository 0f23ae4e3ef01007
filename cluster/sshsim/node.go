package sshsim

import (
	"fmt"
	"io"
	"net"
	pathpkg "path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
)

// Node is one simulated node: an in-memory file system, served over sftp
// and shared by the commands, and a table of simulated processes. Safe for
// concurrent use.
type Node struct {
	Addr string
	Port int

	files sftp.Handlers

	mu      sync.Mutex
	procs   map[int]*process
	nextPID int
}

// process is a simulated process: a session's shell (while its command
// runs) or a background start. killed is closed when it is killed.
type process struct {
	args   string
	killed chan struct{}
}

func newNode(addr *net.TCPAddr) *Node {
	return &Node{Addr: addr.IP.String(), Port: addr.Port, files: sftp.InMemHandler(), procs: map[int]*process{}, nextPID: 1000}
}

// spawn adds a process and returns its pid.
func (n *Node) spawn(args string) (int, *process) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nextPID++
	p := &process{args: args, killed: make(chan struct{})}
	n.procs[n.nextPID] = p
	return n.nextPID, p
}

// exit removes process pid, reporting whether it existed; with kill, a
// command it runs (sleep) returns.
func (n *Node) exit(pid int, kill bool) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	p, ok := n.procs[pid]
	if ok {
		delete(n.procs, pid)
		if kill {
			close(p.killed)
		}
	}
	return ok
}

// Processes returns how many simulated processes run on the node.
func (n *Node) Processes() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.procs)
}

var (
	// exports are the `export NAME=VALUE; ` statements the SSH account
	// puts before a command (the command's token, the test's owner mark):
	// they change nothing a simulated command does.
	exports = regexp.MustCompile(`^(?:export \w+=(?:'[^']*'|[^ ;]*); )+`)
	// background is a process started in the background with its output
	// appended to a log and its pid written to a file.
	background = regexp.MustCompile(`^(.+?) >> (\S+) 2>&1 & echo \$! > (\S+)$`)
	// killPidFile is `kill [-SIG] $(cat PIDFILE)`.
	killPidFile = regexp.MustCompile(`^kill (?:-\w+ )?\$\(cat (\S+)\)$`)
	// killPid is `kill -SIG [-]PID`, optionally followed by the `||
	// ! kill -0 PID` of a kill that tolerates an exited process.
	killPid = regexp.MustCompile(`^kill -\w+ -?(\d+)( .*)?$`)
	// aliveCheck is the SSH account's liveness check of one pid.
	aliveCheck = regexp.MustCompile(`^if \[ -d /proc/(\d+) \]`)
)

// exec runs cmd as the session's shell and returns its exit status.
func (n *Node) exec(cmd string, stdout, stderr io.Writer) int {
	pid, self := n.spawn(cmd)
	defer n.exit(pid, false)
	return n.Run(strings.TrimPrefix(cmd, exports.FindString(cmd)), stdout, stderr, self)
}

// Run interprets one simulated command (see the package doc) for the
// session whose shell is self.
func (n *Node) Run(cmd string, stdout, stderr io.Writer, self *process) int {
	if m := background.FindStringSubmatch(cmd); m != nil {
		pid, _ := n.spawn(m[1])
		n.write(m[2], []byte("started "+m[1]+"\n"), true)
		n.write(m[3], []byte(strconv.Itoa(pid)+"\n"), false)
		return 0
	}
	word, rest, _ := strings.Cut(cmd, " ")
	switch {
	case cmd == "true" || cmd == ":":
		return 0
	case word == "echo":
		fmt.Fprintln(stdout, unquote(rest))
		return 0
	case word == "cat" && !strings.Contains(rest, " "):
		data, ok := n.read(rest)
		if !ok {
			fmt.Fprintf(stderr, "cat: %s: No such file or directory\n", rest)
			return 1
		}
		stdout.Write(data)
		return 0
	case word == "sleep":
		secs, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			fmt.Fprintf(stderr, "sleep: invalid time interval %q\n", rest)
			return 1
		}
		select {
		case <-time.After(time.Duration(secs * float64(time.Second))):
			return 0
		case <-self.killed:
			return 137
		}
	case strings.Contains(cmd, "ps -ww"):
		n.list(stdout)
		return 0
	}
	if m := killPidFile.FindStringSubmatch(cmd); m != nil {
		data, _ := n.read(m[1])
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || !n.exit(pid, true) {
			fmt.Fprintf(stderr, "kill: no process in %s\n", m[1])
			return 1
		}
		return 0
	}
	if m := killPid.FindStringSubmatch(cmd); m != nil {
		pid, _ := strconv.Atoi(m[1])
		if !n.exit(pid, true) && m[2] == "" {
			fmt.Fprintf(stderr, "kill: (%d) - No such process\n", pid)
			return 1
		}
		return 0
	}
	if m := aliveCheck.FindStringSubmatch(cmd); m != nil {
		pid, _ := strconv.Atoi(m[1])
		n.mu.Lock()
		_, ok := n.procs[pid]
		n.mu.Unlock()
		if !ok {
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "sshsim: command not simulated: %s\n", cmd)
	return 127
}

// list prints the processes as `ps -o pid=,args=` does.
func (n *Node) list(w io.Writer) {
	n.mu.Lock()
	pids := make([]int, 0, len(n.procs))
	for pid := range n.procs {
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	var b strings.Builder
	for _, pid := range pids {
		fmt.Fprintf(&b, "%7d %s\n", pid, n.procs[pid].args)
	}
	n.mu.Unlock()
	fmt.Fprintf(&b, "%7d ps -ww -o pid=,args=\n", n.nextPID+1)
	io.WriteString(w, b.String())
}

// SFTP open flags (draft-ietf-secsh-filexfer-02, 6.3).
const (
	fxfRead  = 0x01
	fxfWrite = 0x02
	fxfCreat = 0x08
	fxfTrunc = 0x10
)

func absolute(path string) string { return pathpkg.Join("/", path) }

// read returns the contents of the file at path.
func (n *Node) read(path string) ([]byte, bool) {
	r := sftp.NewRequest("Get", absolute(path))
	r.Flags = fxfRead
	f, err := n.files.FileGet.Fileread(r)
	if err != nil {
		return nil, false
	}
	var data []byte
	buf := make([]byte, 32<<10)
	for off := int64(0); ; {
		k, err := f.ReadAt(buf, off)
		data, off = append(data, buf[:k]...), off+int64(k)
		if err != nil || k == 0 {
			return data, true
		}
	}
}

// write writes data to the file at path, creating it, truncating it first
// unless appending.
func (n *Node) write(path string, data []byte, appending bool) {
	r := sftp.NewRequest("Open", absolute(path))
	r.Flags = fxfWrite | fxfCreat
	if !appending {
		r.Flags |= fxfTrunc
	}
	f, err := n.files.FilePut.(sftp.OpenFileWriter).OpenFile(r)
	if err != nil {
		return
	}
	var off int64
	if sized, ok := f.(interface{ Size() int64 }); ok && appending {
		off = sized.Size()
	}
	f.WriteAt(data, off)
}

// unquote removes the single quotes of shell words.
func unquote(s string) string { return strings.ReplaceAll(s, "'", "") }
