// Package trendsweb is the web page of `ducktape serve` over a results
// store (host/resultstore): the sessions, the flaky tests, the regressions,
// each test's outcomes and trend charts, `compare` between any two
// sessions, and the files of the results root (report.html, logs), read
// only. Pages are rendered on the server; one embedded script draws the
// charts with report.html's chart.js. Nothing is fetched from elsewhere
// (the Content-Security-Policy forbids it).
//
// A Server is safe for concurrent use.
package trendsweb

import (
	_ "embed" // the pages' template, style and script
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/ducktape-go/ducktape/host"
	"github.com/ducktape-go/ducktape/host/resultstore"
)

var (
	//go:embed assets/pages.html.tmpl
	pagesTemplate string
	//go:embed assets/trends.css
	trendsCSS string
	//go:embed assets/trends.js
	trendsJS string

	pages = template.Must(template.New("pages").Parse(pagesTemplate))
	style = template.CSS(host.PageStyle() + trendsCSS)
	// script is chart.js, then trends.js that calls it.
	script = template.JS(host.ChartScript() + trendsJS)
)

// Server serves the pages over a store and the files of a results root.
type Server struct {
	store *resultstore.Store
	// root is the results root, opened so that no path, link or ".."
	// reaches outside it.
	root    *os.Root
	rootDir string // absolute
	last    int    // sessions the analyses look at
	files   http.Handler
}

// New returns a server of store's pages, linking to and serving the
// sessions under resultsRoot, its analyses over the newest last sessions.
func New(store *resultstore.Store, resultsRoot string, last int) (*Server, error) {
	abs, err := filepath.Abs(resultsRoot)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("results root %s: %v", resultsRoot, err)
	}
	s := &Server{store: store, root: root, rootDir: abs, last: last}
	s.files = http.StripPrefix("/results", http.FileServerFS(root.FS()))
	return s, nil
}

// Close closes the results root.
func (s *Server) Close() error { return s.root.Close() }

// Handler returns the server's handler for a listener at addr. When addr
// is a loopback address, requests must name a loopback host too, so a
// web page elsewhere cannot read the results through a DNS name that
// resolves to 127.0.0.1 (DNS rebinding).
func (s *Server) Handler(addr net.Addr) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.overview)
	mux.HandleFunc("GET /test", s.test)
	mux.HandleFunc("GET /compare", s.compare)
	mux.Handle("GET /results/", s.files)
	mux.Handle("GET /results", http.RedirectHandler("/results/", http.StatusMovedPermanently))
	var allowed map[string]bool
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsLoopback() {
		port := fmt.Sprint(tcp.Port)
		allowed = map[string]bool{}
		for _, h := range []string{"localhost", "127.0.0.1", "[::1]", tcp.IP.String()} {
			allowed[h+":"+port] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Pages and served files alike: nothing from elsewhere, no
		// framing, no guessing of types.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if allowed != nil && !allowed[r.Host] {
			http.Error(w, "ducktape serve listens on loopback: open it as http://localhost:PORT/", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "read only", http.StatusMethodNotAllowed)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// sessionLinks returns the URLs of a session's report.html and results
// directory under /results/, or "" when its directory is not found under
// the results root (a session imported on another machine whose results
// are not copied here): by its path relative to the root, else by its
// name.
func (s *Server) sessionLinks(dir string) (report, results string) {
	candidates := []string{filepath.Base(dir)}
	if rel, err := filepath.Rel(s.rootDir, dir); err == nil && filepath.IsLocal(rel) {
		candidates = append([]string{rel}, candidates...)
	}
	for _, rel := range candidates {
		if _, err := s.root.Stat(filepath.Join(rel, "report.html")); err == nil {
			p := "/results/" + escapePath(filepath.ToSlash(rel)) + "/"
			return p + "report.html", p
		}
	}
	return "", ""
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		parts[i] = url.PathEscape(part)
	}
	return strings.Join(parts, "/")
}

// render writes page name with data, or the error.
func render(w http.ResponseWriter, name string, data any) {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, b.String())
}

// fail answers with err: a store's errors say what failed (never with the
// password: resultstore takes it out).
func fail(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	var bad badRequest
	if errors.As(err, &bad) {
		code = http.StatusBadRequest
	}
	if errors.Is(err, fs.ErrNotExist) {
		code = http.StatusNotFound
	}
	http.Error(w, err.Error(), code)
}

// badRequest is a request's own fault: status 400.
type badRequest struct{ msg string }

func (b badRequest) Error() string { return b.msg }
