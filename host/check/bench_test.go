package check

import (
	"fmt"
	"testing"

	"github.com/anishathalye/porcupine"

	"github.com/ducktape-go/ducktape/host/history"
)

// BenchmarkLinearizable measures check time against history size, for
// simulated linearizable histories (5 concurrent clients; kv: 10 clients on
// 10 keys; "info": 1% of the operations end as info, as under faults): "check" is Linearizable without a visualization, "visualized"
// with one written, and "porcupine" the reference, porcupine's own
// non-verbose check of the same operations. Figures: docs/performance.md.
func BenchmarkLinearizable(b *testing.B) {
	for _, bc := range []struct {
		name, model   string
		clients, keys int
		infos         float64
	}{{"cas-register", "cas-register", 5, 0, 0}, {"cas-register-info", "cas-register", 5, 0, 0.01}, {"kv", "kv", 10, 10, 0}} {
		for _, n := range []int{100, 1000, 10000} {
			h := randomRegisterHistory(1, n, bc.clients, bc.keys, bc.infos)
			name := fmt.Sprintf("%s/ops=%d", bc.name, n)
			b.Run(name+"/check", func(b *testing.B) {
				for b.Loop() {
					if r, err := Linearizable(h, bc.model, Options{}); err != nil || !r.OK {
						b.Fatal(err, r.Summary)
					}
				}
			})
			b.Run(name+"/visualized", func(b *testing.B) {
				dir := b.TempDir()
				for b.Loop() {
					if r, err := Linearizable(h, bc.model, Options{Dir: dir}); err != nil || !r.OK {
						b.Fatal(err, r.Summary)
					}
				}
			})
			b.Run(name+"/porcupine", func(b *testing.B) {
				pm, ops := benchOps(b, h, bc.model)
				for b.Loop() {
					if !porcupine.CheckOperations(pm, ops) {
						b.Fatal("not linearizable")
					}
				}
			})
		}
	}
}

// BenchmarkRefuteConcurrentWrites measures the worst case: refuting a read
// that overlaps n concurrent writes tries every subset of them. "porcupine"
// is the reference as in BenchmarkLinearizable.
func BenchmarkRefuteConcurrentWrites(b *testing.B) {
	for _, n := range []int{8, 10, 12, 14} {
		h := hardHistory(n)
		b.Run(fmt.Sprintf("writes=%d/check", n), func(b *testing.B) {
			for b.Loop() {
				if r, err := Linearizable(h, "register", Options{}); err != nil || r.OK || r.Unknown {
					b.Fatal(err, r.Summary)
				}
			}
		})
		b.Run(fmt.Sprintf("writes=%d/porcupine", n), func(b *testing.B) {
			pm, ops := benchOps(b, h, "register")
			for b.Loop() {
				if porcupine.CheckOperations(pm, ops) {
					b.Fatal("linearizable")
				}
			}
		})
	}
}

// benchOps prepares h for porcupine as Linearizable does.
func benchOps(b *testing.B, h history.File, model string) (porcupine.Model, []porcupine.Operation) {
	m := models[model]
	calls, _, err := prepare(m, history.Operations(h.Events))
	if err != nil {
		b.Fatal(err)
	}
	return porcupineModel(m), porcupineOps(calls)
}
