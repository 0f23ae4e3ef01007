package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/fatih/color"
	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/host/trendsweb"
)

func newServeCommand(gs *globalState) *cobra.Command {
	opts := &storeOptions{}
	var addr string
	var last int
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a web page over the results store and the results root",
		Long: `serve is a web page over the results store (see ducktape trends): the sessions
with links to their report.html and results, the flaky tests, the regressions,
each test's outcomes and trend charts, and compare between any two sessions. It
serves the files of --results-root read-only, and nothing outside it.

It listens on loopback (127.0.0.1:8080) unless --addr says otherwise: on another
address, anyone who reaches it reads every result. Ctrl-C stops it.`,
		Example: `  ducktape serve
  ducktape serve --addr 0.0.0.0:8080 --store postgres://reader@db.example/trends`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if last < 0 {
				return usageErrorf("--last must not be negative")
			}
			return serve(gs, opts, addr, last)
		},
	}
	opts.addFlags(cmd.Flags())
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
	addLast(cmd, &last)
	return cmd
}

func serve(gs *globalState, opts *storeOptions, addr string, last int) error {
	store, err := opts.open(gs, false)
	if err != nil {
		return err
	}
	defer store.Close()
	web, err := trendsweb.New(store, opts.resultsRoot, last)
	if err != nil {
		return usageErrorf("--results-root: %v", err)
	}
	defer web.Close()
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErrorf("--addr: %v", err)
	}
	server := &http.Server{Handler: web.Handler(listener.Addr()), ReadHeaderTimeout: 10 * time.Second}
	if tcp, ok := listener.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		fmt.Fprintf(gs.stderr, "%s listening on %s, not on loopback: anyone who reaches it reads every result\n",
			color.New(color.FgYellow, color.Bold).Sprint("ducktape: warning:"), listener.Addr())
	}
	fmt.Fprintf(gs.stdout, "serving %s and the results root %s at http://%s/\n", store.Location, opts.resultsRoot, listener.Addr())
	done := make(chan error, 1)
	go func() { done <- server.Serve(listener) }()
	select {
	case err = <-done:
	case <-gs.ctx.Done():
		server.Close()
		err = <-done
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
