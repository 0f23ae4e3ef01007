package check

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// canon returns v's canonical JSON text: equal values (1 and 1.0, maps in
// any key order) give equal texts, so states compare as strings.
func canon(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("value %v is not JSON-able: %w", v, err)
	}
	return string(b), nil
}

// pair splits a two-element list value ([key, value], [old, new]).
func pair(v any, what string) (any, any, error) {
	l, ok := v.([]any)
	if !ok || len(l) != 2 {
		return nil, nil, fmt.Errorf("value %s is not a list %s", show(v), what)
	}
	return l[0], l[1], nil
}

// canonSet returns the canonical text of a set: its elements' canonical
// texts, sorted, without duplicates, one per line (JSON text has no raw
// newlines).
func canonSet(v any) (string, error) {
	l, ok := v.([]any)
	if !ok {
		return "", fmt.Errorf("a set read must complete with a list, not %s", show(v))
	}
	elems := make([]string, 0, len(l))
	for _, x := range l {
		c, err := canon(x)
		if err != nil {
			return "", err
		}
		elems = append(elems, c)
	}
	sort.Strings(elems)
	elems = dedupe(elems)
	return strings.Join(elems, "\n"), nil
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// setElems splits a canonical set text into its elements.
func setElems(set string) []string {
	if set == "" {
		return nil
	}
	return strings.Split(set, "\n")
}

// setAdd returns the canonical set with elem added.
func setAdd(set, elem string) string {
	elems := setElems(set)
	i := sort.SearchStrings(elems, elem)
	if i < len(elems) && elems[i] == elem {
		return set
	}
	elems = append(elems, "")
	copy(elems[i+1:], elems[i:])
	elems[i] = elem
	return strings.Join(elems, "\n")
}

// showSet renders a canonical set as a JSON list, in the order people
// read (sortForPeople).
func showSet(set string) string { return "[" + strings.Join(sortForPeople(setElems(set)), ", ") + "]" }

// sortForPeople returns canonical value texts sorted as people read lists:
// numbers first, in numeric order (9 before 10, -1 before 0), then the
// other values in natural order, where runs of digits compare as numbers
// ("k9" before "k10"). Canonical sets keep their own (text) order for
// comparisons; this order is for summaries.
func sortForPeople(l []string) []string {
	return slices.SortedStableFunc(slices.Values(l), comparePeople)
}

func comparePeople(a, b string) int {
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	switch {
	case errA == nil && errB == nil:
		return cmp.Or(cmp.Compare(fa, fb), strings.Compare(a, b))
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return naturalCompare(a, b)
}

// naturalCompare compares texts chunk by chunk, runs of ASCII digits by
// their value (then by length: "01" after "1"), other bytes as they are.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da == 0 || db == 0 {
			if c := cmp.Compare(a[0], b[0]); c != 0 {
				return c
			}
			a, b = a[1:], b[1:]
			continue
		}
		na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
		if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb), cmp.Compare(da, db)); c != 0 {
			return c
		}
		a, b = a[da:], b[db:]
	}
	return cmp.Compare(len(a), len(b))
}

// digitRun returns the length of the run of ASCII digits s starts with.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// show renders any value as JSON for messages.
func show(v any) string {
	if c, err := canon(v); err == nil {
		return c
	}
	return fmt.Sprint(v)
}
