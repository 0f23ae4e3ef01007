package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/services/faults/lazyfs"
)

// The lazyfs command is the helper of the storage faults (faults.lazyfs
// and the others, see docs/faults.md): the driver runs it on a node, from
// a copy of its own binary, as `ducktape lazyfs serve|ctl|reap|probe|
// corrupt ...` (see lazyfs.Main). It is hidden: users never call it.
func init() { lazyfs.Enable() }

func newLazyfsCommand(gs *globalState) *cobra.Command {
	return &cobra.Command{
		Use:                "lazyfs",
		Short:              "The storage faults' helper on a node (internal)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if status := lazyfs.Main(args, gs.stdout, gs.stderr); status != 0 {
				return &exitError{code: status, err: errors.New("lazyfs failed"), silent: true}
			}
			return nil
		},
	}
}
