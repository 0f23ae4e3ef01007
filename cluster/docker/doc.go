// Package docker is the docker cluster provider: each node is a container
// of a Docker Engine, a host of its own (hostname, address on a bridge
// network made for the cluster, file system, process table, network
// stack), so faults, kills and partitions act as between machines.
//
// The engine is the one DOCKER_HOST names (unix://, tcp:// or ssh://), else
// the default socket; it is reached with the official Go client
// (github.com/moby/moby/client), which negotiates the API version, so
// engines from 20.10 (API 1.41) on work.
//
// Nodes are reached over SSH: every container runs sshd (with a host key
// and an authorized key made for the cluster), and the nodes form an
// ordinary SSH cluster of package cluster, with its pooled connections,
// SFTP transfers and process-group cancellation. A command costs what it
// costs on any SSH node, not the 100+ ms of a `docker exec`. With a local
// engine the driver connects to the containers' bridge addresses; with a
// remote one (tcp://, ssh://) to ports the engine publishes on its host.
//
// The default image is built on first use from the driver's own installed
// Debian packages (see image.go), tagged by the hash of what went into it,
// so no registry is needed and a second build is skipped.
//
// Everything the provider creates carries the labels of labels.go; closing
// the cluster removes the containers and the network (unless Keep), and
// [Prune] removes what a killed driver left.
package docker
