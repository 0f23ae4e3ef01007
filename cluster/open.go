package cluster

import "fmt"

// Options choose and configure a cluster provider, as the CLI's --cluster,
// --cluster-file and --local-nodes flags do.
type Options struct {
	// Provider is "local", "json" or "vagrant" ("docker" is package
	// cluster/docker's Open, "kubernetes" package cluster/kube's). Empty means "json" when File is set and
	// "local" otherwise.
	Provider string
	// File is the ducktape cluster file for the json provider.
	File string
	// LocalNodes is the size of a local cluster.
	LocalNodes int
}

// Open builds the cluster that opts describe. The caller must Close it.
func Open(opts Options) (*Cluster, error) {
	provider := opts.Provider
	if provider == "" {
		provider = "local"
		if opts.File != "" {
			provider = "json"
		}
	}
	switch provider {
	case "local":
		return NewLocal(opts.LocalNodes)
	case "json":
		if opts.File == "" {
			return nil, fmt.Errorf("--cluster json needs --cluster-file")
		}
		return OpenClusterFile(opts.File)
	case "vagrant":
		return OpenVagrant()
	default:
		return nil, fmt.Errorf("unknown cluster provider %q (want local, json, vagrant, docker or kubernetes)", provider)
	}
}
