package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/docker"
)

// dockerFlags are the --docker-* flags of --cluster docker.
type dockerFlags struct {
	nodes      int
	image      string
	packages   []string
	mounts     []string
	keep       bool
	privileged bool
}

func (o *dockerFlags) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&o.nodes, "docker-nodes", docker.DefaultNodes, "number of nodes (containers) of --cluster docker")
	f.StringVar(&o.image, "docker-image", "", "image of the docker nodes; it needs /bin/sh and sshd (default: an image built from this machine's packages)")
	f.StringSliceVar(&o.packages, "docker-packages", nil, "more of this machine's Debian packages to put into the default docker image (repeatable, or comma-separated)")
	f.StringArrayVar(&o.mounts, "docker-mount", nil, "bind mount SRC:DST[:ro] into every docker node (repeatable)")
	f.BoolVar(&o.keep, "docker-keep", false, "leave the docker nodes running when the session ends, and say how to enter them")
	f.BoolVar(&o.privileged, "docker-privileged", false, "run the docker nodes privileged (they always get NET_ADMIN)")
}

// open starts the docker cluster the flags describe.
func (o *dockerFlags) open(gs *globalState) (*cluster.Cluster, error) {
	opts := docker.Options{Nodes: o.nodes, Image: o.image, Packages: o.packages, Keep: o.keep, Privileged: o.privileged, Log: gs.stderr}
	for _, m := range o.mounts {
		mount, err := docker.ParseMount(m)
		if err != nil {
			return nil, err
		}
		opts.Mounts = append(opts.Mounts, mount)
	}
	return docker.Open(gs.ctx, opts)
}

// newDockerCommand is `ducktape docker`, the docker nodes' housekeeping.
func newDockerCommand(gs *globalState) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "docker",
		Short: "Housekeeping of docker nodes (--cluster docker)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDockerPruneCommand(gs), newDockerImageCommand(gs))
	return cmd
}

func newDockerImageCommand(gs *globalState) *cobra.Command {
	var packages []string
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Build the default docker node image now (when the engine lacks it) and print its name",
		Long: `image builds the default image of docker nodes from this machine's installed
Debian packages, unless the engine DOCKER_HOST names has it already, and prints
its name (ducktape-node:<content hash>). Sessions build it on first use anyway;
this is for warming a CI machine, or for building your own image FROM it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := docker.BuildImage(gs.ctx, packages, gs.stderr)
			if err != nil {
				return usageErrorf("docker image: %v", err)
			}
			fmt.Fprintln(gs.stdout, name)
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&packages, "docker-packages", nil, "more of this machine's Debian packages to put into the image (repeatable, or comma-separated)")
	return cmd
}

func newDockerPruneCommand(gs *globalState) *cobra.Command {
	var opts docker.PruneOptions
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove the docker nodes and networks that killed sessions (and --docker-keep) left",
		Long: `prune removes, from the Docker Engine DOCKER_HOST names (else the default socket),
the containers and networks of docker clusters whose ducktape session has ended
without removing them: killed sessions, and those run with --docker-keep.
Clusters of sessions still running are left alone unless --all.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := docker.Prune(gs.ctx, opts)
			for _, l := range res.Clusters {
				fmt.Fprintf(gs.stdout, "removed cluster %s: %d containers, %d networks\n", l.Cluster, len(l.Containers), len(l.Networks))
			}
			if len(res.Images) > 0 {
				fmt.Fprintf(gs.stdout, "removed images: %s\n", strings.Join(res.Images, " "))
			}
			if len(res.Clusters) == 0 && len(res.Images) == 0 && err == nil {
				fmt.Fprintln(gs.stdout, "nothing to remove")
			}
			if err != nil {
				return usageErrorf("docker prune: %v", err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "also remove the clusters of sessions still running")
	cmd.Flags().BoolVar(&opts.Images, "images", false, "also remove the default node images (rebuilt when next needed)")
	return cmd
}
