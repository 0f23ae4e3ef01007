package cluster_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/cluster/sshsim"
	"golang.org/x/crypto/ssh"
)

// simSizes are the simulated cluster sizes of the growth table
// (docs/performance.md, "Many nodes").
var simSizes = []int{100, 1000, 5000}

// BenchmarkSimFanout measures, on simulated nodes (cluster/sshsim), one op
// being: open the cluster, a first round of `true` on every node at once
// (each connecting), steadyRounds more rounds on the open connections,
// and closing the cluster. Metrics: first-round-ms (and the driver's CPU
// per node in it, first-cpu-ms/node), steady-round-ms, close-ms, and the driver's CPU per command in the steady rounds
// (cpu-ms/cmd), beside the same rounds through bare x/crypto/ssh sessions
// on connections of their own (bare-cpu-ms/cmd).
//
//	go test ./cluster -run '^$' -bench SimFanout -benchtime 1x
func BenchmarkSimFanout(b *testing.B) {
	const steadyRounds = 5
	for _, n := range simSizes {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			ns := sshsim.Start(b, n)
			ctx := context.Background()
			var first, firstCPU, steady, closing, cpu time.Duration
			for range b.N {
				c, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
				if err != nil {
					b.Fatal(err)
				}
				nodes := c.Nodes()
				round := func() {
					parallel(b, n, func(i int) error { _, err := nodes[i].Account.SSH(ctx, "true", false); return err })
				}
				start, cpu0 := time.Now(), sshsim.ProcessCPU()
				round()
				first += time.Since(start)
				firstCPU += sshsim.ProcessCPU() - cpu0
				start, cpu0 = time.Now(), sshsim.ProcessCPU()
				for range steadyRounds {
					round()
				}
				steady += time.Since(start)
				cpu += sshsim.ProcessCPU() - cpu0
				start = time.Now()
				if err := c.Close(); err != nil {
					b.Fatal(err)
				}
				closing += time.Since(start)
			}
			ms := func(d time.Duration, per int) float64 {
				return float64(d) / float64(time.Millisecond) / float64(b.N*per)
			}
			b.ReportMetric(ms(first, 1), "first-round-ms")
			b.ReportMetric(ms(firstCPU, n), "first-cpu-ms/node")
			b.ReportMetric(ms(steady, steadyRounds), "steady-round-ms")
			b.ReportMetric(ms(closing, 1), "close-ms")
			b.ReportMetric(ms(cpu, steadyRounds*n), "cpu-ms/cmd")
			b.ReportMetric(bareFanoutCPU(b, ns, steadyRounds), "bare-cpu-ms/cmd")
		})
	}
}

// bareFanoutCPU runs rounds of `true` on every node through bare
// x/crypto/ssh sessions, one connection per node, and returns the driver's
// CPU per command in ms.
func bareFanoutCPU(b *testing.B, ns *sshsim.Nodes, rounds int) float64 {
	dial := bareDialer(b, ns.Files)
	clients := make([]*ssh.Client, len(ns.Hosts))
	parallel(b, len(clients), func(i int) error {
		var err error
		clients[i], err = dial(ns.Hosts[i])
		return err
	})
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	cpu0 := sshsim.ProcessCPU()
	for range rounds {
		parallel(b, len(clients), func(i int) error {
			s, err := clients[i].NewSession()
			if err != nil {
				return err
			}
			defer s.Close()
			return s.Run("true")
		})
	}
	return float64(sshsim.ProcessCPU()-cpu0) / float64(time.Millisecond) / float64(rounds*len(clients))
}

// BenchmarkSimSequential: one `true` after another on one simulated node,
// through ducktape's account and through a bare x/crypto/ssh session on a
// connection of its own; cpu-ms/op is the driver's CPU per command.
//
//	go test ./cluster -run '^$' -bench SimSequential -benchtime 5000x
func BenchmarkSimSequential(b *testing.B) {
	ns := sshsim.Start(b, 1)
	ctx := context.Background()
	b.Run("ducktape", func(b *testing.B) {
		c, err := cluster.Open(cluster.Options{File: ns.ClusterFile})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		acct := c.Nodes()[0].Account
		acct.SSH(ctx, "true", false) // connect
		cpu := startCPU(b)
		for range b.N {
			if _, err := acct.SSH(ctx, "true", false); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report()
	})
	b.Run("bare-x-crypto-ssh", func(b *testing.B) {
		client, err := bareDialer(b, ns.Files)(ns.Hosts[0])
		if err != nil {
			b.Fatal(err)
		}
		defer client.Close()
		benchBareTrue(b, client)
	})
}
