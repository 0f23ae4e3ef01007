package txn

import (
	"fmt"
	"slices"
	"strings"
)

// Anomalies are the anomaly types the checkers report (Elle's names, and
// garbage-read), the cycle classes without their -process and -realtime
// variants, each with what it means.
var Anomalies = []struct{ Name, Means string }{
	{"G0", "write cycle: a cycle of ww edges, two transactions' writes interleaved (Adya)"},
	{"G1a", "aborted read: a committed transaction read what a failed one wrote"},
	{"G1b", "intermediate read: a committed transaction read a state its writer overwrote within its own transaction"},
	{"G1c", "circular information flow: a cycle of ww and wr edges, at least one wr"},
	{"G-single", "read skew: a cycle with exactly one rw edge (the rest ww and wr)"},
	{"G-nonadjacent", "a cycle with two or more rw edges, no two of them adjacent"},
	{"G2-item", "write skew: a cycle with two or more rw edges, two of them adjacent"},
	{"lost-update", "two committed transactions read the same version of a key and both wrote the key"},
	{"internal", "a read contradicts the transaction's own earlier micro-ops on the key"},
	{"dirty-update", "list-append: a committed append follows a failed one in a key's version order"},
	{"duplicate-elements", "list-append: a read holds an appended element more than once"},
	{"incompatible-order", "list-append: two reads of a key that no single order of appends explains (neither a prefix of the other)"},
	{"future-read", "a transaction read what it writes only later"},
	{"garbage-read", "a read returned a value no transaction wrote"},
	{"cyclic-versions", "rw-register: an assumption (wfr_keys, sequential_keys, linearizable_keys) orders a key's versions in a cycle"},
}

// Means says what anomaly type typ is, for the -process and -realtime
// variants too; "" for an unknown type.
func Means(typ string) string {
	base, suffix := typ, ""
	for _, v := range []struct{ suffix, words string }{{"-process", ", through a process's order too"}, {"-realtime", ", through real-time order too"}} {
		if b, ok := strings.CutSuffix(typ, v.suffix); ok {
			base, suffix = b, v.words
		}
	}
	for _, a := range Anomalies {
		if a.Name == base {
			return a.Means + suffix
		}
	}
	return ""
}

// Models are the consistency models a history can be checked against,
// weakest first (Elle's names).
var Models = []string{"read-uncommitted", "read-committed", "repeatable-read", "snapshot-isolation", "serializable", "strict-serializable"}

// DefaultModel is what Options.Models defaults to.
const DefaultModel = "strict-serializable"

// weaker lists, for each model, the models it implies (a history that
// satisfies it satisfies them): Adya's hierarchy as Elle draws it.
var weaker = map[string][]string{
	"strict-serializable": {"serializable"},
	"serializable":        {"repeatable-read", "snapshot-isolation"},
	"repeatable-read":     {"read-committed"},
	"snapshot-isolation":  {"read-committed"},
	"read-committed":      {"read-uncommitted"},
}

// proscribes lists the anomalies each model rules out directly (a model
// also rules out what the models it implies rule out, and every anomaly
// that implies one of these). Sources, as Elle cites them: Adya for G0,
// G1, G2-item, G2 and the -realtime variants; Bailis for lost update;
// Cerone, Bernardi and Gotsman for internal (and future-read, through
// G1c); Adya, Cerone and Gotsman for snapshot isolation's G-single and
// G-nonadjacent.
var proscribes = map[string][]string{
	"read-uncommitted":    {"G0", "duplicate-elements", "cyclic-versions", "garbage-read"},
	"read-committed":      {"G1"},
	"repeatable-read":     {"G1", "G2-item", "lost-update"},
	"snapshot-isolation":  {"internal", "G1", "G-nonadjacent"},
	"serializable":        {"internal", "G1", "G2"},
	"strict-serializable": {"G1", "G1c-realtime", "G2-realtime"},
}

// implies lists, for each anomaly, the anomalies its presence implies:
// Elle's graph of anomalies. G1 and G2 (and their variants) are the
// unions Adya defines; -process and -realtime variants follow from the
// plain ones (a cycle is trivially one with extra edge types allowed),
// -realtime from -process (a process runs one transaction at a time).
var implies = map[string][]string{
	"G0":          {"G1c", "G0-process"},
	"G0-process":  {"G1c-process", "G0-realtime"},
	"G0-realtime": {"G1c-realtime"},

	"G1a":          {"G1"},
	"G1b":          {"G1"},
	"G1c":          {"G1", "G1c-process"},
	"G1c-process":  {"G1c-realtime", "G1-process"},
	"G1c-realtime": {"G1-realtime"},
	"G1":           {"G1-process"},
	"G1-process":   {"G1-realtime"},

	"G-single":          {"G-nonadjacent", "G-single-process"},
	"G-single-process":  {"G-nonadjacent-process", "G-single-realtime"},
	"G-single-realtime": {"G-nonadjacent-realtime"},

	"G-nonadjacent":          {"G2", "G-nonadjacent-process"},
	"G-nonadjacent-process":  {"G2-process", "G-nonadjacent-realtime"},
	"G-nonadjacent-realtime": {"G2-realtime"},

	"G2-item":          {"G2", "G2-item-process"},
	"G2-item-process":  {"G2-process", "G2-item-realtime"},
	"G2-item-realtime": {"G2-realtime"},
	"G2":               {"G2-process"},
	"G2-process":       {"G2-realtime"},

	// A read of an order no single order of appends explains, and a
	// committed append on top of an aborted one, are dirty reads.
	"incompatible-order": {"G1a"},
	"dirty-update":       {"G1a"},
	// A read of the transaction's own later write is a trivial wr cycle.
	"future-read": {"G1c"},
	// Two committed read-modify-writes of one version: a G2-item cycle
	// (one's rw edge to the other's write and back), whatever the
	// version order inferred.
	"lost-update": {"G2-item"},
}

// closure returns the anomalies implied by the given ones, themselves
// included.
func closure(anomalies []string) map[string]bool {
	out := map[string]bool{}
	var walk func(a string)
	walk = func(a string) {
		if out[a] {
			return
		}
		out[a] = true
		for _, b := range implies[a] {
			walk(b)
		}
	}
	for _, a := range anomalies {
		walk(a)
	}
	return out
}

// impliedModels returns m and every model it implies.
func impliedModels(m string) []string {
	out := []string{m}
	for i := 0; i < len(out); i++ {
		for _, w := range weaker[out[i]] {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// Violates returns the models the anomalies rule out, weakest first: a
// model is ruled out when it, or a model it implies, proscribes an
// anomaly the given ones imply.
func Violates(anomalies []string) []string {
	present := closure(anomalies)
	var out []string
	for _, m := range Models {
		if slices.ContainsFunc(impliedModels(m), func(w string) bool {
			return slices.ContainsFunc(proscribes[w], func(a string) bool { return present[a] })
		}) {
			out = append(out, m)
		}
	}
	return out
}

// Forbids reports whether model rules out anomaly.
func Forbids(model, anomaly string) bool { return slices.Contains(Violates([]string{anomaly}), model) }

// checkModels validates model names, defaulting to DefaultModel.
func checkModels(models []string) ([]string, error) {
	if len(models) == 0 {
		return []string{DefaultModel}, nil
	}
	for _, m := range models {
		if !slices.Contains(Models, m) {
			return nil, fmt.Errorf("unknown consistency model %q; the models are %s", m, strings.Join(Models, ", "))
		}
	}
	return models, nil
}
