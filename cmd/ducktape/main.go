// Command ducktape runs system integration and performance tests written in
// Starlark against a cluster of nodes. See README.md and docs/.
package main

import "os"

func main() {
	os.Exit(execute(newGlobalState()))
}
