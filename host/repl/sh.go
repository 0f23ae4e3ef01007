package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/starlib"
)

// sh(cmd, nodes = None) runs cmd on every node of the session (or on the
// given nodes) at once, with the interpreter lock released, and prints each
// node's output (stdout and stderr interleaved) under a header naming the
// node, in node order. After printing everything it fails if the command
// failed on any node, naming them.
func (s *Session) sh(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var cmd string
	var list starlark.Iterable
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "cmd", &cmd, "nodes?", &list); err != nil {
		return nil, err
	}
	nodes := s.env.Cluster.Nodes()
	if list != nil {
		var err error
		if nodes, err = nodesOf(b.Name(), list); err != nil {
			return nil, err
		}
	}
	type result struct {
		out string
		err error
	}
	results := make([]result, len(nodes))
	starlib.Blocking(thread, func(ctx context.Context) (struct{}, error) {
		var wg sync.WaitGroup
		for i, n := range nodes {
			wg.Go(func() {
				out, err := n.Account.Output(ctx, cmd, cluster.OutputOptions{CombineStderr: true})
				results[i] = result{out, err}
			})
		}
		wg.Wait()
		return struct{}{}, nil
	})
	var text strings.Builder
	var failed []string
	for i, n := range nodes {
		header := n.Name
		if err := results[i].err; err != nil {
			failed = append(failed, n.Name)
			var cmdErr *cluster.CommandError
			if errors.As(err, &cmdErr) {
				header += fmt.Sprintf(" (exit status %d)", cmdErr.ExitStatus)
			} else {
				header += fmt.Sprintf(" (%v)", err)
			}
		}
		fmt.Fprintf(&text, "--- %s ---\n%s", header, results[i].out)
		if out := results[i].out; out != "" && !strings.HasSuffix(out, "\n") {
			text.WriteByte('\n')
		}
	}
	fmt.Fprint(s.out, text.String())
	if len(failed) > 0 {
		return nil, fmt.Errorf("%s: %q failed on %s", b.Name(), cmd, strings.Join(failed, ", "))
	}
	return starlark.None, nil
}

// nodesOf converts an iterable of node values.
func nodesOf(fn string, list starlark.Iterable) ([]*cluster.Node, error) {
	var nodes []*cluster.Node
	iter := list.Iterate()
	defer iter.Done()
	var x starlark.Value
	for iter.Next(&x) {
		n, err := starlib.AsNode(fn, "nodes", x)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}
