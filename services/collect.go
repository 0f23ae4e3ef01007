package services

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ducktape-go/ducktape/cluster"
)

// collectLogs copies the logs of s for which want is true from each of its
// nodes into dir/<service id>/<node name>/, all nodes concurrently. Logs
// that do not exist on a node are skipped: a service need not write every
// log on every node.
func collectLogs(ctx context.Context, s *Service, dir string, want func(name string) bool) error {
	var names []string
	for _, name := range logNames(s) {
		if want(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, len(s.Nodes))
	for i, node := range s.Nodes {
		wg.Go(func() { errs[i] = collectNode(ctx, s, node, names, filepath.Join(dir, s.ID, node.Name)) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func collectNode(ctx context.Context, s *Service, node *cluster.Node, names []string, dest string) error {
	var errs []error
	for _, name := range names {
		path := s.Logs[name].Path
		ok, err := node.Account.Exists(ctx, path)
		if err == nil && ok {
			if err = os.MkdirAll(dest, 0o755); err == nil {
				err = node.Account.CopyFrom(ctx, path, dest)
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: collecting log %s (%s) from %s: %w", s.ID, name, path, node.Name, err))
		}
	}
	return errors.Join(errs...)
}
