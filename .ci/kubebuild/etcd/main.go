// Command etcd is etcd's server, built from go.etcd.io/etcd/server/v3 at
// the version k8s.io/kubernetes requires (Debian's etcd 3.4 is too old for
// the API server).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
