package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/host"
)

func newVersionCommand(gs *globalState) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ducktape's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintf(gs.stdout, "ducktape %s (%s, %s/%s)\n", host.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
