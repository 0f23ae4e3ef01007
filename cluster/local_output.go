package cluster

import (
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// outputPipe carries a local command's output (stdout, stderr, or both
// when they are the same writer) to a writer through a pipe the driver
// reads itself. os/exec's WaitDelay would close its own pipe localWaitDelay
// after the shell exits even when the copying goroutine, starved of CPU on
// a loaded machine, has not read what the shell wrote: that output was
// lost. Here, once the wait is over, what is still in the pipe is read
// before it is closed; only what background children write later is lost.
type outputPipe struct {
	r, w *os.File
	dst  io.Writer
	done chan struct{} // closed when the copying goroutine has returned
}

func newOutputPipe(dst io.Writer) (*outputPipe, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p := &outputPipe{r: r, w: w, dst: dst, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		io.Copy(dst, r)
	}()
	return p, nil
}

// started closes the driver's copy of the write end, once the command has
// it, so that the pipe ends when the command's processes close theirs.
func (p *outputPipe) started() { p.w.Close() }

// finish returns when the output has ended or, when background children
// still hold the pipe, localWaitDelay after the command's shell exited,
// with everything written so far copied.
func (p *outputPipe) finish() {
	defer p.r.Close()
	select {
	case <-p.done:
		return
	case <-time.After(localWaitDelay):
	}
	p.r.SetReadDeadline(time.Now()) // stops the copying goroutine
	<-p.done
	// The pipe is non-blocking: read what it holds until it is empty.
	rc, err := p.r.SyscallConn()
	if err != nil {
		return
	}
	buf := make([]byte, 32*1024)
	rc.Control(func(fd uintptr) {
		for {
			n, err := unix.Read(int(fd), buf)
			if n <= 0 || err != nil {
				return
			}
			p.dst.Write(buf[:n])
		}
	})
}
