package lazyfs

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"
)

// Request is one command to a helper over its unix socket: one JSON line
// in, one Response line out.
type Request struct {
	// Op is "status", "lose" (a power loss), "add_rule" (Rule),
	// "remove_rule" (ID), "sync" (write and sync everything, as sync(1)),
	// or "unmount" (a clean shutdown; the helper then exits).
	Op   string `json:"op"`
	Rule *Rule  `json:"rule,omitempty"`
	ID   int    `json:"id,omitempty"`
}

// Response is a helper's answer: Error is set when the request failed.
type Response struct {
	Error    string  `json:"error,omitempty"`
	Status   *Status `json:"status,omitempty"`   // status
	Loss     *Loss   `json:"loss,omitempty"`     // lose
	Killed   []int   `json:"killed,omitempty"`   // unmount: processes that still used the mount
	Detached bool    `json:"detached,omitempty"` // unmount: it had to be detached
}

// maxRequest bounds a request line.
const maxRequest = 1 << 16

// server answers the requests for one FS.
type server struct {
	fs       *FS
	orphaned *atomic.Bool // set once the helper's driver is gone
	stop     func()       // ends the helper, once unmounted; idempotent
}

// serve answers connections on ln until the FS is unmounted.
func (s *server) serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		go s.answer(conn)
	}
}

func (s *server) answer(conn net.Conn) {
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var req Request
	var resp Response
	line, err := readLine(bufio.NewReaderSize(conn, 4096))
	if err == nil {
		if err = json.Unmarshal(line, &req); err != nil {
			err = fmt.Errorf("bad request: %w", err)
		}
	}
	if err != nil {
		resp.Error = err.Error()
	} else {
		resp = s.handle(req)
	}
	conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	out, _ := json.Marshal(resp)
	conn.Write(append(out, '\n'))
	if req.Op == "unmount" {
		s.stop()
	}
}

// readLine reads one line of at most maxRequest bytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > maxRequest {
			return nil, fmt.Errorf("request longer than %d bytes", maxRequest)
		}
		if !isPrefix {
			return line, nil
		}
	}
}

// handle carries out one request.
func (s *server) handle(req Request) Response {
	var resp Response
	var err error
	switch req.Op {
	case "status":
		st := s.fs.Status()
		st.Orphaned = s.orphaned.Load()
		resp.Status = &st
	case "lose":
		var loss Loss
		loss, err = s.fs.Lose()
		resp.Loss = &loss
	case "add_rule":
		if req.Rule == nil {
			err = errors.New("add_rule without a rule")
		} else {
			err = s.fs.AddRule(*req.Rule)
		}
	case "remove_rule":
		s.fs.RemoveRule(req.ID)
	case "sync":
		err = s.fs.Sync()
	case "unmount":
		resp.Killed, resp.Detached, err = s.fs.Unmount()
	default:
		err = fmt.Errorf("unknown op %q (want status, lose, add_rule, remove_rule, sync or unmount)", req.Op)
	}
	if err != nil {
		resp.Error = err.Error()
	}
	return resp
}

// Call sends req to the helper listening on socket and returns its
// answer; an answer with Error set is returned as an error too.
func Call(socket string, req Request, timeout time.Duration) (Response, error) {
	var resp Response
	conn, err := net.DialTimeout("unix", socket, timeout)
	if err != nil {
		return resp, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	out, err := json.Marshal(req)
	if err != nil {
		return resp, err
	}
	if _, err := conn.Write(append(out, '\n')); err != nil {
		return resp, err
	}
	line, err := readLine(bufio.NewReader(conn))
	if err != nil {
		return resp, fmt.Errorf("reading the answer: %w", err)
	}
	if err := json.Unmarshal(line, &resp); err != nil {
		return resp, fmt.Errorf("bad answer %q: %w", line, err)
	}
	if resp.Error != "" {
		return resp, errors.New(resp.Error)
	}
	return resp, nil
}
