package txn

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// atom is a JSON scalar (or, for other values, their canonical JSON text)
// as a comparable map key: equal JSON values give equal atoms, so 1 and 1.0
// are one value, as in encoding/json and the other checkers.
type atom struct {
	kind byte   // kindNumber, kindString, kindBool, kindNull or kindJSON
	n    uint64 // a number's float64 bits; a bool's 0 or 1
	s    string // a string; the canonical JSON text of a kindJSON value
}

const (
	kindNull byte = iota
	kindNumber
	kindString
	kindBool
	kindJSON
)

// atomOf returns v's atom; ok is false for a value that is not JSON
// (encoding/json cannot marshal it).
func atomOf(v any) (atom, bool) {
	switch x := v.(type) {
	case nil:
		return atom{kind: kindNull}, true
	case float64:
		return number(x)
	case string:
		return atom{kind: kindString, s: x}, true
	case bool:
		if x {
			return atom{kind: kindBool, n: 1}, true
		}
		return atom{kind: kindBool}, true
	case int:
		return number(float64(x))
	case int64:
		return number(float64(x))
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return atom{}, false
		}
		return number(f)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return atom{}, false
	}
	return atom{kind: kindJSON, s: string(b)}, true
}

func number(f float64) (atom, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return atom{}, false
	}
	if f == 0 {
		f = 0 // -0 is 0
	}
	return atom{kind: kindNumber, n: math.Float64bits(f)}, true
}

// String renders a as JSON text, as the explanations show values.
func (a atom) String() string {
	switch a.kind {
	case kindNumber:
		return strconv.FormatFloat(math.Float64frombits(a.n), 'f', -1, 64)
	case kindString:
		b, _ := json.Marshal(a.s)
		return string(b)
	case kindBool:
		return strconv.FormatBool(a.n == 1)
	case kindJSON:
		return a.s
	}
	return "null"
}

// showList renders a list of values as JSON text, eliding the middle of a
// long one: what matters in a read is usually its end.
func showList(vals []atom) string {
	const head, tail = 2, 4
	parts := make([]string, 0, min(len(vals), head+tail+1))
	for i, v := range vals {
		switch {
		case len(vals) <= head+tail+2 || i < head || i >= len(vals)-tail:
			parts = append(parts, v.String())
		case i == head:
			parts = append(parts, "… ("+strconv.Itoa(len(vals)-head-tail)+" more)")
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// show renders a history value (always JSON-able) as JSON text for
// messages.
func show(v any) string {
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}
