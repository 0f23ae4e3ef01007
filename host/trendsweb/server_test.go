package trendsweb

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ducktape-go/ducktape/host/hosttest"
	"github.com/ducktape-go/ducktape/host/resultstore"
)

const secret = "secret-outside-the-results-root"

// serveFixture makes a results root of four sessions of one test (its
// x_ms steps up in the last), imported into a SQLite store, beside files
// outside it that links inside point to; it serves it and returns the
// server's URL.
func serveFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	root := filepath.Join(dir, "results")
	hosttest.WriteFile(t, dir, "secret.txt", secret)
	hosttest.WriteFile(t, dir, "outside/secret.txt", secret)
	store, err := resultstore.Open(context.Background(), filepath.Join(root, "trends.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	for i, x := range []int{10, 11, 10, 30} {
		id := fmt.Sprintf("2026-12-0%d--001", i+1)
		status := "PASS"
		if i == 2 {
			status = "FAIL"
		}
		hosttest.WriteFile(t, root, id+"/report.html", "<html>report of "+id+"</html>")
		hosttest.WriteFile(t, root, id+"/t/test_log.info", "log of "+id)
		report := hosttest.WriteFile(t, root, id+"/report.json", fmt.Sprintf(`{"session_id": %q, "start_time": %d, "results": [
			{"test_id": "t.star::test_a", "test_status": %q, "summary": "Traceback\nError: <script>alert(1)</script>", "data": {"x_ms": %d}},
			{"test_id": "t.star::test_b", "test_status": "PASS", "data": {"ops_per_sec": 5}}]}`, id, 1000*(i+1), status, x))
		s, err := resultstore.ReadSession(report)
		if err == nil {
			_, err = store.Import(context.Background(), s)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"latest":              "2026-12-04--001",
		"link-out":            "../secret.txt",
		"dir-out":             "../outside",
		"absolute-out":        filepath.Join(dir, "secret.txt"),
		"2026-12-01--001/up":  "../../outside",
		"2026-12-01--001/etc": "/etc",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	web, err := New(store, root, 30)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { web.Close() })
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = web.Handler(srv.Listener.Addr())
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// raw sends path as it is (no client cleans or escapes it) with host, and
// returns the status and the body.
func raw(t *testing.T, base, method, path, host string) (int, string) {
	t.Helper()
	addr := strings.TrimPrefix(base, "http://")
	if host == "" {
		host = addr
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", method, path, host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestNothingOutsideTheRoot asks for files outside the results root every
// way a path can say it: none is served; files inside it, also through
// the latest link, are.
func TestNothingOutsideTheRoot(t *testing.T) {
	base := serveFixture(t)
	for _, path := range []string{
		"/results/../secret.txt", "/results/%2e%2e/secret.txt", "/results/%2E%2E%2Fsecret.txt", "/results/..%2fsecret.txt",
		"/results/..%5csecret.txt", "/results/%252e%252e/secret.txt", "/results/2026-12-01--001/../../secret.txt",
		"/results/link-out", "/results/dir-out/secret.txt", "/results/dir-out/", "/results/absolute-out",
		"/results/2026-12-01--001/up/secret.txt", "/results/2026-12-01--001/etc/passwd", "/results//etc/passwd",
		"/../secret.txt", "/results/.%00./secret.txt", "/secret.txt", "/results/" + strings.Repeat("../", 20) + "etc/passwd",
	} {
		code, body := raw(t, base, "GET", path, "")
		if strings.Contains(body, secret) || strings.Contains(body, "root:x:0:0") || code == http.StatusOK {
			t.Errorf("GET %s: %d, served from outside the results root:\n%s", path, code, body)
		}
	}
	for path, want := range map[string]string{
		"/results/2026-12-02--001/report.html":     "report of 2026-12-02--001",
		"/results/latest/report.html":              "report of 2026-12-04--001",
		"/results/2026-12-03--001/t/test_log.info": "log of 2026-12-03--001",
		"/results/": "2026-12-01--001/",
	} {
		if code, body := raw(t, base, "GET", path, ""); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %q, want 200 with %q", path, code, body, want)
		}
	}
}

// TestLoopbackAndReadOnly: a request naming another host (a DNS rebinding
// page) is refused, anything but GET and HEAD too; every answer forbids
// fetching from elsewhere.
func TestLoopbackAndReadOnly(t *testing.T) {
	base := serveFixture(t)
	port := base[strings.LastIndex(base, ":")+1:]
	if code, _ := raw(t, base, "GET", "/", "evil.example:"+port); code != http.StatusForbidden {
		t.Errorf("a foreign Host: %d, want 403", code)
	}
	if code, _ := raw(t, base, "GET", "/", "localhost:"+port); code != http.StatusOK {
		t.Errorf("Host localhost: %d, want 200", code)
	}
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		if code, _ := raw(t, base, method, "/results/latest/report.html", ""); code != http.StatusMethodNotAllowed {
			t.Errorf("%s: %d, want 405", method, code)
		}
	}
	resp, err := http.Get(base + "/results/latest/report.html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v", resp.Header)
	}
}

// TestPages renders each page: the data of the store, escaped.
func TestPages(t *testing.T) {
	base := serveFixture(t)
	for path, wants := range map[string][]string{
		"/": {`<a href="/results/2026-12-04--001/report.html">report.html</a>`, "t.star::test_a", "x_ms", "&#43;200.0%", /* + escaped */
			`<title>2026-12-03--001: fail</title>`},
		"/test?id=t.star%3A%3Atest_a": {"First failed after a pass in session", "2026-12-03--001", "Error: &lt;script&gt;alert(1)&lt;/script&gt;",
			`"title":"x_ms"`, `"labels":["12-01/001","12-02/001","12-03/001","12-04/001"]`},
		"/compare":                  {"t.star::test_a", "x_ms", "regressed", "&#43;200.0%" /* + escaped */, "1 value regressed beyond 10%"},
		"/compare?tolerance=300%25": {"no value regressed beyond 300%"},
	} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range wants {
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
				t.Errorf("GET %s: %d, lacks %q:\n%s", path, resp.StatusCode, want, body)
			}
		}
		if strings.Contains(string(body), "<script>alert") {
			t.Errorf("GET %s: a summary is not escaped", path)
		}
	}
	for path, want := range map[string]int{
		"/test": http.StatusBadRequest, "/test?id=nope": http.StatusNotFound, "/compare?tolerance=lots": http.StatusBadRequest,
		"/compare?old=x": http.StatusBadRequest, "/compare?old=1&new=2": http.StatusBadRequest, "/nothing": http.StatusNotFound,
	} {
		if code, _ := raw(t, base, "GET", path, ""); code != want {
			t.Errorf("GET %s: %d, want %d", path, code, want)
		}
	}
}
