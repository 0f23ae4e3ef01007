// Package pgtest starts a throwaway PostgreSQL server for tests: initdb into
// a new temporary directory, the server on a free loopback port with
// password authentication, stopped and deleted when the test ends. The
// server runs as the "postgres" user when the tests run as root (PostgreSQL
// refuses to run as root), as the current user otherwise. Tests skip, saying
// how to install it, where PostgreSQL is missing. For tests only.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// binDirs are where PostgreSQL's server programs are looked for, in order:
// $DUCKTAPE_PG_BIN, then Debian's PostgreSQL 15.
var binDirs = []string{os.Getenv("DUCKTAPE_PG_BIN"), "/usr/lib/postgresql/15/bin"}

// Server is a running throwaway PostgreSQL server. Its superuser is
// "postgres" with the random Password; it listens on 127.0.0.1:Port only.
type Server struct {
	Port     int
	Password string
	dir      string
	bin      string
	cred     *syscall.Credential
	cmd      *exec.Cmd
	exited   chan struct{}
	log      string // the server's log file
}

// Start initializes and starts a server, stopped and removed when tb ends.
// It skips tb when PostgreSQL is not installed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := findBin(tb)
	s := &Server{Password: randomHex(12), bin: bin}
	// Not tb.TempDir: its parents are private to root, and the server may
	// run as another user.
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		tb.Fatal(err)
	}
	s.dir = dir
	tb.Cleanup(func() { s.stop(tb); os.RemoveAll(dir) })
	cred, err := serverUser(dir)
	if err != nil {
		tb.Fatal(err)
	}
	s.cred = cred
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.Password+"\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := chown(pwfile, cred); err != nil {
		tb.Fatal(err)
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", s.data(), "-U", "postgres", "--pwfile", pwfile,
		"--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	os.Remove(pwfile)
	// A free port can be taken by someone else before the server binds it:
	// try a few.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if lastErr = s.start(freePort); lastErr == nil {
			return s
		}
	}
	tb.Fatalf("starting PostgreSQL: %v", lastErr)
	return nil
}

func findBin(tb testing.TB) string {
	tb.Helper()
	for _, dir := range binDirs {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir
		}
	}
	tb.Skip("PostgreSQL not found in /usr/lib/postgresql/15/bin (or $DUCKTAPE_PG_BIN): install Debian's postgresql (apt-get install -y postgresql) to run the PostgreSQL tests")
	return ""
}

// serverUser returns the credential the server runs with (nil: the
// current user's) and gives dir to that user.
func serverUser(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("the tests run as root and PostgreSQL refuses to: they run it as the user postgres, which is missing (%v)", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	return cred, chown(dir, cred)
}

func chown(path string, cred *syscall.Credential) error {
	if cred == nil {
		return nil
	}
	return os.Chown(path, int(cred.Uid), int(cred.Gid))
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// start runs the server on the port that port returns and waits until it
// accepts connections.
func (s *Server) start(port func() (int, error)) error {
	p, err := port()
	if err != nil {
		return err
	}
	s.Port = p
	s.log = filepath.Join(s.dir, "server.log")
	logFile, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", s.data(), "-p", strconv.Itoa(s.Port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+s.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The server dies with the test process, even when it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("the server exited on port %d:\n%s", s.Port, s.logTail())
		default:
		}
		if err = s.ping(); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("the server did not accept connections on port %d in 30 s (%v):\n%s", s.Port, err, s.logTail())
}

func (s *Server) ping() error {
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func (s *Server) logTail() string {
	data, _ := os.ReadFile(s.log)
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return string(data)
}

// URL is the connection URL of database db as the superuser, password
// included.
func (s *Server) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("postgres", s.Password), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// CreateDatabase creates an empty database and returns its URL.
func (s *Server) CreateDatabase(tb testing.TB, name string) string {
	tb.Helper()
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE "` + strings.ReplaceAll(name, `"`, `""`) + `"`); err != nil {
		tb.Fatalf("creating database %s: %v", name, err)
	}
	return s.URL(name)
}

// Kill ends the server at once (SIGKILL), as a crash or a lost machine
// would, and waits for it to exit.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
}

// Restart starts a server that Kill ended again, on the same port and
// data (it recovers from its write-ahead log, as after a crash). The killed
// server's backends take a moment to notice and exit, and PostgreSQL
// refuses to start while they hold its shared memory: it tries for 15 s.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	var err error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		if err = s.start(func() (int, error) { return s.Port, nil }); err == nil {
			return
		}
	}
	tb.Fatalf("restarting PostgreSQL: %v", err)
}

// stop shuts the server down (fast shutdown: SIGINT), killing it after 10 s.
func (s *Server) stop(tb testing.TB) {
	if s.cmd == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		tb.Logf("PostgreSQL did not stop in 10 s: killed")
		s.Kill()
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(errors.New("pgtest: no randomness: " + err.Error()))
	}
	return hex.EncodeToString(b)
}
