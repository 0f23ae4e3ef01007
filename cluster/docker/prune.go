package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/moby/moby/client"
)

// ClusterInfo is a docker cluster found on an engine by its labels.
type ClusterInfo struct {
	Cluster    string // the cluster id, e.g. "ducktape-3fa9c1"
	Driver     string // "<hostname>:<pid>" of the driver that made it
	Kept       bool
	Containers []string // container ids
	Networks   []string // network ids
}

// PruneOptions choose what Prune removes.
type PruneOptions struct {
	// All removes every ducktape cluster, also those of running drivers
	// and of drivers on other machines.
	All bool
	// Images also removes the default images (they are rebuilt on use).
	Images bool
}

// PruneResult is what Prune removed.
type PruneResult struct {
	Clusters []ClusterInfo
	Images   []string
}

// Prune removes leftover clusters (containers and networks) from the
// engine DOCKER_HOST names: those whose driver was killed (SIGKILL, a
// crash) before it could remove them, and those kept on purpose
// (--docker-keep); with opts.All every cluster.
func Prune(ctx context.Context, opts PruneOptions) (PruneResult, error) {
	e, err := connect(ctx)
	if err != nil {
		return PruneResult{}, err
	}
	defer e.close()
	found, err := findClusters(ctx, e)
	if err != nil {
		return PruneResult{}, err
	}
	var res PruneResult
	var errs []error
	for _, l := range found {
		if !opts.All && !l.Kept && !cluster.DriverProcessGone(l.Driver) {
			continue
		}
		errs = append(errs, removeContainers(ctx, e, l.Containers))
		for _, id := range l.Networks {
			if _, err := e.cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err != nil && !isNotFound(err) {
				errs = append(errs, fmt.Errorf("removing network %.12s of %s: %w", id, l.Cluster, err))
			}
		}
		res.Clusters = append(res.Clusters, l)
	}
	if opts.Images {
		imgs, err := e.cli.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("label", labelImage+"=default")})
		if err != nil {
			return res, fmt.Errorf("listing ducktape images: %w", err)
		}
		for _, img := range imgs.Items {
			if _, err := e.cli.ImageRemove(ctx, img.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil {
				errs = append(errs, fmt.Errorf("removing image %s: %w", strings.Join(img.RepoTags, ","), err))
				continue
			}
			res.Images = append(res.Images, strings.Join(img.RepoTags, ","))
		}
	}
	return res, errors.Join(errs...)
}

// ListClusters lists the docker clusters on the engine DOCKER_HOST names,
// by cluster id.
func ListClusters(ctx context.Context) ([]ClusterInfo, error) {
	e, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer e.close()
	return findClusters(ctx, e)
}

// findClusters lists the ducktape clusters on e, by cluster id.
func findClusters(ctx context.Context, e *engine) ([]ClusterInfo, error) {
	filter := make(client.Filters).Add("label", labelCluster)
	cs, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return nil, fmt.Errorf("listing ducktape containers on %s: %w", e.host, err)
	}
	ns, err := e.cli.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	if err != nil {
		return nil, fmt.Errorf("listing ducktape networks on %s: %w", e.host, err)
	}
	byID := map[string]*ClusterInfo{}
	get := func(labels map[string]string) *ClusterInfo {
		id := labels[labelCluster]
		if byID[id] == nil {
			byID[id] = &ClusterInfo{Cluster: id, Driver: labels[labelDriver], Kept: labels[labelKeep] == "true"}
		}
		return byID[id]
	}
	for _, c := range cs.Items {
		l := get(c.Labels)
		l.Containers = append(l.Containers, c.ID)
	}
	for _, n := range ns.Items {
		l := get(n.Labels)
		l.Networks = append(l.Networks, n.ID)
	}
	out := make([]ClusterInfo, 0, len(byID))
	for _, l := range byID {
		out = append(out, *l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cluster < out[j].Cluster })
	return out, nil
}

// warnLeftovers tells the user about clusters that killed drivers left
// behind (kept clusters are intentional and not mentioned). Failing to look
// is not worth an error: the new cluster does not depend on it.
func warnLeftovers(ctx context.Context, e *engine, log io.Writer) {
	found, err := findClusters(ctx, e)
	if err != nil {
		return
	}
	var names []string
	for _, l := range found {
		if !l.Kept && cluster.DriverProcessGone(l.Driver) {
			names = append(names, fmt.Sprintf("%s (%d containers)", l.Cluster, len(l.Containers)))
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(log, "docker: warning: %d cluster(s) left by a killed ducktape session: %s; remove them with `ducktape docker prune`\n", len(names), strings.Join(names, ", "))
	}
}
