package starlib

import (
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

// Domain is one group of builtins, declared by a function in its own file
// and listed in universe.go's domains.
type Domain struct {
	// Name identifies the domain in generated docs ("account", "faults").
	Name string
	// Page is the docs/ page that explains the domain ("services.md").
	Page string
	// Load, if set, is the module name scripts load the domain's
	// modules from ("@ducktape//clients"); they are not predeclared then.
	Load string
	// Builtins are the domain's declarations, in the order docs list them.
	Builtins []Builtin
}

// Builtin declares one name a script meets: a predeclared function or
// module, a member of a predeclared module, a method of node.account, of
// ctx or of a service instance, or (documented only) an attribute that a
// value's type implements itself. Its Name, Sig and Doc are the one source
// of help() in the REPL, of docs/repl.md and of the builtin lists of
// docs/writing-tests.md.
//
// At most one of the implementation fields is set; none for a documented
// attribute. Declarations are made with the constructors below (function,
// module, value, accountMethod, contextMethod, serviceMethod, attribute).
type Builtin struct {
	// Name is the name as scripts spell it: "wait_until", "assert.eq",
	// "account.ssh", "ctx.test_id", "service.start", "node". For a method
	// or attribute the prefix is the receiver's Type().
	Name string
	// Sig is how it is called, "" for values that are not called.
	Sig string
	// Doc is what it does, one paragraph of plain text (Markdown code
	// spans allowed).
	Doc string

	fn      builtinFunc                   // a predeclared function or a member of a module
	value   starlark.Value                // a predeclared value (json, math)
	module  bool                          // a predeclared module made of the dotted functions named after it
	base    starlark.StringDict           // a module's members besides those functions (a library module's own)
	wrap    func(builtinFunc) builtinFunc // applied to every function of a module, whichever domain declares it
	account accountMethod                 // a method of node.account
	context contextMethod                 // a method of ctx
	service instanceMethod                // a method of a service instance
}

// builtinFunc is the implementation of a Starlark builtin function.
type builtinFunc = func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error)

// function declares a predeclared function, or with a dotted name
// ("faults.kill") a member of the predeclared module declared by module.
func function(name, sig, doc string, fn builtinFunc) Builtin {
	return Builtin{Name: name, Sig: sig, Doc: doc, fn: fn}
}

// module declares a predeclared module whose members are the functions of
// the same domain named "<name>.<member>".
func module(name, doc string) Builtin { return Builtin{Name: name, Doc: doc, module: true} }

// wrappedModule declares a predeclared module whose every function,
// declared by any domain, is wrapped: what the wrapper adds (the check
// module's expect = ...) comes to the module's functions added later too.
func wrappedModule(name, doc string, wrap func(builtinFunc) builtinFunc) Builtin {
	return Builtin{Name: name, Doc: doc, module: true, wrap: wrap}
}

// extendedModule declares a predeclared module holding the members of a
// library module (time) plus the functions of any domain named
// "<name>.<member>" (time.sleep), which may not replace the library's own.
func extendedModule(name, doc string, lib *starlarkstruct.Module) Builtin {
	return Builtin{Name: name, Doc: doc, module: true, base: lib.Members}
}

// value declares a predeclared value that is not a function (a library
// module such as json).
func value(name, doc string, v starlark.Value) Builtin {
	return Builtin{Name: name, Doc: doc, value: v}
}

// attribute documents an attribute that its value's type implements (such
// as node.name), or a type itself ("node").
func attribute(name, sig, doc string) Builtin { return Builtin{Name: name, Sig: sig, Doc: doc} }

// onAccount declares the method node.account.<name>.
func onAccount(name, sig, doc string, m accountMethod) Builtin {
	return Builtin{Name: "account." + name, Sig: sig, Doc: doc, account: m}
}

// onContext declares the method ctx.<name>.
func onContext(name, sig, doc string, m contextMethod) Builtin {
	return Builtin{Name: "ctx." + name, Sig: sig, Doc: doc, context: m}
}

// onService declares the method svc.<name> of every service instance.
func onService(name, sig, doc string, m instanceMethod) Builtin {
	return Builtin{Name: "service." + name, Sig: sig, Doc: doc, service: m}
}

// boundMethod returns the builtin <prefix>.<name> that calls the method
// name of table on recv, or nil when table has none: the Attr of values
// whose methods domains declare (node.account, ctx, service instances).
func boundMethod[R any, M ~func(*starlark.Thread, string, R, starlark.Tuple, []starlark.Tuple) (starlark.Value, error)](
	prefix, name string, table map[string]M, recv R) starlark.Value {
	m, ok := table[name]
	if !ok {
		return nil
	}
	fn := prefix + "." + name
	return starlark.NewBuiltin(fn, func(thread *starlark.Thread, _ *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		return m(thread, fn, recv, args, kwargs)
	})
}
