package repl

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestClientsAtThePrompt: load("@ducktape//clients", ...) works at the
// prompt, the clients reach the session's nodes, and their failures carry
// definite.
func TestClientsAtThePrompt(t *testing.T) {
	s, out, _ := newSession(t)
	ip := s.env.Cluster.Nodes()[0].Account.Info().ExternallyRoutableIP
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hi from the node") })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	exec(t, s, fmt.Sprintf(`load("@ducktape//clients", "http", "redis")
print(http.request("GET", "http://%s/").body)
r = catch(redis.connect, nodes[0], port = 1)
print(r.definite, "connection refused" in r.error)
`, l.Addr()))
	if got := out.String(); !strings.Contains(got, "hi from the node\nTrue True\n") {
		t.Errorf("output:\n%s", got)
	}
}
