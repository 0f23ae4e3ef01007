// Package repl is `ducktape repl`: an interactive Starlark prompt over
// cluster nodes, with every builtin that tests have plus `nodes`, `cluster`,
// `sh`, `help` and `exit`.
//
// One file per job: session.go (the interpreter, its starlib.Env and its
// globals), input.go (splitting input into statements), terminal.go (the
// line editor), complete.go (tab completion), help.go (help(): the docs of
// the REPL's own globals, and of the builtins from their starlib
// declarations), sh.go (the sh builtin), output.go (where printed text and
// log lines go) and run.go (the loop: reading, evaluating, Ctrl-C and
// exit).
//
// # Concurrency
//
// A session has one starlib.Runtime, so one interpreter lock. Each input is
// evaluated on a fresh Starlark thread holding that lock; blocking builtins
// release it, so background workers started by earlier inputs keep running
// between prompts. Ctrl-C cancels the context of the input being evaluated
// (and so its remote commands), never the workers of earlier inputs; those
// end when the session does.
package repl
