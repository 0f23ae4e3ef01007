package check

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ducktape-go/ducktape/host/history"
)

// Set is Jepsen's set checker: operations are add (value x) and read
// (completes with the list read). The final read (the last read that
// completed ok) must contain every add acknowledged before it began (else
// they are lost) and nothing that was never added, or whose add failed
// (unexpected). Adds of unknown outcome may or may not be there; those read
// back are reported as recovered. Without an ok read the verdict is unknown.
func Set(h history.File) (Result, error) {
	ops := history.Operations(h.Events)
	if err := onlyAddRead("set", ops); err != nil {
		return Result{}, err
	}
	var final *history.Operation
	for i, op := range ops {
		if op.F == "read" && op.Type == history.OK && (final == nil || op.Completion > final.Completion) {
			final = &ops[i]
		}
	}
	res := Result{Name: "set"}
	if final == nil {
		res.Unknown = true
		res.Summary = "unknown: the set was never read (no read completed ok)"
		return res, nil
	}
	read, err := canonSet(final.Output)
	if err != nil {
		return Result{}, fmt.Errorf("set: the final read (operation %d): %w", final.Index, err)
	}
	inRead := map[string]bool{}
	for _, e := range setElems(read) {
		inRead[e] = true
	}
	attempted := map[string]bool{}    // adds that may have happened
	acknowledged := map[string]bool{} // adds that certainly happened before the final read
	var lost, recovered []string
	unjudged := 0
	for _, op := range ops {
		if op.F != "add" {
			continue
		}
		x, err := canon(op.Input)
		if err != nil {
			return Result{}, fmt.Errorf("set: operation %d: %w", op.Index, err)
		}
		switch {
		case op.Type == history.Fail:
			continue
		case op.Type == history.OK && op.Completion < final.Index:
			if !acknowledged[x] && !inRead[x] {
				lost = append(lost, x)
			}
			acknowledged[x] = true
		case op.Type == history.OK:
			unjudged++
		default: // info or never completed
			if inRead[x] && !attempted[x] {
				recovered = append(recovered, x)
			}
		}
		attempted[x] = true
	}
	var unexpected []string
	for _, e := range setElems(read) {
		if !attempted[e] {
			unexpected = append(unexpected, e)
		}
	}
	recovered = without(recovered, acknowledged)
	res.OK = len(lost) == 0 && len(unexpected) == 0
	res.Details = map[string]any{"attempted": len(attempted), "acknowledged": len(acknowledged),
		"read": len(inRead), "lost": decode(sortForPeople(lost)), "unexpected": decode(sortForPeople(unexpected)),
		"recovered": decode(sortForPeople(recovered))}
	var words []string
	if res.OK {
		words = append(words, fmt.Sprintf("ok: the final read (process %d at %s) has all %d acknowledged adds and nothing unexpected",
			final.Process, seconds(final.Call), len(acknowledged)))
	} else {
		words = append(words, fmt.Sprintf("the final read (process %d at %s) of %d elements", final.Process, seconds(final.Call), len(inRead)))
		if len(lost) > 0 {
			words = append(words, fmt.Sprintf("lost %d of %d acknowledged adds: %s", len(lost), len(acknowledged), nameSome(lost)))
		}
		if len(unexpected) > 0 {
			words = append(words, fmt.Sprintf("has %d elements never added (or whose add failed): %s", len(unexpected), nameSome(unexpected)))
		}
		var found []string
		if len(lost) > 0 {
			found = append(found, plural(len(lost), "lost add"))
		}
		if len(unexpected) > 0 {
			found = append(found, plural(len(unexpected), "unexpected element"))
		}
		res.Found = strings.Join(found, " and ")
	}
	if len(recovered) > 0 {
		words = append(words, fmt.Sprintf("%d adds of unknown outcome were read back", len(recovered)))
	}
	if unjudged > 0 {
		words = append(words, fmt.Sprintf("%d adds acknowledged after the final read began were not judged", unjudged))
	}
	res.Summary = strings.Join(words, "; ")
	return res, nil
}

// onlyAddRead checks that every operation is an add or a read, the only
// operations of the set and counter checkers.
func onlyAddRead(checker string, ops []history.Operation) error {
	for _, op := range ops {
		if op.F != "add" && op.F != "read" {
			return fmt.Errorf("%s: operation %d (process %d): f %q is not add or read", checker, op.Index, op.Process, op.F)
		}
	}
	return nil
}

// without returns the elements of l not in drop.
func without(l []string, drop map[string]bool) []string {
	var out []string
	for _, x := range l {
		if !drop[x] {
			out = append(out, x)
		}
	}
	return out
}

// nameSome lists up to maxNamed canonical values, the first in the order
// people read (sortForPeople).
func nameSome(l []string) string {
	l = sortForPeople(l)
	if len(l) > maxNamed {
		return strings.Join(l[:maxNamed], ", ") + fmt.Sprintf(" and %d more", len(l)-maxNamed)
	}
	return strings.Join(l, ", ")
}

// decode turns canonical texts back into JSON-able values, for Details.
func decode(l []string) []any {
	out := make([]any, 0, len(l))
	for _, s := range l {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			v = s // cannot happen: canon wrote s
		}
		out = append(out, v)
	}
	return out
}
