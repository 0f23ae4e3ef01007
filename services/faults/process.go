package faults

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ducktape-go/ducktape/cluster"
)

// Pause stops the processes pids holds per node with SIGSTOP; healing
// sends SIGCONT (a process that has exited meanwhile is no error). service
// names the processes' service in the record. Pause works on any node:
// it needs only that the login user may signal the processes.
func (r *Registry) Pause(ctx context.Context, service string, pids map[*cluster.Node][]int) (*Fault, error) {
	nodes, err := withPids(service, pids)
	if err != nil {
		return nil, err
	}
	return r.inject(ctx, "pause", nodes, processArgs(service, pids), false, func(ctx context.Context, _ string) (func(context.Context) error, error) {
		cont := func(ctx context.Context) error {
			return forEach(nodes, func(_ int, n *cluster.Node) error { return signal(ctx, n, "CONT", pids[n], true) })
		}
		if err := forEach(nodes, func(_ int, n *cluster.Node) error { return signal(ctx, n, "STOP", pids[n], false) }); err != nil {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
			defer cancel()
			return nil, errors.Join(err, cont(cctx))
		}
		return cont, nil
	})
}

// Kill sends SIGKILL to the processes pids holds per node. Nothing heals a
// kill: the test restarts the service.
func (r *Registry) Kill(ctx context.Context, service string, pids map[*cluster.Node][]int) (*Fault, error) {
	nodes, err := withPids(service, pids)
	if err != nil {
		return nil, err
	}
	return r.inject(ctx, "kill", nodes, processArgs(service, pids), false, func(ctx context.Context, _ string) (func(context.Context) error, error) {
		return nil, forEach(nodes, func(_ int, n *cluster.Node) error { return signal(ctx, n, "KILL", pids[n], false) })
	})
}

// signal sends sig to pids on n. Unless gone is allowed, every process
// must exist.
func signal(ctx context.Context, n *cluster.Node, sig string, pids []int, gone bool) error {
	list := make([]string, len(pids))
	for i, p := range pids {
		list[i] = strconv.Itoa(p)
	}
	cmd := fmt.Sprintf("kill -%s %s", sig, strings.Join(list, " "))
	if gone {
		cmd += " 2>/dev/null; true"
	}
	_, err := n.Account.SSH(ctx, cmd, false)
	return err
}

// withPids returns the nodes with processes, in name order, or an error
// when there are none.
func withPids(service string, pids map[*cluster.Node][]int) ([]*cluster.Node, error) {
	var nodes []*cluster.Node
	for n, p := range pids {
		if len(p) > 0 {
			nodes = append(nodes, n)
		}
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%s has no running process (its pids hook returned none)", service)
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })
	return nodes, nil
}

func processArgs(service string, pids map[*cluster.Node][]int) map[string]any {
	byName := map[string]any{}
	for n, p := range pids {
		if len(p) > 0 {
			byName[n.Name] = p
		}
	}
	return map[string]any{"service": service, "pids": byName}
}
