package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/host"
)

// versionLine is what `ducktape version` and `ducktape --version` print.
func versionLine() string {
	return fmt.Sprintf("ducktape %s (%s, %s/%s)\n", host.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func newVersionCommand(gs *globalState) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ducktape's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprint(gs.stdout, versionLine())
			return err
		},
	}
}
