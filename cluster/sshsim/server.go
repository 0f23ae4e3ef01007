package sshsim

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Server serves SSH for every simulated node, each on its own loopback
// address and port. Safe for concurrent use.
type Server struct {
	Nodes []*Node

	config    *ssh.ServerConfig
	listeners []net.Listener
	wg        sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]bool
}

// Addr returns the address of node i (0-based): 127.77.x.y, 250 nodes to
// each x, clear of the 127.0.0.x addresses that cluster/sshtest uses.
func Addr(i int) string { return fmt.Sprintf("127.77.%d.%d", i/250, i%250+1) }

// Listen starts a server of n nodes that presents hostKey and accepts the
// client key authorized.
func Listen(n int, hostKey ssh.Signer, authorized ssh.PublicKey) (*Server, error) {
	want := string(authorized.Marshal())
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if string(key.Marshal()) == want {
				return nil, nil
			}
			return nil, errors.New("unknown key")
		},
	}
	cfg.AddHostKey(hostKey)
	s := &Server{config: cfg, conns: map[net.Conn]bool{}}
	for i := range n {
		l, err := net.Listen("tcp", net.JoinHostPort(Addr(i), "0"))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("node %d: %w", i+1, err)
		}
		node := newNode(l.Addr().(*net.TCPAddr))
		s.Nodes = append(s.Nodes, node)
		s.listeners = append(s.listeners, l)
		s.wg.Add(1)
		go s.accept(l, node)
	}
	return s, nil
}

// Close stops listening and closes every connection.
func (s *Server) Close() {
	for _, l := range s.listeners {
		l.Close()
	}
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept(l net.Listener, node *Node) {
	defer s.wg.Done()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		go func() {
			s.serveConn(c, node)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *Server) serveConn(c net.Conn, node *Node) {
	defer c.Close()
	conn, chans, reqs, err := ssh.NewServerConn(c, s.config)
	if err != nil {
		return
	}
	defer conn.Close()
	go ssh.DiscardRequests(reqs) // keepalives: answered "unsupported", which still proves the peer alive
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions are simulated")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go node.serveSession(ch, creqs)
	}
}

// serveSession answers one session's requests: an exec or the sftp
// subsystem ends it; anything else before that is refused.
func (n *Node) serveSession(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		switch req.Type {
		case "exec":
			var payload struct{ Command string }
			if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			go io.Copy(io.Discard, ch) // stdin
			status := n.exec(payload.Command, ch, ch.Stderr())
			ch.CloseWrite()
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
			return
		case "subsystem":
			var payload struct{ Name string }
			if err := ssh.Unmarshal(req.Payload, &payload); err != nil || payload.Name != "sftp" {
				req.Reply(false, nil)
				continue
			}
			req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			srv := sftp.NewRequestServer(ch, n.files)
			srv.Serve()
			srv.Close()
			return
		default:
			req.Reply(false, nil) // env, pty-req, ...
		}
	}
}
