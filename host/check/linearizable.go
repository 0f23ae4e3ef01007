package check

import (
	"fmt"
	"hash/maphash"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/ducktape-go/ducktape/host/history"
)

// DefaultTimeLimit bounds a linearizability search when Options.TimeLimit
// is zero.
const DefaultTimeLimit = time.Minute

// Options tunes Linearizable.
type Options struct {
	// TimeLimit bounds the search; past it the verdict is unknown. Zero
	// means DefaultTimeLimit.
	TimeLimit time.Duration
	// Dir is where the visualization is written; empty for none.
	Dir string
}

// Linearizable checks that the history's operations are linearizable with
// respect to the named model ("register", "cas-register", "kv", "set"), on
// porcupine. fail operations are left out, and so are reads whose outcome is
// unknown (they change nothing); other info or never completed operations
// may take effect at any point after their call, or never (porcupine's
// convention: they return at an infinite time). kv is checked per key.
//
// When opts.Dir is set, porcupine's HTML visualization of the history (with
// the history's faults as annotations) is written there and its path
// returned in the result.
func Linearizable(h history.File, modelName string, opts Options) (Result, error) {
	m, err := lookupModel(modelName)
	if err != nil {
		return Result{}, err
	}
	calls, skipped, err := prepare(m, history.Operations(h.Events))
	if err != nil {
		return Result{}, err
	}
	limit := opts.TimeLimit
	if limit <= 0 {
		limit = DefaultTimeLimit
	}
	pm := porcupineModel(m)
	ops := porcupineOps(calls)
	began := time.Now()
	verdict, info := porcupine.CheckOperationsVerbose(pm, ops, limit)
	took := time.Since(began)

	parts := pm.Partition(ops)
	res := Result{Name: "linearizable", Model: m.name, OK: verdict == porcupine.Ok, Unknown: verdict == porcupine.Unknown,
		Details: map[string]any{"operations": len(calls), "skipped": skipped, "partitions": len(parts),
			"check_seconds": took.Seconds()}}
	what := countWords(len(calls), skipped, len(parts), m.partitioned)
	switch verdict {
	case porcupine.Ok:
		res.Summary = fmt.Sprintf("linearizable (%s; checked in %s)", what, took.Round(time.Millisecond))
	case porcupine.Unknown:
		res.Summary = fmt.Sprintf("unknown: the linearizability search (%s) did not finish within the time limit of %s, "+
			"so the history may or may not be linearizable; check a shorter history, with fewer concurrent clients or info operations, or raise the time limit",
			what, limit)
	default:
		res.Summary = fmt.Sprintf("not linearizable (%s): %s", what, explain(m, parts, info))
		res.Found = "a non-linearizable history"
	}
	if opts.Dir != "" {
		info.AddAnnotations(faultAnnotations(h.Faults, lastTime(calls)))
		if res.Visualization, err = visualize(pm, info, opts.Dir, "linearizable-"+m.name); err != nil {
			return res, err
		}
	}
	return res, nil
}

// prepare parses every operation for m and keeps those the check needs:
// fail operations did not happen and unknown reads change nothing.
func prepare(m *model, ops []history.Operation) (calls []*call, skipped int, err error) {
	for _, op := range ops {
		c, err := m.parse(op)
		if err != nil {
			return nil, 0, fmt.Errorf("model %s: operation %d (process %d, %s): %w", m.name, op.Index, op.Process, op.F, err)
		}
		if op.Type == history.Fail || (c.unknown && c.f == "read") {
			skipped++
			continue
		}
		calls = append(calls, c)
	}
	return calls, skipped, nil
}

func porcupineOps(calls []*call) []porcupine.Operation {
	ids := clientIDs(calls)
	ops := make([]porcupine.Operation, len(calls))
	for i, c := range calls {
		ret := int64(math.MaxInt64) // unknown: may take effect at any later time
		if !c.unknown {
			ret = int64(c.op.Return)
		}
		ops[i] = porcupine.Operation{ClientId: ids[c.op.Process], Input: c, Call: int64(c.op.Call), Return: ret,
			Metadata: c.op}
	}
	return ops
}

// clientIDs maps processes to porcupine's client rows: the process number
// itself when all are small and non-negative, else their rank.
func clientIDs(calls []*call) map[int]int {
	ids := map[int]int{}
	small := true
	for _, c := range calls {
		ids[c.op.Process] = c.op.Process
		small = small && c.op.Process >= 0 && c.op.Process < 1000
	}
	if !small {
		rank := 0
		for _, p := range slices.Sorted(maps.Keys(ids)) {
			ids[p] = rank
			rank++
		}
	}
	return ids
}

// stateSeed seeds the state hashes; one seed, so equal states hash equally.
var stateSeed = maphash.MakeSeed()

func porcupineModel(m *model) porcupine.Model {
	pm := porcupine.Model{
		Init: func() any { return m.init },
		Step: func(state, input, _ any) (bool, any) {
			return m.step(state.(string), input.(*call))
		},
		Hash:              func(state any) uint64 { return maphash.String(stateSeed, state.(string)) },
		DescribeOperation: func(input, _ any) string { return m.describe(input.(*call)) },
		DescribeState:     func(state any) string { return m.showState(state.(string)) },
		DescribeOperationMetadata: func(meta any) string {
			op := meta.(history.Operation)
			return fmt.Sprintf("process %d, %s (event %d)", op.Process, op.Type, op.Index)
		},
		Partition: func(ops []porcupine.Operation) [][]porcupine.Operation { return [][]porcupine.Operation{ops} },
	}
	if m.partitioned {
		pm.Partition = partitionByKey
	}
	return pm
}

// partitionByKey splits kv operations per key, keys in order of first use.
func partitionByKey(ops []porcupine.Operation) [][]porcupine.Operation {
	var parts [][]porcupine.Operation
	at := map[string]int{}
	for _, op := range ops {
		key := op.Input.(*call).key
		i, ok := at[key]
		if !ok {
			i = len(parts)
			at[key] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

func countWords(n, skipped, parts int, partitioned bool) string {
	s := plural(n, "operation")
	if partitioned {
		s += " on " + plural(parts, "key")
	}
	if skipped > 0 {
		s += fmt.Sprintf(", %d more left out (failed, or reads of unknown outcome)", skipped)
	}
	return s
}

func lastTime(calls []*call) time.Duration {
	var last time.Duration
	for _, c := range calls {
		last = max(last, c.op.Call, c.op.Return)
	}
	return last
}
