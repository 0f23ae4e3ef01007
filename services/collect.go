package services

import (
	"context"
	"errors"
	"fmt"
	"os"
	pathpkg "path"
	"path/filepath"
	"sync"

	"github.com/kballard/go-shellquote"

	"github.com/ducktape-go/ducktape/cluster"
)

// collectLogs copies the logs of s for which want is true from each of its
// nodes into dir/<service id>/<node name>/, all nodes concurrently (each
// packed on its node first when compress). Logs that do not exist on a node
// are skipped: a service need not write every log on every node.
func collectLogs(ctx context.Context, s *Service, dir string, compress bool, want func(name string) bool) error {
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
		wg.Go(func() { errs[i] = collectNode(ctx, s, node, names, filepath.Join(dir, s.ID, node.Name), compress) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func collectNode(ctx context.Context, s *Service, node *cluster.Node, names []string, dest string, compress bool) error {
	var errs []error
	for _, name := range names {
		path := s.Logs[name].Path
		ok, err := node.Account.Exists(ctx, path)
		if err == nil && ok {
			if err = os.MkdirAll(dest, 0o755); err == nil {
				if compress {
					err = copyCompressed(ctx, node, path, dest)
				} else {
					err = node.Account.CopyFrom(ctx, path, dest)
				}
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: collecting log %s (%s) from %s: %w", s.ID, name, path, node.Name, err))
		}
	}
	return errors.Join(errs...)
}

// copyCompressed packs path (a file or directory) as <path>.tgz next to it
// on the node, copies that into dest and removes it from the node again;
// the log itself stays, so --no-teardown still leaves it to look at.
func copyCompressed(ctx context.Context, node *cluster.Node, path, dest string) error {
	dir, base := pathpkg.Dir(path), pathpkg.Base(path)
	archive := pathpkg.Join(dir, base+".tgz")
	cmd := fmt.Sprintf("cd %s && tar czf %s %s", shellquote.Join(dir), shellquote.Join(base+".tgz"), shellquote.Join(base))
	if _, err := node.Account.SSH(ctx, cmd, false); err != nil {
		return err
	}
	err := node.Account.CopyFrom(ctx, archive, dest)
	return errors.Join(err, node.Account.Remove(ctx, archive, true))
}
