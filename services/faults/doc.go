// Package faults injects faults into a test's nodes and heals them: network
// partitions and packet loss (iptables rules), latency (tc netem), process
// pauses and kills (signals), and storage faults: lazy file systems (see
// package lazyfs) that lose what was not fsynced on a power loss, fail
// operations, or slow them, and corruption of files. It is the Go side of
// the Starlark module faults (see starlib/faults.go and docs/faults.md).
//
// Each test has one [Registry]. Every fault it injects is tagged with the
// registry's tag plus the fault's number ("ducktape-<hash of the test
// id>-<n>") wherever the node allows a tag (iptables comments), and
// recorded with its inject and heal times for the test's report. A fault
// is healed by its [Fault.Heal], by [Registry.HealAll], and at the latest
// by [Registry.Close] in the test's teardown, before its logs are
// collected; healing removes exactly what the injection added.
//
// Network faults run privileged commands through the node's account: as
// root, or with passwordless sudo. Before injecting, the registry checks
// (once per node) that the node has the tools and the privilege, and that
// every node involved has a network stack of its own, so that a rule meant
// for one node never affects another, or the test runner.
//
// Storage faults run the lazyfs helper on the node (the driver's own
// binary, copied once per session where the node is not local; see
// helper.go) as root. A lazy file system is not a fault: the registry
// unmounts it in CloseStorage, after the test's services were stopped and
// their logs collected. Power losses and corruptions are events: healed
// the moment their injection ends.
//
// Files: registry.go (the registry), fault.go (a fault,
// its record), host.go (what a node offers), rules.go (iptables: partition,
// isolate, loss), netem.go (delay), process.go (pause, kill), leftovers.go
// (what a node still holds), helper.go (the lazyfs helper on a node),
// storage.go (lazy file systems and the storage faults).
package faults
