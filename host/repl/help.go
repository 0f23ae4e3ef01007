package repl

import (
	"fmt"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/starlib"
)

// replGlobals documents the REPL's own globals (session.go and sh.go
// define them). Together with the builtins' declarations
// (starlib.Domains) they are the one source of help() and of docs/repl.md's
// builtin list (see TestDocsBuiltinList). A REPL global hides a builtin of
// the same name (the cluster mark, ctx).
var replGlobals = []starlib.Builtin{
	{Name: "nodes", Doc: "The list of nodes allocated to the session (all of the cluster's, or --nodes N)."},
	{Name: "ctx", Doc: "The session's test context, for creating services: svc = my_service(ctx, num_nodes = 1). ctx.results_dir is where their logs go when the session ends."},
	{Name: "cluster", Doc: "The session's nodes as a test sees ctx.cluster: len(cluster), cluster[i], cluster.alloc(n), cluster.free(nodes), cluster.num_available()."},
	{Name: "sh", Sig: "sh(cmd, nodes = None)", Doc: "Runs a shell command on every node of the session (or on the given nodes) at once and prints each node's output under its name. Fails, after printing, if the command failed anywhere."},
	{Name: "help", Sig: "help(x = None)", Doc: "Prints what a builtin or value does: its signature and text, or a value's attributes. help(\"name\") looks a name up."},
	{Name: "exit", Sig: "exit()", Doc: "Leaves the REPL (as Ctrl-D does): stops the session's services and frees its nodes."},
	{Name: "_", Doc: "The value of the last expression that was not None."},
}

// helpEntries are every entry help knows, in the order docs/repl.md lists
// them: the REPL's globals, then the domains' declarations that they do
// not hide.
var helpEntries = func() []starlib.Builtin {
	entries := slices.Clone(replGlobals)
	hidden := map[string]bool{}
	for _, e := range replGlobals {
		hidden[e.Name] = true
	}
	for _, d := range starlib.Domains() {
		for _, e := range d.Builtins {
			if !hidden[e.Name] {
				entries = append(entries, e)
			}
		}
	}
	return entries
}()

var helpIndex = func() map[string]*starlib.Builtin {
	m := make(map[string]*starlib.Builtin, len(helpEntries))
	for i := range helpEntries {
		m[helpEntries[i].Name] = &helpEntries[i]
	}
	return m
}()

// help(x = None): without an argument, an overview; with a string, the
// global or help entry of that name; with any other value, what it is.
func (s *Session) help(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var x starlark.Value
	if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 0, &x); err != nil {
		return nil, err
	}
	var text string
	switch x := x.(type) {
	case nil:
		text = s.overview()
	case starlark.String:
		if v, ok := s.globals[string(x)]; ok {
			text = describe(v)
		} else if e := helpIndex[string(x)]; e != nil {
			text = entryText(e)
		} else {
			text = fmt.Sprintf("no help for %q", string(x))
		}
	default:
		text = describe(x)
	}
	fmt.Fprintln(s.out, strings.TrimRight(text, "\n"))
	return starlark.None, nil
}

func (s *Session) overview() string {
	var b strings.Builder
	b.WriteString("The session's globals: nodes, cluster, ctx, sh(cmd), help(x), exit() and every builtin of tests.\n")
	b.WriteString("help(x) tells what x does; Tab completes names and attributes; Ctrl-C cancels a command; Ctrl-D leaves.\n\n")
	var names []string
	for _, name := range s.globalNames() {
		if _, ok := s.globals[name]; ok && !strings.HasPrefix(name, "_") {
			names = append(names, name)
		}
	}
	b.WriteString(wrap(strings.Join(names, ", "), 78))
	return b.String()
}

// entryText formats an entry as help prints it.
func entryText(e *starlib.Builtin) string { return entryHead(e) + "\n    " + e.Doc }

// entryHead is how an entry is called, or its name.
func entryHead(e *starlib.Builtin) string {
	if e.Sig != "" {
		return e.Sig
	}
	return e.Name
}

// describe says what v is: its help entry, its signature and doc string,
// or its type and attributes.
func describe(v starlark.Value) string {
	switch v := v.(type) {
	case *starlark.Builtin:
		if e := helpIndex[v.Name()]; e != nil {
			return entryText(e)
		}
		return fmt.Sprintf("%s(...)\n    A builtin function (no help text).", v.Name())
	case *starlark.Function:
		return functionHelp(v)
	case *starlarkstruct.Module:
		return withAttrs(helpIndex[v.Name], v.Name, v)
	case starlark.HasAttrs:
		return withAttrs(helpIndex[v.Type()], v.Type(), v)
	}
	return fmt.Sprintf("%s value: %s", v.Type(), v)
}

// withAttrs is e's text (if any) followed by v's attributes, one a line
// with the first sentence of their help.
func withAttrs(e *starlib.Builtin, typ string, v starlark.HasAttrs) string {
	var b strings.Builder
	if e != nil {
		b.WriteString(entryText(e))
	} else {
		fmt.Fprintf(&b, "%s value: %s", typ, v)
	}
	b.WriteString("\n\nAttributes:\n")
	names := v.AttrNames()
	width := 0
	for _, name := range names {
		width = max(width, len(name))
	}
	for _, name := range names {
		line := name
		if e := helpIndex[typ+"."+name]; e != nil {
			line = fmt.Sprintf("%-*s  %s", width, name, firstSentence(e.Doc))
		}
		fmt.Fprintf(&b, "    %s\n", line)
	}
	return b.String()
}

// functionHelp is a Starlark function's signature and doc string. The
// parameters come as Param numbers them: positional ones, keyword-only
// ones, then *args and **kwargs.
func functionHelp(fn *starlark.Function) string {
	param := func(i int) string {
		name, _ := fn.Param(i)
		if d := fn.ParamDefault(i); d != nil {
			name += " = " + d.String()
		}
		return name
	}
	n, kwonly := fn.NumParams(), fn.NumKwonlyParams()
	if fn.HasKwargs() {
		n--
	}
	if fn.HasVarargs() {
		n--
	}
	var params []string
	for i := range n - kwonly {
		params = append(params, param(i))
	}
	if fn.HasVarargs() {
		name, _ := fn.Param(n)
		params = append(params, "*"+name)
	} else if kwonly > 0 {
		params = append(params, "*")
	}
	for i := n - kwonly; i < n; i++ {
		params = append(params, param(i))
	}
	if fn.HasKwargs() {
		name, _ := fn.Param(fn.NumParams() - 1)
		params = append(params, "**"+name)
	}
	text := fmt.Sprintf("%s(%s)", fn.Name(), strings.Join(params, ", "))
	if doc := fn.Doc(); doc != "" {
		text += "\n    " + strings.ReplaceAll(doc, "\n", "\n    ")
	}
	return text + "\n    Defined at " + fn.Position().String() + "."
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// wrap breaks a comma-separated list into lines of at most width.
func wrap(s string, width int) string {
	var b strings.Builder
	col := 0
	for _, word := range strings.Split(s, " ") {
		if col > 0 && col+1+len(word) > width {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// markdownBuiltins is docs/repl.md's builtin list, generated from
// helpEntries.
func markdownBuiltins() string {
	var b strings.Builder
	for i := range helpEntries {
		fmt.Fprintf(&b, "- `%s`: %s\n", entryHead(&helpEntries[i]), helpEntries[i].Doc)
	}
	return b.String()
}
