package history

import "time"

// Operation is an invoke paired with its completion, the form checkers
// take.
type Operation struct {
	// Index is the index of the invoke event; Completion that of the
	// completion, or -1 when the operation never completed.
	Index, Completion int
	Process           int
	F                 string
	// Type is the completion's outcome; Info also for an operation that was
	// never completed (still open when the history was read).
	Type Type
	// Input is the invoked value, Output the completion's (for an open
	// operation, the invoked value).
	Input, Output any
	// Call is the invoke time; Return the completion time, or -1 when the
	// operation never completed.
	Call, Return time.Duration
}

// Operations pairs every invoke with its completion, in invoke order. An
// operation still open is returned as Info with Return -1: Jepsen treats a
// client that never answered as one whose outcome is unknown.
func Operations(events []Event) []Operation {
	var ops []Operation
	at := map[int]int{} // invoke index -> position in ops
	for _, e := range events {
		if e.Type == Invoke {
			at[e.Index] = len(ops)
			ops = append(ops, Operation{Index: e.Index, Completion: -1, Process: e.Process, F: e.F, Type: Info,
				Input: e.Value, Output: e.Value, Call: e.Time, Return: -1})
			continue
		}
		if i, ok := at[e.Invoke]; ok {
			ops[i].Type, ops[i].Output, ops[i].Return, ops[i].Completion = e.Type, e.Value, e.Time, e.Index
		}
	}
	return ops
}

// Operations returns the history's operations so far (see the package
// function).
func (h *History) Operations() []Operation { return Operations(h.Events()) }
