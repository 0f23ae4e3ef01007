// Command kubeup starts and stops the single-node Kubernetes cluster of the
// project's tests, offline, on this machine (.ci/kube calls it; see
// docs/clusters.md, "Kubernetes nodes"):
//
//	kubeup up   -bin DIR -node-image NAME   start it, print KUBECONFIG=<file>
//	kubeup down                             stop it and remove what up made
//	kubeup controllers                      (run by up) schedule pods, finish namespaces
//
// The cluster is etcd, kube-apiserver, kubelet, the few controllers of
// kube-controller-manager and kube-scheduler its tests need, done by this
// program (kubeup controllers, started by up: controllers.go says which
// and why), and Debian's containerd and runc
// with a CNI bridge from Debian's containernetworking-plugins, so every pod
// has an address of its own on 10.97.0.0/24. Clients authenticate with
// tokens; the API server reaches the kubelet with a client certificate.
// Nothing is pulled: containerd's sandbox image is the pause program built
// beside the binaries, and the node image is imported from the Docker
// Engine (docker save | ctr import).
//
// Everything lives under -dir (default /tmp/ducktape-kube) except the
// images, kept in containerd's root under -cache so that a second up
// imports nothing. up first removes what a killed earlier cluster left.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet("kubeup "+cmd, flag.ExitOnError)
	home, _ := os.UserHomeDir()
	c := &kube{}
	fs.StringVar(&c.dir, "dir", envOr("DUCKTAPE_KUBE_DIR", "/tmp/ducktape-kube"), "the cluster's state: configuration, data, logs")
	fs.StringVar(&c.cache, "cache", filepath.Join(home, ".cache", "ducktape-kube"), "containerd's root (images), kept across clusters")
	fs.StringVar(&c.bin, "bin", "", "directory of the built binaries (up)")
	fs.StringVar(&c.nodeImage, "node-image", "", "image of the Docker Engine to import into containerd (up)")
	fs.Parse(os.Args[2:])
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd {
	case "up":
		if c.bin == "" {
			usage()
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		err = c.up(ctx)
		if err != nil {
			// The logs outlive the clean-up, for whoever reads the error.
			logs := c.dir + "-logs"
			os.RemoveAll(logs)
			if os.Rename(c.path("logs"), logs) != nil {
				logs = c.path("logs")
			}
			fmt.Fprintf(os.Stderr, "kubeup: %v\n(the components' logs: %s)\n", err, logs)
			if derr := c.down(); derr != nil {
				fmt.Fprintf(os.Stderr, "kubeup: cleaning up: %v\n", derr)
			}
			os.Exit(1)
		}
		fmt.Printf("KUBECONFIG=%s\n", c.path("admin.kubeconfig"))
	case "down":
		err = c.down()
	case "controllers":
		err = c.controllers(ctx)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "kubeup %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kubeup up -bin DIR [-node-image NAME] [-dir DIR] [-cache DIR] | kubeup down [-dir DIR] [-cache DIR]")
	os.Exit(2)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
