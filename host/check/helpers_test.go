package check

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ducktape-go/ducktape/host/history"
)

// step is one event of a hand-written history: process p invokes (typ
// history.Invoke) or completes its open operation.
type step struct {
	p   int
	typ history.Type
	f   string
	v   any
}

func inv(p int, f string, v any) step { return step{p, history.Invoke, f, v} }
func ok(p int, f string, v any) step  { return step{p, history.OK, f, v} }
func fail(p int, f string) step       { return step{p, history.Fail, f, nil} }
func info(p int, f string) step       { return step{p, history.Info, f, nil} }
func list(xs ...any) []any            { return append([]any{}, xs...) }

// hist builds a history whose event i happens at i milliseconds; a
// completion pairs with its process's open invoke and, when its value is
// nil, keeps the invoked value (as History.Complete does).
func hist(steps ...step) history.File {
	var f history.File
	open := map[int]int{}
	for i, s := range steps {
		e := history.Event{Index: i, Type: s.typ, Process: s.p, F: s.f, Value: s.v, Time: time.Duration(i) * time.Millisecond, Invoke: -1}
		if s.typ != history.Invoke {
			at, found := open[s.p]
			if !found {
				panic(fmt.Sprintf("step %d: process %d has no open operation", i, s.p))
			}
			e.Invoke = at
			if e.Value == nil {
				e.Value = f.Events[at].Value
			}
			delete(open, s.p)
		} else {
			open[s.p] = i
		}
		f.Events = append(f.Events, e)
	}
	return f
}

// randomRegisterHistory simulates clients doing reads, writes and cas on a
// linearizable cas register over keys keys (0: a plain register, else kv
// values [key, value]) for n operations; each operation takes effect at a
// random point between its invoke and completion, so the history is
// linearizable and its operations overlap. A fraction infos of the
// operations ends as info, half of them before taking effect (never), half
// after.
func randomRegisterHistory(seed uint64, n, clients, keys int, infos float64) history.File {
	rng := rand.New(rand.NewPCG(seed, 0))
	state := map[int]any{}
	type flight struct {
		key     int
		f       string
		arg     any
		applied bool
		out     any
		failed  bool
	}
	flying := map[int]*flight{}
	var steps []step
	wrap := func(key int, v any) any {
		if keys == 0 {
			return v
		}
		return list(fmt.Sprint("k", key), v)
	}
	for started := 0; started < n || len(flying) > 0; {
		p := rng.IntN(clients)
		fl := flying[p]
		switch {
		case fl == nil && started < n:
			started++
			key := 0
			if keys > 0 {
				key = rng.IntN(keys)
			}
			fl = &flight{key: key}
			switch rng.IntN(3) {
			case 0:
				fl.f = "read"
				steps = append(steps, inv(p, "read", wrap(key, nil)))
			case 1:
				fl.f, fl.arg = "write", rng.IntN(5)
				steps = append(steps, inv(p, "write", wrap(key, fl.arg)))
			default:
				fl.f, fl.arg = "cas", list(rng.IntN(5), rng.IntN(5))
				steps = append(steps, inv(p, "cas", wrap(key, fl.arg)))
			}
			flying[p] = fl
		case fl == nil:
		case rng.Float64() < infos/2: // lost before or after it took effect
			delete(flying, p)
			steps = append(steps, info(p, fl.f))
		case !fl.applied:
			fl.applied = true
			switch fl.f {
			case "read":
				fl.out = state[fl.key]
			case "write":
				state[fl.key] = fl.arg
			default:
				old := fl.arg.([]any)
				if state[fl.key] == old[0] {
					state[fl.key] = old[1]
				} else {
					fl.failed = true
				}
			}
		default:
			delete(flying, p)
			switch {
			case fl.failed:
				steps = append(steps, fail(p, fl.f))
			case fl.f == "read":
				steps = append(steps, ok(p, "read", wrap(fl.key, fl.out)))
			default:
				steps = append(steps, ok(p, fl.f, nil))
			}
		}
	}
	return hist(steps...)
}

// assertContains fails t for each of words that text (named what) lacks.
func assertContains(t *testing.T, what, text string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}
