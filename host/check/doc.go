// Package check holds the checkers that judge a test's operation history
// (package history): Linearizable, on the porcupine linearizability
// checker, with the models "register", "cas-register", "kv" and "set"; and
// the simple Set and Counter checkers; the transactional checkers are in
// package txn. Every checker returns a Result; bad
// input (an unknown model, an operation whose value does not fit the model)
// is an error, never a panic.
//
// Operation values follow Jepsen's conventions (docs/checkers.md): a fail
// operation certainly did not happen and is left out; an info operation (and
// one never completed) may have taken effect at any time after its
// invocation, or never.
//
// Checkers are pure functions of their input and safe to run concurrently.
package check

// Result is a checker's verdict, as report.json's "checks" list holds it.
type Result struct {
	// Name is the checker: "linearizable", "set", "counter", "list-append"
	// or "rw-register".
	Name string `json:"name"`
	// Model is the linearizable checker's model, the transactional
	// checkers' models (comma-separated); empty for the others.
	Model string `json:"model"`
	// OK is true when the history passed. A check that could not decide
	// (Unknown) is not OK.
	OK bool `json:"ok"`
	// Unknown is true when the check gave up (its time limit ran out).
	Unknown bool `json:"unknown,omitempty"`
	// Summary says in words what was checked and, for a failure, what went
	// wrong.
	Summary string `json:"summary"`
	// Visualization is the path of an HTML file showing the history, or
	// empty.
	Visualization string `json:"visualization"`
	// AnomalyTypes are the anomalies a transactional check found (Elle's
	// names, sorted); Violates the consistency models they rule out,
	// weakest first. Empty for the other checkers.
	AnomalyTypes []string `json:"anomaly_types,omitempty"`
	Violates     []string `json:"violates,omitempty"`
	// Details holds checker-specific figures (JSON-able), e.g. the set
	// checker's lost and unexpected elements.
	Details map[string]any `json:"details,omitempty"`
}
