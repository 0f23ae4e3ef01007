package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/kube"
)

// kubeFlags are the --kube-* flags of --cluster kubernetes.
type kubeFlags struct {
	kubeContext string
	namespace   string
	nodes       int
	image       string
}

func (o *kubeFlags) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.kubeContext, "kube-context", "", "kubeconfig context of --cluster kubernetes (default: the current context of KUBECONFIG, else ~/.kube/config)")
	f.StringVar(&o.namespace, "kube-namespace", "", "namespace of the kubernetes nodes' pods (default: one made for the session and deleted with it)")
	f.IntVar(&o.nodes, "kube-nodes", kube.DefaultNodes, "number of nodes (pods) of --cluster kubernetes")
	f.StringVar(&o.image, "kube-image", "", "image of the kubernetes nodes; it needs /bin/sh, coreutils, findutils and procps (default: the docker nodes' image, which the cluster must have: see docs/clusters.md)")
}

// open starts the kubernetes cluster the flags describe. Ctrl-C while the
// pods start deletes what was made.
func (o *kubeFlags) open(gs *globalState) (*cluster.Cluster, error) {
	ctx, stop := signal.NotifyContext(gs.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cl, err := kube.Open(ctx, kube.Options{Context: o.kubeContext, Namespace: o.namespace, Nodes: o.nodes, Image: o.image, Log: gs.stderr})
	if err != nil && ctx.Err() != nil {
		return nil, errors.New("interrupted while the kubernetes nodes started; what was made is deleted")
	}
	return cl, err
}

// pruneTimeout bounds `ducktape kube prune`.
const pruneTimeout = 2 * time.Minute

// newKubeCommand is `ducktape kube`, the kubernetes nodes' housekeeping.
func newKubeCommand(gs *globalState) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kube",
		Short: "Housekeeping of kubernetes nodes (--cluster kubernetes)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newKubePruneCommand(gs))
	return cmd
}

func newKubePruneCommand(gs *globalState) *cobra.Command {
	var opts kube.PruneOptions
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Delete the pods and namespaces that killed sessions left on the Kubernetes cluster",
		Long: `prune deletes, from the Kubernetes cluster the kubeconfig names (KUBECONFIG, else
~/.kube/config; --kube-context picks a context), the pods and the namespaces of
ducktape sessions whose driver has ended without deleting them (killed
sessions). Sessions still running, and those of drivers on other machines, are
left alone unless --all. It needs to list pods and namespaces across the
cluster.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(gs.ctx, pruneTimeout)
			defer cancel()
			removed, err := kube.Prune(ctx, opts)
			for _, s := range removed {
				fmt.Fprintf(gs.stdout, "removed session %s: %d pods, %d namespaces\n", s.Session, len(s.Pods), len(s.Namespaces))
			}
			if len(removed) == 0 && err == nil {
				fmt.Fprintln(gs.stdout, "nothing to remove")
			}
			if err != nil {
				return usageErrorf("kube prune: %v", err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Context, "kube-context", "", "kubeconfig context (default: the current one)")
	cmd.Flags().BoolVar(&opts.All, "all", false, "also delete the sessions of drivers still running or on other machines")
	return cmd
}
