// Package faults injects faults into a test's nodes and heals them: network
// partitions and packet loss (iptables rules), latency (tc netem), and
// process pauses and kills (signals). It is the Go side of the Starlark
// module faults (see starlib/faults.go and docs/faults.md).
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
// Files: registry.go (the registry), fault.go (a fault,
// its record), host.go (what a node offers), rules.go (iptables: partition,
// isolate, loss), netem.go (delay), process.go (pause, kill), leftovers.go
// (what a node still holds).
package faults
