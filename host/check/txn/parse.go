package txn

import (
	"fmt"
	"time"

	"github.com/ducktape-go/ducktape/host/history"
)

// workload is what a checker accepts: its write micro-op and the shape of
// its reads.
type workload struct {
	name string // "list-append", "rw-register"
	// write is the write micro-op's f ("append", "w"); reads are "r".
	write string
	// wrote is the write in words, past tense ("appended", "wrote").
	wrote string
	// lists is true when a read returns the whole list (list-append), false
	// when it returns one value (rw-register).
	lists bool
}

var (
	listAppend = &workload{name: "list-append", write: "append", wrote: "appended", lists: true}
	rwRegister = &workload{name: "rw-register", write: "w", wrote: "wrote", lists: false}
)

// shape is the form of w's micro-ops, for messages.
func (w *workload) shape() string {
	if w.lists {
		return fmt.Sprintf(`[%q, key, value] or ["r", key, list]`, w.write)
	}
	return fmt.Sprintf(`[%q, key, value] or ["r", key, value]`, w.write)
}

// Element ids: every value written to a key, and every value read that
// nobody wrote, is an element with a dense id. A read of the initial
// state (the empty list, nil) refers to no element.
const (
	// noElem is a read of the initial state.
	noElem int32 = -1
	// unknownRead is a read whose value is unknown (the transaction's
	// outcome is info or fail).
	unknownRead int32 = -2
)

// txn is one transaction (an operation with f = "txn").
type txn struct {
	index      int32 // the invoke event's index
	completion int32 // the completion event's index, -1 if none
	process    int
	typ        history.Type
	call, ret  time.Duration // ret is -1 when it never completed
	mop0, mopN int32         // its micro-ops: mops[mop0:mop0+mopN]
	// node is its vertex in the dependency graph; -1 for a failed one.
	node int32
}

// mop is one micro-op of a transaction.
type mop struct {
	write bool
	key   int32
	// elem is, for a write, the element written; for an rw-register read,
	// the element read, noElem or unknownRead.
	elem int32
	// list0, listN are a list-append read's elements, lists[list0:][:listN];
	// listN is -1 when the read's value is unknown.
	list0, listN int32
}

// txns is a parsed history: the transactions, their micro-ops and the
// elements, in flat arrays.
type txns struct {
	w     *workload
	txns  []txn
	mops  []mop
	lists []int32

	keys   []atom
	keyIDs map[atom]int32

	// Elements: key, value, writer (index in txns, -1 when nobody wrote
	// it) and the writing micro-op (index in mops, -1).
	elemKey []int32
	elemVal []atom
	elemTxn []int32
	elemMop []int32
	// The elements by key and value: numbers (most values) in a small map
	// per key, whose keys hash fast and whose entries stay close in memory
	// while the key is in use; other values in one map.
	numbers []map[uint64]int32
	others  map[otherKey]int32
}

type otherKey struct {
	key int32
	v   atom
}

// lookup returns the element of value v of key.
func (t *txns) lookup(key int32, v atom) (int32, bool) {
	if v.kind == kindNumber {
		e, ok := t.numbers[key][v.n]
		return e, ok
	}
	e, ok := t.others[otherKey{key, v}]
	return e, ok
}

// parse reads the history's operations as transactions of w. Every
// operation must be a txn of w's micro-ops; a value written twice to a key
// is refused. An error names the operation (its invoke event's index and
// process) and why.
func parse(w *workload, h history.File) (*txns, error) {
	ops := history.Operations(h.Events)
	// Sizes, to allocate once: micro-ops, writes, elements read.
	var nmops, nwrites, nread int
	for i := range ops {
		l, _ := ops[i].Input.([]any)
		nmops += len(l)
		for _, m := range l {
			if m, ok := m.([]any); ok && len(m) == 3 && m[0] == w.write {
				nwrites++
			}
		}
		if out, ok := ops[i].Output.([]any); ok && ops[i].Type == history.OK && w.lists {
			for _, m := range out {
				if m, ok := m.([]any); ok && len(m) == 3 {
					if l, ok := m[2].([]any); ok && m[0] == "r" {
						nread += len(l)
					}
				}
			}
		}
	}
	t := &txns{w: w, keyIDs: map[atom]int32{}, txns: make([]txn, 0, len(ops)), mops: make([]mop, 0, nmops),
		lists: make([]int32, 0, nread), others: map[otherKey]int32{},
		elemKey: make([]int32, 0, nwrites), elemVal: make([]atom, 0, nwrites), elemTxn: make([]int32, 0, nwrites), elemMop: make([]int32, 0, nwrites)}
	// Pass 1: the micro-ops and the elements written.
	for i := range ops {
		op := &ops[i]
		if err := t.addTxn(op); err != nil {
			return nil, fmt.Errorf("%s: operation %d (process %d): %w", w.name, op.Index, op.Process, err)
		}
	}
	// Pass 2: reads, now that every writer is known. Consecutive reads of
	// a key mostly repeat the one before and add a few elements: matched
	// against it, only the new elements are looked up.
	lastRead := make([]mop, len(t.keys))
	for i := range t.txns {
		x := &t.txns[i]
		if x.typ != history.OK {
			continue
		}
		read := ops[i].Output.([]any)
		for j := range x.mopN {
			m := &t.mops[x.mop0+j]
			if m.write {
				continue
			}
			v := read[j].([]any)[2]
			if !w.lists {
				m.elem = noElem
				if v != nil {
					a, _ := atomOf(v)
					m.elem = t.readElem(m.key, a)
				}
				continue
			}
			elems, _ := v.([]any) // parseMop checked it is a list or None
			last := lastRead[m.key]
			m.list0, m.listN = int32(len(t.lists)), int32(len(elems))
			for k, e := range elems {
				a, _ := atomOf(e)
				if k < int(last.listN) && t.elemVal[t.lists[last.list0+int32(k)]] == a {
					t.lists = append(t.lists, t.lists[last.list0+int32(k)])
					continue
				}
				t.lists = append(t.lists, t.readElem(m.key, a))
			}
			lastRead[m.key] = *m
		}
	}
	return t, nil
}

// addTxn parses op's micro-ops (the completion's for an ok transaction,
// whose reads carry what they read) and interns its writes.
func (t *txns) addTxn(op *history.Operation) error {
	if op.F != "txn" {
		return fmt.Errorf("f %q is not \"txn\": the transaction checkers take only transactions (f = \"txn\", value a list of micro-ops)", op.F)
	}
	inv, err := microOps(op.Input, "its value")
	if err != nil {
		return err
	}
	var out []any
	if op.Type == history.OK {
		if out, err = microOps(op.Output, "its completion's value"); err != nil {
			return err
		}
		if len(out) != len(inv) {
			return fmt.Errorf("it was invoked with %d micro-ops and completed with %d", len(inv), len(out))
		}
	}
	x := txn{index: int32(op.Index), completion: int32(op.Completion), process: op.Process, typ: op.Type,
		call: op.Call, ret: op.Return, mop0: int32(len(t.mops)), mopN: int32(len(inv)), node: -1}
	ti := int32(len(t.txns))
	for j, raw := range inv {
		f, ka, v, err := t.parseMop(raw, j)
		if err != nil {
			return err
		}
		if out != nil {
			f2, ka2, v2, err := t.parseMop(out[j], j)
			if err != nil {
				return fmt.Errorf("in its completion: %w", err)
			}
			if f2 != f || ka2 != ka || (f == t.w.write && v2 != v) {
				return fmt.Errorf("its completion's micro-op %d is %s, but it was invoked as %s: a completion keeps the micro-ops, only reads fill in their values",
					j, show(out[j]), show(raw))
			}
		}
		k := t.keyID(ka)
		m := mop{key: k, elem: unknownRead, listN: -1}
		if f == t.w.write {
			m.write = true
			if m.elem, err = t.writeElem(k, v, ti, int32(len(t.mops))); err != nil {
				return fmt.Errorf("micro-op %d %s: %w", j, show(raw), err)
			}
		}
		t.mops = append(t.mops, m)
	}
	t.txns = append(t.txns, x)
	return nil
}

// microOps checks that v is a list of micro-ops.
func microOps(v any, what string) ([]any, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s %s is not a list of micro-ops", what, show(v))
	}
	return l, nil
}

// parseMop checks micro-op j, [f, key, value], and returns its f, key and
// value (a write's).
func (t *txns) parseMop(raw any, j int) (f string, key atom, v atom, err error) {
	l, ok := raw.([]any)
	if ok && len(l) == 3 {
		f, ok = l[0].(string)
	}
	if !ok || len(l) != 3 {
		return "", atom{}, atom{}, fmt.Errorf("micro-op %d %s is not a %s micro-op: want %s", j, show(raw), t.w.name, t.w.shape())
	}
	if f != t.w.write && f != "r" {
		return "", atom{}, atom{}, fmt.Errorf("micro-op %d %s: %q is not a %s micro-op: want %s", j, show(raw), f, t.w.name, t.w.shape())
	}
	k, ok := atomOf(l[1])
	if !ok {
		return "", atom{}, atom{}, fmt.Errorf("micro-op %d %s: the key is not a JSON value", j, show(raw))
	}
	if f == t.w.write {
		if v, ok = atomOf(l[2]); !ok {
			return "", atom{}, atom{}, fmt.Errorf("micro-op %d %s: the value is not a JSON value", j, show(raw))
		}
		if !t.w.lists && v.kind == kindNull {
			return "", atom{}, atom{}, fmt.Errorf("micro-op %d %s: a write of None: None is the initial state of every key, write another value", j, show(raw))
		}
	} else if t.w.lists {
		if _, isList := l[2].([]any); !isList && l[2] != nil {
			return "", atom{}, atom{}, fmt.Errorf("micro-op %d %s: a read of key %s returned %s, not a list", j, show(raw), k, show(l[2]))
		}
	} else if _, ok := atomOf(l[2]); !ok {
		return "", atom{}, atom{}, fmt.Errorf("micro-op %d %s: the value is not a JSON value", j, show(raw))
	}
	return f, k, v, nil
}

// keyID interns a key.
func (t *txns) keyID(k atom) int32 {
	id, seen := t.keyIDs[k]
	if !seen {
		id = int32(len(t.keys))
		t.keyIDs[k] = id
		t.keys = append(t.keys, k)
		t.numbers = append(t.numbers, nil)
	}
	return id
}

// writeElem interns the element that txn ti writes with micro-op mi,
// refusing a value written to the key before.
func (t *txns) writeElem(key int32, v atom, ti, mi int32) (int32, error) {
	if e, dup := t.lookup(key, v); dup {
		if w := t.elemTxn[e]; w != ti {
			return 0, fmt.Errorf("value %s was %s to key %s before, by operation %d (process %d): values written to a key must be unique",
				v, t.w.wrote, t.keys[key], t.txns[w].index, t.txns[w].process)
		}
		return 0, fmt.Errorf("value %s is %s to key %s twice in this transaction: values written to a key must be unique", v, t.w.wrote, t.keys[key])
	}
	return t.newElem(key, v, ti, mi), nil
}

// readElem returns the element a read of v from key refers to, adding one
// that nobody wrote (a garbage read) if need be.
func (t *txns) readElem(key int32, v atom) int32 {
	if e, ok := t.lookup(key, v); ok {
		return e
	}
	return t.newElem(key, v, -1, -1)
}

func (t *txns) newElem(key int32, v atom, ti, mi int32) int32 {
	e := int32(len(t.elemKey))
	if v.kind == kindNumber {
		if t.numbers[key] == nil {
			t.numbers[key] = map[uint64]int32{}
		}
		t.numbers[key][v.n] = e
	} else {
		t.others[otherKey{key, v}] = e
	}
	t.elemKey = append(t.elemKey, key)
	t.elemVal = append(t.elemVal, v)
	t.elemTxn = append(t.elemTxn, ti)
	t.elemMop = append(t.elemMop, mi)
	return e
}

// txnMops returns x's micro-ops.
func (t *txns) txnMops(x *txn) []mop { return t.mops[x.mop0 : x.mop0+x.mopN] }

// list returns a list-append read's elements.
func (t *txns) list(m *mop) []int32 { return t.lists[m.list0 : m.list0+m.listN] }
