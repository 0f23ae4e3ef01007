package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/cluster/sshtest"
	"github.com/ducktape-go/ducktape/host/hosttest"
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
