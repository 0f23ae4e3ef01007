package services

import (
	"context"
	"errors"
	"slices"
)

// TeardownOptions tune [Registry.Teardown].
type TeardownOptions struct {
	// ResultsDir is the test's results directory; logs go to
	// <ResultsDir>/<service id>/<node name>/.
	ResultsDir string
	// Failed collects every log; otherwise only those collected by default
	// or marked for collection.
	Failed bool
	// NoTeardown (--no-teardown) leaves services running and uncleaned;
	// logs are still collected and nodes freed.
	NoTeardown bool
	// Compress (--compress) packs each collected log as <name>.tgz on its
	// node and copies that instead (see collectNode).
	Compress bool
}

// Teardown ends the test's services, whatever happened to the test, in the
// Python ducktape's order: stop every running service (newest first),
// collect logs, clean every service that was started (newest first), and
// free every service's nodes. It goes on after errors and returns them
// all. ctx must not be the test's own context when that may be cancelled
// (use context.WithoutCancel): teardown must run after a timeout too.
func (r *Registry) Teardown(ctx context.Context, opts TeardownOptions) error {
	all := r.Services()
	newestFirst := slices.Clone(all)
	slices.Reverse(newestFirst)
	var errs []error
	live := func(s *Service) bool { _, started, freed := s.state(); return started && !freed }
	for _, s := range newestFirst {
		switch running, _, freed := s.state(); {
		case !running || freed:
		case opts.NoTeardown:
			s.stopWorkers() // goroutines of this process cannot outlive the test
		default:
			errs = append(errs, s.Stop(ctx))
		}
	}
	for _, s := range all {
		if live(s) {
			errs = append(errs, collectLogs(ctx, s, opts.ResultsDir, opts.Compress, func(name string) bool {
				return s.Logs[name].Wanted(opts.Failed, r.isMarked(s, name))
			}))
		}
	}
	if !opts.NoTeardown {
		for _, s := range newestFirst {
			if live(s) {
				errs = append(errs, s.Clean(ctx))
			}
		}
	}
	for _, s := range all {
		if _, _, freed := s.state(); !freed {
			s.mu.Lock()
			s.freed, s.running = true, false
			s.mu.Unlock()
			s.release(s.Nodes)
		}
	}
	return errors.Join(errs...)
}
