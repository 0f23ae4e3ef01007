package services

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errStopped is the cause with which a stopped worker's context is
// cancelled.
var errStopped = errors.New("service stopped")

// workers is the bookkeeping of a background service: at most one worker
// goroutine per node, and the errors of those that failed, kept until
// reported. A nil *workers (a service without workers) is valid and does
// nothing. Safe for concurrent use.
type workers struct {
	mu    sync.Mutex
	byIdx map[int]*worker
	errs  []error // not yet reported
}

type worker struct {
	cancel context.CancelCauseFunc
	done   chan struct{} // closed when run has returned
}

func newWorkers() *workers { return &workers{byIdx: map[int]*worker{}} }

// start runs run on a new goroutine as node idx's worker. Its context is a
// child of ctx that stop cancels. An error returned after the context was
// cancelled (by stop, or because the test was cancelled) is a consequence
// of the cancellation and is dropped; others are kept for takeErrors.
func (w *workers) start(ctx context.Context, idx int, name string, run func(context.Context) error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if old := w.byIdx[idx]; old != nil && !closed(old.done) {
		return fmt.Errorf("%s: the previous worker is still running (stop the service first)", name)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	wk := &worker{cancel: cancel, done: make(chan struct{})}
	w.byIdx[idx] = wk
	go func() {
		defer close(wk.done)
		defer cancel(nil)
		if err := run(ctx); err != nil && ctx.Err() == nil {
			w.mu.Lock()
			w.errs = append(w.errs, err)
			w.mu.Unlock()
		}
	}()
	return nil
}

// stop cancels node idx's worker, if any, and waits for it to end.
func (w *workers) stop(idx int) {
	if w == nil {
		return
	}
	w.mu.Lock()
	wk := w.byIdx[idx]
	w.mu.Unlock()
	if wk != nil {
		wk.cancel(errStopped)
		<-wk.done
	}
}

// wait waits up to timeout for node idx's worker to end and reports whether
// it did (true when there is none).
func (w *workers) wait(ctx context.Context, idx int, timeout time.Duration) (bool, error) {
	w.mu.Lock()
	wk := w.byIdx[idx]
	w.mu.Unlock()
	if wk == nil {
		return true, nil
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-wk.done:
		return true, nil
	case <-t.C:
		return false, nil
	case <-ctx.Done():
		return false, context.Cause(ctx)
	}
}

// alive reports whether node idx's worker is running.
func (w *workers) alive(idx int) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	wk := w.byIdx[idx]
	return wk != nil && !closed(wk.done)
}

// takeErrors returns the workers' errors not yet reported, joined, and
// forgets them: each error is reported once.
func (w *workers) takeErrors() error {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	err := errors.Join(w.errs...)
	w.errs = nil
	return err
}

func closed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
