// Command sshsimd serves simulated SSH nodes for benchmarks (see package
// cluster/sshsim): it prints "ADDR PORT" for each node, then "ready", and
// serves until its standard input closes.
//
//	sshsimd -n 1000 -hostkey hostkey -authorized authorized_keys
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"golang.org/x/crypto/ssh"

	"github.com/ducktape-go/ducktape/cluster/sshsim"
)

func main() {
	n := flag.Int("n", 1, "number of nodes")
	hostKeyFile := flag.String("hostkey", "", "the nodes' private host key")
	authorizedFile := flag.String("authorized", "", "authorized_keys: the client key to accept")
	flag.Parse()
	if err := sshsim.RaiseFileLimit(); err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile(*hostKeyFile)
	if err != nil {
		log.Fatal(err)
	}
	hostKey, err := ssh.ParsePrivateKey(data)
	if err != nil {
		log.Fatal(err)
	}
	data, err = os.ReadFile(*authorizedFile)
	if err != nil {
		log.Fatal(err)
	}
	authorized, _, _, _, err := ssh.ParseAuthorizedKey(data)
	if err != nil {
		log.Fatal(err)
	}
	srv, err := sshsim.Listen(*n, hostKey, authorized)
	if err != nil {
		log.Fatal(err)
	}
	for _, node := range srv.Nodes {
		fmt.Printf("%s %d\n", node.Addr, node.Port)
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
}
