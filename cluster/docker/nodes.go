package docker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// readyTimeout bounds how long a node's sshd may take to answer. A
// variable only so that tests can shorten it; never set while a cluster
// opens.
var readyTimeout = 60 * time.Second

// createParallelism bounds the containers created at once: engines
// serialize much of the work, and more at once only adds contention.
const createParallelism = 16

// dockerCluster is what one docker cluster created on its engine.
type dockerCluster struct {
	e          *engine
	id         string // cluster id: names and labels everything below
	opts       Options
	log        io.Writer
	net        *clusterNetwork
	creds      *credentials
	containers []string    // ids in node order ("" for one never created)
	sshAddrs   []sshAddr   // where the driver reaches each node's sshd, in node order
	noFUSE     atomic.Bool // the engine's host has no /dev/fuse
}

// sshAddr is where the driver reaches a node's sshd: its address on the
// cluster's network, or the port the (remote) engine published for it.
type sshAddr struct {
	host string
	port int
}

// Open starts a docker cluster as opts describe: an image (built when it is
// the default and missing), a network, opts.Nodes containers, each running
// sshd, and an SSH cluster over them. The caller must Close the cluster,
// which removes the containers and the network unless opts.Keep. A failure
// halfway removes what was made.
func Open(ctx context.Context, opts Options) (*cluster.Cluster, error) {
	if opts.Nodes == 0 {
		opts.Nodes = DefaultNodes
	}
	if opts.Nodes < 1 || opts.Nodes > maxNodes {
		return nil, fmt.Errorf("--docker-nodes must be between 1 and %d, not %d", maxNodes, opts.Nodes)
	}
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	e, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	dc := &dockerCluster{e: e, id: newClusterID(), opts: opts, log: log}
	image, err := dc.start(ctx)
	var cl *cluster.Cluster
	if err == nil {
		cl, err = dc.startNodes(ctx, image)
	}
	if err != nil {
		if rmErr := dc.remove(); rmErr != nil {
			err = fmt.Errorf("%w (and cleaning up: %v)", err, rmErr)
		}
		return nil, err
	}
	return cl, nil
}

// newClusterID returns a new cluster id, e.g. "ducktape-3fa9c1".
func newClusterID() string {
	b := make([]byte, 3)
	rand.Read(b)
	return "ducktape-" + hex.EncodeToString(b)
}

// labels returns the labels of the cluster's containers and network.
func (dc *dockerCluster) labels() map[string]string {
	l := map[string]string{labelCluster: dc.id, labelDriver: cluster.DriverProcess()}
	if dc.opts.Keep {
		l[labelKeep] = "true"
	}
	return l
}

// start makes the image, network and credentials; it returns the image.
func (dc *dockerCluster) start(ctx context.Context) (string, error) {
	warnLeftovers(ctx, dc.e, dc.log)
	image, err := ensureImage(ctx, dc.e, dc.opts, dc.log)
	if err != nil {
		return "", err
	}
	if dc.net, err = createNetwork(ctx, dc.e, dc.id, dc.labels()); err != nil {
		return "", err
	}
	if dc.creds, err = newCredentials(dc.id); err != nil {
		return "", err
	}
	return image, nil
}

// startNodes creates and starts every node's container, at most
// createParallelism at once, and returns the SSH cluster over them once
// every node answers. Each node is checked on its own as soon as its sshd
// answers, while the others still start. On a local engine the nodes'
// addresses are known before their containers exist, so the SSH cluster
// is made first and each node's first command (its connection, reused by
// the test) runs beside the other containers' start; a remote engine
// publishes each node's port only once its container runs, so there the
// SSH cluster is made, and every node checked, when all are up.
func (dc *dockerCluster) startNodes(ctx context.Context, image string) (*cluster.Cluster, error) {
	n := dc.opts.Nodes
	dc.containers = make([]string, n)
	dc.sshAddrs = make([]sshAddr, n)
	local := dc.e.remoteHost == ""
	var cl *cluster.Cluster
	var accounts []*account
	if local {
		for i := range dc.sshAddrs {
			dc.sshAddrs[i] = sshAddr{dc.net.nodeAddr(i + 1).String(), 22}
		}
		var err error
		if cl, accounts, err = dc.sshCluster(); err != nil {
			return nil, err
		}
	}
	errs := make([]error, n)
	sem := make(chan struct{}, createParallelism)
	ready, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			id, err := dc.startContainer(ctx, i+1, image)
			<-sem
			dc.containers[i] = id
			switch {
			case err != nil:
			case local:
				accounts[i].container = id // before the node's first command, which may diagnose it
				awaitBanner(ready, dc.sshAddrs[i], dc.runs(id))
				err = nodeReady(ctx, cl.Nodes()[i])
			default:
				if dc.sshAddrs[i], err = dc.sshAddrOf(ctx, i+1, id); err == nil {
					awaitBanner(ready, dc.sshAddrs[i], dc.runs(id))
				}
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		closeAccounts(cl)
		return nil, err
	}
	if local {
		return cl, nil
	}
	cl, accounts, err := dc.sshCluster()
	if err != nil {
		return nil, err
	}
	for i, a := range accounts {
		a.container = dc.containers[i]
	}
	if err := waitReady(ctx, cl.Nodes()); err != nil {
		closeAccounts(cl)
		return nil, err
	}
	return cl, nil
}

// closeAccounts closes the SSH connections of cl's nodes (cl may be nil),
// leaving the containers to the caller's clean-up (Open's dc.remove).
func closeAccounts(cl *cluster.Cluster) {
	if cl == nil {
		return
	}
	for _, n := range cl.Nodes() {
		n.Account.Account().Close()
	}
}

// sshAddrOf returns where the driver reaches node i's sshd.
func (dc *dockerCluster) sshAddrOf(ctx context.Context, i int, id string) (sshAddr, error) {
	if dc.e.remoteHost == "" {
		return sshAddr{dc.net.nodeAddr(i).String(), 22}, nil
	}
	p, err := dc.publishedPort(ctx, id)
	if err != nil {
		return sshAddr{}, fmt.Errorf("node %s: %w", nodeName(i), err)
	}
	return sshAddr{dc.e.remoteHost, p}, nil
}

// awaitBanner waits, until ctx is done or the node's container no longer
// runs (asked once a second), for a's sshd to send its version line: so
// that each node's sshd starts while the other containers are still being
// created, and the node's first command finds it up. It only waits:
// nodeReady says what is wrong with a node that never answers (with its
// container's state and last log lines when it stopped).
func awaitBanner(ctx context.Context, a sshAddr, runs func(context.Context) bool) {
	addr := net.JoinHostPort(a.host, strconv.Itoa(a.port))
	asked := time.Now()
	for ctx.Err() == nil {
		if bannerOf(ctx, addr) {
			return
		}
		if time.Since(asked) >= time.Second {
			if !runs(ctx) {
				return
			}
			asked = time.Now()
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// runs returns a check of whether container id still runs (a failed
// inspection counts as running: the node's first command will tell).
func (dc *dockerCluster) runs(id string) func(context.Context) bool {
	return func(ctx context.Context) bool {
		res, err := dc.e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		if err != nil {
			return !isNotFound(err)
		}
		return res.Container.State == nil || res.Container.State.Running
	}
}

// bannerOf reports whether addr answers with an SSH version line within 2
// s (an engine's port proxy accepts connections before the container's
// sshd listens, and holds them).
func bannerOf(ctx context.Context, addr string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	dl, _ := ctx.Deadline()
	conn.SetReadDeadline(dl)
	line := make([]byte, 4)
	_, err = io.ReadFull(conn, line)
	return err == nil && string(line) == "SSH-"
}

// nodeName is node i's name and hostname (1-based).
func nodeName(i int) string { return "docker" + strconv.Itoa(i) }

// startContainer creates and starts node i's container. It returns the
// container's id once it exists, also with an error, so that it is removed.
// The container gets the FUSE device, for lazy file systems (see
// fuseDevice), unless the engine's host has none: then it is made again
// without it, and the nodes cannot mount them (the storage faults say so).
func (dc *dockerCluster) startContainer(ctx context.Context, i int, image string) (string, error) {
	if !dc.noFUSE.Load() {
		id, err := dc.createContainer(ctx, i, image, true)
		if err == nil || !strings.Contains(err.Error(), fuseDevice) {
			return id, err
		}
		if id != "" {
			if _, rmErr := dc.e.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true}); rmErr != nil {
				return id, err
			}
		}
		if !dc.noFUSE.Swap(true) {
			fmt.Fprintf(dc.log, "docker: the engine's host has no %s, so the nodes cannot mount lazy file systems (storage faults)\n", fuseDevice)
		}
	}
	return dc.createContainer(ctx, i, image, false)
}

// fuseDevice is the device a FUSE file system is mounted through.
const fuseDevice = "/dev/fuse"

// createContainer creates and starts node i's container, with the FUSE
// device when fuse: /dev/fuse and CAP_SYS_ADMIN (mount(2) needs it), the
// least that lets the node mount a lazy file system (see docs/faults.md).
func (dc *dockerCluster) createContainer(ctx context.Context, i int, image string, fuse bool) (string, error) {
	name := nodeName(i)
	cfg := &container.Config{
		Image:    image,
		Hostname: name,
		Cmd:      sshdCommand,
		Env:      dc.creds.nodeEnv(),
		Labels:   dc.labels(),
	}
	host := &container.HostConfig{
		NetworkMode: container.NetworkMode(dc.net.name),
		Init:        ptr(true), // reaps the orphans of daemonized services
		CapAdd:      []string{"NET_ADMIN"},
		Privileged:  dc.opts.Privileged,
	}
	if fuse {
		host.CapAdd = append(host.CapAdd, "SYS_ADMIN")
		host.Devices = []container.DeviceMapping{{PathOnHost: fuseDevice, PathInContainer: fuseDevice, CgroupPermissions: "rwm"}}
	}
	for _, m := range dc.opts.Mounts {
		host.Binds = append(host.Binds, m.bind())
	}
	if dc.e.remoteHost != "" {
		port := network.MustParsePort("22/tcp")
		cfg.ExposedPorts = network.PortSet{port: {}}
		host.PortBindings = network.PortMap{port: {{}}}
	}
	netCfg := &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
		dc.net.name: {IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: dc.net.nodeAddr(i)}, Aliases: []string{name}},
	}}
	res, err := dc.e.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: dc.id + "-" + name, Config: cfg, HostConfig: host, NetworkingConfig: netCfg,
	})
	if err != nil {
		return "", fmt.Errorf("node %s: creating its container: %w%s", name, err, resourceHint(err))
	}
	if _, err := dc.e.cli.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		return res.ID, fmt.Errorf("node %s: starting its container: %w%s", name, err, resourceHint(err))
	}
	return res.ID, nil
}

// resourceHint adds advice to an engine error that says it ran out of
// something.
func resourceHint(err error) string {
	msg := err.Error()
	for _, s := range []string{"no space left", "cannot allocate memory", "out of memory", "too many"} {
		if strings.Contains(msg, s) {
			return " (the engine's machine ran out of resources: try fewer --docker-nodes, or free disk and memory there)"
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

// sshCluster builds the SSH cluster over the nodes' sshd addresses
// (dc.sshAddrs), with each node's docker account; the accounts are
// returned too, in node order, for their container ids to be set. Closing
// the cluster removes the docker cluster (dc.close).
func (dc *dockerCluster) sshCluster() (*cluster.Cluster, []*account, error) {
	var nodes []cluster.SSHNode
	var addrs []string
	for i, a := range dc.sshAddrs {
		name := nodeName(i + 1)
		ip := dc.net.nodeAddr(i + 1).String()
		hostname, port := a.host, a.port
		addrs = append(addrs, knownHostsAddr(hostname, port))
		nodes = append(nodes, cluster.SSHNode{
			ExternallyRoutableIP: ip,
			SSH: cluster.SSHConfig{
				Host: name, HostName: hostname, Port: port, User: "root",
				IdentityFiles:         []string{dc.creds.clientKeyPath},
				KnownHostsFiles:       []string{dc.creds.knownHosts},
				StrictHostKeyChecking: "yes",
			},
		})
	}
	if err := dc.creds.writeKnownHosts(addrs); err != nil {
		return nil, nil, err
	}
	ssh, err := cluster.NewSSH(nodes, "docker cluster "+dc.id)
	if err != nil {
		return nil, nil, err
	}
	built := ssh.Nodes()
	accounts := make([]*account, len(built))
	for i, n := range built {
		accounts[i] = &account{Account: n.Account.Account(), dc: dc, node: n.Name}
		n.Account = cluster.NewRemoteAccount(n.Name, accounts[i])
	}
	return cluster.New(built, dc.close), accounts, nil
}

// knownHostsAddr is OpenSSH's known_hosts form of an address.
func knownHostsAddr(host string, port int) string {
	if port == 22 {
		return host
	}
	return "[" + host + "]:" + strconv.Itoa(port)
}

// publishedPort returns the engine host's port that forwards to a
// container's sshd.
func (dc *dockerCluster) publishedPort(ctx context.Context, id string) (int, error) {
	res, err := dc.e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return 0, err
	}
	if res.Container.NetworkSettings != nil {
		for _, b := range res.Container.NetworkSettings.Ports[network.MustParsePort("22/tcp")] {
			if p, err := strconv.Atoi(b.HostPort); err == nil {
				return p, nil
			}
		}
	}
	return 0, errors.New("the engine published no port for its sshd")
}

// waitReady runs nodeReady on every node at once.
func waitReady(ctx context.Context, nodes []*cluster.Node) error {
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = nodeReady(ctx, n)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// nodeReady runs `true` on node n until it answers or readyTimeout
// passes; a node that does not answer is named with its container's state
// and last log lines.
//
// Each attempt has its own deadline, doubling from 5 s: a published port
// accepts connections before the container's sshd listens (the engine's
// proxy holds them while it dials the container), and an attempt cut by
// its own deadline is retried, where a dial that ran into the node's
// connect timeout would make the node fail fast for a while
// (docs/clusters.md). Nodes get here with their sshd answering already
// (awaitBanner), so the first attempt usually succeeds; a loaded machine
// can take seconds for 16 handshakes at once.
func nodeReady(ctx context.Context, n *cluster.Node) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	attempt := 5 * time.Second
	for {
		actx, cancelAttempt := context.WithTimeout(ctx, attempt)
		_, err := n.Account.Account().Exec(actx, "true", nil, nil)
		cancelAttempt()
		if err == nil {
			return nil
		}
		attempt = min(2*attempt, 16*time.Second)
		var dead *DeadNodeError
		if errors.As(err, &dead) || ctx.Err() != nil {
			return fmt.Errorf("node %s did not come up: %w", n.Name, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// close is the cluster's clean-up: it removes the containers and the
// network, or, with Keep, says how to reach them.
func (dc *dockerCluster) close() error {
	if dc.opts.Keep {
		fmt.Fprintf(dc.log, "docker: kept cluster %s (%d nodes). Enter a node with `docker exec -it %s-docker1 bash` or `ssh -i %s root@%s`; remove it with `ducktape docker prune`\n",
			dc.id, len(dc.containers), dc.id, dc.creds.clientKeyPath, dc.net.nodeAddr(1))
		return nil
	}
	return dc.remove()
}

// remove deletes what the cluster made, whatever the state of the test
// that used it (it uses its own context: it also runs after Ctrl-C).
func (dc *dockerCluster) remove() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	errs = append(errs, removeContainers(ctx, dc.e, dc.containers))
	if dc.net != nil {
		if _, err := dc.e.cli.NetworkRemove(ctx, dc.net.id, client.NetworkRemoveOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("removing network %s: %w", dc.net.name, err))
		}
	}
	if dc.creds != nil {
		os.RemoveAll(dc.creds.dir)
	}
	dc.e.close()
	return errors.Join(errs...)
}

// removeContainers force-removes containers (and their anonymous volumes)
// in parallel.
func removeContainers(ctx context.Context, e *engine, ids []string) error {
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		if id == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			if err != nil && !isNotFound(err) {
				errs[i] = fmt.Errorf("removing container %.12s: %w", id, err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
