// Package cluster is how ducktape reaches machines: clusters of nodes,
// allocated and freed by spec, and each node's remote account.
//
// The layering is:
//
//   - [Account] is the small interface a provider implements: run a shell
//     command, reach the node's file system, find processes. The local
//     provider implements it with os/exec; the SSH provider with
//     golang.org/x/crypto/ssh and github.com/pkg/sftp.
//   - [RemoteAccount] is the ducktape API (ssh, ssh_output, ssh_capture,
//     copy_to, kill_process, ...) written once over any Account, so error
//     messages and semantics are identical on every provider.
//   - [Node] is a named, typed machine with its RemoteAccount.
//   - [Cluster] is a pool of nodes that tests allocate from and free to.
//
// Relative remote paths, and the directory commands start in, are the node's
// working directory: the login user's home on SSH nodes, the node's own
// scratch directory on local nodes.
package cluster
