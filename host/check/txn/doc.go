// Package txn checks histories of transactions as Jepsen's Elle does
// (Kingsbury and Alvaro, "Elle: Inferring Isolation Anomalies from
// Experimental Observations", VLDB 2021), naming anomalies by Adya's
// definitions ("Weak Consistency", 1999): ListAppend for transactions of
// ["append", k, v] and ["r", k, list] micro-ops, RWRegister for ["w", k, v]
// and ["r", k, v]. Operations have f = "txn" and a list of micro-ops as
// their value; an ok completion carries what the reads read. Values written
// to a key must be unique (a history where they are not is refused, naming
// the key). Committed (ok) transactions happened; failed ones did not;
// those of unknown outcome (info, or never completed) may have, and their
// reads tell nothing.
//
// # The algorithm
//
//  1. Parse: transactions, micro-ops, keys and values in flat arrays, every
//     value written (and every value read that nobody wrote) a dense
//     element id. Bad input is an error naming the operation and why.
//  2. Infer, per workload. List-append: every committed read returns the
//     whole list, so the longest read of each key is its version order,
//     and each read must be a prefix of it (else incompatible-order). An
//     element read twice is duplicate-elements; one a failed transaction
//     appended, G1a; one nobody appended, garbage-read; one the reader
//     itself appends later, future-read; a read ending in an element its
//     writer appended more after, G1b; a committed append after a failed
//     one in the version order, dirty-update. Edges: ww from the writer of
//     the element an append follows (for an append no read saw: the last
//     element read) to the appender; wr from the writer of a read's last
//     element to the reader; rw from every reader of the version an append
//     overwrote to the appender. Rw-register: a read returns one value, so
//     wr edges (writer to external reader) are certain, and version orders
//     come from the initial state (None precedes every value) and, with
//     Elle's optional assumptions, from writes following reads within a
//     transaction (WFRKeys), each process's (SequentialKeys) or the real-time
//     (LinearizableKeys) order of the transactions using a key; an
//     assumption that makes a cycle of versions is cyclic-versions and is
//     not used for that key. Both workloads: a read contradicting the
//     transaction's own earlier micro-ops is internal; two committed
//     transactions that read the same version of a key and both wrote it
//     are a lost-update.
//  3. Order edges between the committed and unknown transactions: process
//     (each process's consecutive committed transactions) and realtime, a
//     transitive reduction of "committed before the other was invoked"
//     computed in one pass over the events with a frontier of the
//     transactions not yet followed by a committed one (at most as many as
//     ran at once).
//  4. The graph: compressed sparse rows over flat arrays, parallel edges
//     merged into one edge labelled with a set of relations. Its strongly
//     connected components come from an iterative Tarjan (no recursion, no
//     maps).
//  5. In each component of two or more transactions, per cycle class in
//     Elle's order (G0: ww only; G1c: ww and wr, at least one wr; G-single:
//     exactly one rw; G-nonadjacent: two or more rw, none adjacent;
//     G2-item: two or more rw, two adjacent; then each with process edges,
//     -process, then with real-time edges, -realtime), skipping classes a
//     class found there implies: the components of the relations the class
//     may use narrow the search, and a breadth-first search over pairs of
//     (transaction, state of an automaton that reads the cycle's edges)
//     from each start vertex finds the shortest cycle of the class (see
//     searcher.shortest). Each component's search has a time limit; past
//     it, what it did not search is unknown.
//  6. Verdict: the anomaly types found, the models they rule out by Elle's
//     lattice (Violates), not OK when a model asked for forbids one; every
//     cycle explained in words, edge by edge, ending in the contradiction,
//     and drawn in an HTML file of SVG pictures.
//
// # Cost
//
// Steps 1 to 4 are one or a few passes over the micro-ops and the elements
// read, with two hash maps (keys, and elements by key and value) and a sort
// of the events: O(m + r + n log n) time and O(m + r + e) memory for n
// transactions, m micro-ops, r elements read and e edges, and e is O(m +
// n·c) for c transactions running at once. A clean history has no
// component and costs nothing in step 5: about a second per 100,000
// transactions on this project's 2-core machine, growing linearly
// (docs/performance.md, "Transactions"). Step 5 is O(k·(k+e)·s) per class
// for a component of k transactions, its e edges and s automaton states
// (at most 16); it stops at a cycle as short as the class allows, so
// components full of anomalies are quick, and a large one without a cycle
// of some class is what the time limit is for.
//
// Everything is a pure function of its input (the visualization aside, a
// file written into Options.Dir) and safe to run concurrently.
package txn
