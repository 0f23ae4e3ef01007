package sshtest

import (
	"encoding/json"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// SilentNode is a port that accepts TCP connections and never says a
// word, as a hung sshd (or another service on the SSH port) would, for
// tests of the driver's connect timeout.
type SilentNode struct {
	Addr        string // host:port, on 127.0.0.1
	ClusterFile string // a cluster file naming it "hung", with its connecttimeout

	accepted atomic.Int64
}

// Accepted returns how many connections the node has accepted.
func (s *SilentNode) Accepted() int64 { return s.accepted.Load() }

// Silent starts a silent node, stopped (with its connections closed) when
// tb ends. Its cluster file gives it connecttimeout seconds to answer.
func Silent(tb testing.TB, connectTimeout int) *SilentNode {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	files := NewFiles(tb)
	s := &SilentNode{Addr: l.Addr().String(), ClusterFile: files.ClusterFile}
	host, port, _ := net.SplitHostPort(s.Addr)
	p, _ := strconv.Atoi(port)
	data, _ := json.Marshal(map[string]any{"nodes": []any{map[string]any{"ssh_config": map[string]any{
		"host": "hung", "hostname": host, "port": p, "identityfile": files.Key,
		"stricthostkeychecking": "no", "connecttimeout": connectTimeout}}}})
	WriteFile(tb, filepath.Join(files.Dir, "cluster.json"), data, 0o644)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return s
}
