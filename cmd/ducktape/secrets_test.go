package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/host/pgtest"
)

// TestPasswordsNeverPrinted runs the binary with --debug against a cluster
// file whose three nodes have a password: node1 accepts it (its key is not
// authorized, so the password logs in), node2 rejects it and node3 refuses
// connections. A test passes on node1 and two fail on the others; then a
// cluster file with a password of the wrong type is refused. The password
// must appear in no file of the results directory, nor on standard output
// or error.
func TestPasswordsNeverPrinted(t *testing.T) {
	const password = "pw-7f3a9c-never-printed"
	bin := hosttest.BuildDucktape(t)
	ns := sshtest.Start(t, 3)
	ns.AllowPassword(1, password)
	ns.AllowPassword(2, "another-password")
	ns.Stop(3)

	dir := t.TempDir()
	unauthorized := filepath.Join(dir, "id_unauthorized")
	sshtest.WriteKey(t, unauthorized)
	var file struct {
		Nodes []map[string]any `json:"nodes"`
	}
	data, err := os.ReadFile(ns.ClusterFile)
	if err == nil {
		err = json.Unmarshal(data, &file)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range file.Nodes {
		sc := n["ssh_config"].(map[string]any)
		sc["password"], sc["identityfile"] = password, unauthorized
	}
	data, _ = json.Marshal(file)
	clusterFile := hosttest.WriteFile(t, dir, "cluster.json", string(data))
	hosttest.WriteFile(t, dir, "tests/test_secrets.star", `
def node(ctx, name):
    return [n for n in ctx.cluster if n.name == name][0]

def test_password_login(ctx):
    ctx.logger.debug("cluster: %s" % ctx.cluster)
    assert.eq(node(ctx, "node1").account.ssh_output("echo logged in").strip(), "logged in")
cluster(test_password_login, num_nodes = 3)

def test_password_rejected(ctx):
    node(ctx, "node2").account.ssh("true")
cluster(test_password_rejected, num_nodes = 3)

def test_node_unreachable(ctx):
    node(ctx, "node3").account.ssh("true")
cluster(test_node_unreachable, num_nodes = 3)
`)
	results := filepath.Join(dir, "results")
	cmd := exec.Command(bin, "--debug", "--results-root", results, "--cluster-file", clusterFile, filepath.Join(dir, "tests"))
	cmd.Env = append(os.Environ(), "SSH_AUTH_SOCK=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != exitTestFailed {
		t.Fatalf("exit: %v; want %d (two tests fail)\n%s%s", err, exitTestFailed, stdout.String(), stderr.String())
	}
	out := stdout.String() + stderr.String()
	for _, want := range []string{"1 passed", "2 failed", "node2", "authentication failed", "node3", "connection refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, password) {
		t.Errorf("the password is printed:\n%s", out)
	}
	// A cluster file whose password has the wrong type: the error says
	// which field, without the value.
	bad := hosttest.WriteFile(t, dir, "bad.json", `{"nodes": [{"ssh_config": {"host": "a", "password": ["`+password+`"]}}]}`)
	badOut, err := exec.Command(bin, "--results-root", results, "--cluster-file", bad, filepath.Join(dir, "tests")).CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != exitUsage || !strings.Contains(string(badOut), "nodes[0].ssh_config.password: want a string") {
		t.Errorf("a password of the wrong type: exit %v, want %d and an error naming the field:\n%s", err, exitUsage, badOut)
	}
	if strings.Contains(string(badOut), password) {
		t.Errorf("the password of the wrong type is printed:\n%s", badOut)
	}
	assertNotInFiles(t, results, password, 10)
}

// assertNotInFiles fails t if a file under dir holds secret, or if fewer
// than min files were read.
func assertNotInFiles(t *testing.T, dir, secret string, min int) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err // directories, and the latest link
		}
		files++
		data, err := os.ReadFile(path)
		if err == nil && bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s holds the password:\n%s", path, data)
		}
		return err
	})
	if err != nil || files < min {
		t.Errorf("read %d files of the results directory: %v", files, err)
	}
}

// TestClientPasswordsNeverPrinted runs the binary with --debug on local
// nodes where PostgreSQL and MariaDB servers with a password run: SQL
// clients connect with it, with a wrong one (caught, and printed), and
// print themselves; the test fails on a wrong password at the end, so
// every log is collected. The password must appear in no file of the
// results directory, nor on standard output or error.
func TestClientPasswordsNeverPrinted(t *testing.T) {
	const password = "pw-5e1b77-client-never-printed"
	for _, bin := range []string{"/usr/lib/postgresql/15/bin/postgres", "/usr/sbin/mariadbd"} {
		if _, err := os.Stat(bin); err != nil {
			t.Skipf("%s is not installed (apt-get install -y postgresql mariadb-server)", bin)
		}
	}
	bin := hosttest.BuildDucktape(t)
	dir := t.TempDir()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	examples := filepath.Join(wd, "..", "..", "examples")
	hosttest.WriteFile(t, dir, "tests/test_client_secrets.star", `
load("@ducktape//clients", "sql")
load("`+examples+`/postgres/postgres.star", "postgres")
load("`+examples+`/mariadb/mariadb.star", "mariadb")

PASSWORD = "`+password+`"

def test_sql_passwords(ctx):
    pg = postgres(ctx, password = PASSWORD, port = 35432)
    my = mariadb(ctx, password = PASSWORD, port = 33306)
    parallel(lambda s: s.start(), [pg, my])
    clients = [
        sql.connect(pg.nodes[0], "postgres", port = 35432, password = PASSWORD),
        sql.connect(my.nodes[0], "mysql", port = 33306, password = PASSWORD, database = "test"),
    ]
    for c in clients:
        print(c)
        ctx.logger.debug("client: %s", c)
        print(catch(c.query, "SELECT nosuch"))
    print(catch(sql.connect, pg.nodes[0], "postgres", port = 35432, password = PASSWORD + "x"))
    sql.connect(my.nodes[0], "mysql", port = 33306, password = "x" + PASSWORD)
cluster(test_sql_passwords, num_nodes = 2)
`)
	results := filepath.Join(dir, "results")
	cmd := exec.Command(bin, "--debug", "--results-root", results, "--local-nodes", "2", filepath.Join(dir, "tests"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	out := stdout.String() + stderr.String()
	if exitErr, ok := err.(*exec.ExitError); !ok || exitErr.ExitCode() != exitTestFailed {
		t.Fatalf("exit: %v; want %d (the test fails)\n%s", err, exitTestFailed, out)
	}
	for _, want := range []string{"1 failed", "Access denied for user 'root'", "password authentication failed", "postgres connection to local"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, password) {
		t.Errorf("the password is printed:\n%s", out)
	}
	assertNotInFiles(t, results, password, 10)
}

// TestStorePasswordNeverPrinted: the password of a PostgreSQL results store,
// given in a configuration file, appears in no output of a run that records
// its session, of the trends commands (also with a wrong password, or the
// server gone), of the served pages, nor in any file of the results.
func TestStorePasswordNeverPrinted(t *testing.T) {
	server := pgtest.Start(t)
	location := server.CreateDatabase(t, "secrets")
	dir := t.TempDir()
	config := hosttest.WriteFile(t, dir, "config", "--store '"+location+"'\n--max-parallel 2\n")
	results := filepath.Join(dir, "results")
	var out strings.Builder
	run := func(want int, args ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, args...)
		out.WriteString(stdout + stderr)
		if code != want {
			t.Errorf("ducktape %v: exit %d, want %d\n%s%s", args, code, want, stdout, stderr)
		}
		return stdout + stderr
	}
	redacted := strings.Replace(location, server.Password, "xxxxx", 1)
	if got := run(exitOK, "--config-file", config, "--results-root", results, "--globals", `{"night": 1}`, nightlyDir); !strings.Contains(got, "recorded in the results store "+redacted+" (added)") {
		t.Errorf("the run did not record its session in the configured store:\n%s", got)
	}
	if got := run(exitOK, "trends", "--config-file", config, "flaky"); !strings.Contains(got, "over 1 session") {
		t.Errorf("trends flaky did not read the configured store:\n%s", got)
	}
	base, served := startServe(t, "--config-file", config, "--results-root", results)
	testPerf, _ := filepath.Abs(nightlyDir + "/test_nightly.star::test_perf")
	for _, path := range []string{"", "compare", "test?id=" + url.QueryEscape(testPerf)} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "xxxxx") || strings.Contains(string(body), server.Password) {
			t.Errorf("GET /%s: %d; the page shows the store %s", path, resp.StatusCode, map[bool]string{true: "with its password", false: "without it"}[strings.Contains(string(body), server.Password)])
		}
	}
	wrong := strings.Replace(location, server.Password, server.Password+"-wrong", 1)
	if got := run(exitUsage, "trends", "flaky", "--store", wrong); !strings.Contains(got, "password authentication failed") {
		t.Errorf("a wrong password: %s", got)
	}
	server.Kill()
	if got := run(exitTestFailed, "--config-file", config, "--results-root", results, "--globals", `{"night": 3}`, nightlyDir); !strings.Contains(got, "the session ran, but was not recorded: --store: results store "+redacted) {
		t.Errorf("the server gone: %s", got)
	}
	out.WriteString(served.String())
	if strings.Contains(out.String(), server.Password) {
		t.Errorf("the password is printed:\n%s", out.String())
	}
	err := filepath.WalkDir(results, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && bytes.Contains(data, []byte(server.Password)) {
			t.Errorf("%s holds the password", path)
		}
		return err
	})
	if err != nil {
		t.Error(err)
	}
}

// TestServeListensOnLoopback: without --addr, serve listens on
// 127.0.0.1:8080; on another address it warns that anyone who reaches it
// reads every result.
func TestServeListensOnLoopback(t *testing.T) {
	serve := newServeCommand(&globalState{})
	if def := serve.Flags().Lookup("addr").DefValue; def != "127.0.0.1:8080" {
		t.Errorf("serve --addr defaults to %q, want 127.0.0.1:8080", def)
	}
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	if code, out, errOut := runCLI(t, "--results-root", results, "--store", filepath.Join(results, "trends.db"), "--globals", `{"night": 1}`, nightlyDir); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// Any address of the machine: the warning (the page is served all the same).
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	gs := &globalState{ctx: ctx, args: []string{"serve", "--addr", "0.0.0.0:0", "--results-root", results}, stdout: out, stderr: out,
		getenv: func(string) string { return "" }, readFile: os.ReadFile, now: time.Now}
	done := make(chan int, 1)
	go func() { done <- execute(gs) }()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "serving") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != exitOK || !strings.Contains(out.String(), "not on loopback: anyone who reaches it reads every result") {
		t.Errorf("serve --addr 0.0.0.0:0: exit %d\n%s", code, out)
	}
	// No store: a clear error, and no store file made.
	code, _, errOut := runCLI(t, "serve", "--results-root", filepath.Join(dir, "none"))
	if code != exitUsage || !strings.Contains(errOut, "no results store at "+filepath.Join(dir, "none", "trends.db")+": import sessions into it first") {
		t.Errorf("serve without a store: exit %d\n%s", code, errOut)
	}
}
