package check

import (
	"encoding/json"
	"fmt"
	"sort"
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

// showSet renders a canonical set as a JSON list.
func showSet(set string) string { return "[" + strings.Join(setElems(set), ", ") + "]" }

// show renders any value as JSON for messages.
func show(v any) string {
	if c, err := canon(v); err == nil {
		return c
	}
	return fmt.Sprint(v)
}
