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
	ops := make([]Operation, 0, len(events)/2+1)
	at := make([]int32, len(events)) // event index -> position in ops + 1, for invokes
	for i, e := range events {
		if e.Type == Invoke {
			at[i] = int32(len(ops)) + 1
			ops = append(ops, Operation{Index: e.Index, Completion: -1, Process: e.Process, F: e.F, Type: Info,
				Input: e.Value, Output: e.Value, Call: e.Time, Return: -1})
			continue
		}
		if e.Invoke >= 0 && e.Invoke < i && at[e.Invoke] > 0 {
			o := &ops[at[e.Invoke]-1]
			o.Type, o.Output, o.Return, o.Completion = e.Type, e.Value, e.Time, e.Index
		}
	}
	return ops
}

// Operations returns the history's operations so far (see the package
// function).
func (h *History) Operations() []Operation { return Operations(h.Events()) }
