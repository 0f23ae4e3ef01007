// Package sshsim is a benchmark harness: one process that serves SSH on
// many loopback addresses, standing in for hundreds or thousands of nodes,
// so that the driver's own costs (connections, fan-out, services across
// every node, log collection, teardown, CPU per command) can be measured
// past the nodes one machine can run as real sshd processes.
//
// It is for benchmarks only: it is used from _bench_test.go files and the
// bench script, never from tests, which run against real sshd nodes
// (cluster/sshtest). What a real node costs is measured there.
//
// The server ([Server]) is golang.org/x/crypto/ssh answering exec requests
// without forking: a small interpreter ([Node.Run]) knows the handful of
// command forms the benchmarks send (true, echo, cat, sleep, a background
// start, kill, the process listing and liveness check of the SSH account,
// after the exports that ducktape puts before every command), and the
// sftp subsystem is github.com/pkg/sftp's request server on an in-memory
// file system per node, which the interpreter shares. Any other command
// exits 127 with "sshsim: command not simulated".
//
// [Start] runs the server in a child process (the sshsimd command, built
// for the benchmark), so that the benchmark process's CPU time
// (getrusage) is the driver's alone.
package sshsim
