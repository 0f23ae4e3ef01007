package starlib

import (
	"fmt"
	"maps"
	"strings"
	"sync"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
	"go.starlark.net/syntax"
)

// FileOptions are the Starlark dialect of ducktape scripts: while loops,
// sets, top-level control flow and recursion are allowed, as Python users
// expect; globals stay single-assignment.
var FileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true, Recursion: true}

// domains returns the one list of what scripts see: each entry is a
// function, in its own file, returning a domain's declarations. A new
// domain is a new file and one line here. The list is sorted by file name,
// so that domains added on different branches rarely touch the same lines;
// it is also the order of the generated docs. (A function rather than a
// variable because the domains' builtins refer back to the universe.)
func domains() []func() Domain {
	return []func() Domain{
		accountDomain,      // account.go
		assertDomain,       // assert.go
		catchDomain,        // catch.go
		checkDomain,        // check.go
		checkTxnDomain,     // check_txn.go
		clientsDomain,      // clients.go
		contextDomain,      // context.go
		faultsDomain,       // faults.go
		historyDomain,      // history.go
		loggerDomain,       // logger.go
		marksDomain,        // marks.go
		monitorDomain,      // monitor.go
		httpDomain,         // monitor_http.go
		nodeDomain,         // node.go
		parallelDomain,     // parallel.go
		performanceDomain,  // performance.go
		renderDomain,       // render.go
		servicesDomain,     // service.go
		serviceValueDomain, // service_methods.go
		skipDomain,         // skip.go
		starlarkLibDomain,  // stdlib.go
		clusterDomain,      // testcluster.go
		waitDomain,         // wait.go
	}
}

// universe is what the domains declare, assembled once.
type universe struct {
	domains     []Domain
	predeclared starlark.StringDict // frozen
	account     map[string]accountMethod
	context     map[string]contextMethod
	service     map[string]instanceMethod
	loadable    map[string]starlark.StringDict // by load() name; each frozen
}

var (
	universeOnce sync.Once
	theUniverse  *universe
)

// getUniverse assembles the domains on first use. A declaration error is a
// programming error, caught by every test of the package, so it panics.
func getUniverse() *universe {
	universeOnce.Do(func() {
		u, err := assemble(domains())
		if err != nil {
			panic("starlib: " + err.Error())
		}
		theUniverse = u
	})
	return theUniverse
}

// assemble builds the universe of the given domains, checking that every
// name is declared once and that module members have their module.
func assemble(list []func() Domain) (*universe, error) {
	u := &universe{
		predeclared: starlark.StringDict{},
		account:     map[string]accountMethod{},
		context:     map[string]contextMethod{},
		service:     map[string]instanceMethod{},
		loadable:    map[string]starlark.StringDict{},
	}
	seen := map[string]string{}
	members := map[string]starlark.StringDict{}
	wrappers := map[string]func(builtinFunc) builtinFunc{}
	loadedFrom := map[string]string{} // module name -> its domain's Load
	for _, mk := range list {
		d := mk()
		u.domains = append(u.domains, d)
		for _, b := range d.Builtins {
			if other, dup := seen[b.Name]; dup {
				return nil, fmt.Errorf("domain %s declares %s, already declared by %s", d.Name, b.Name, other)
			}
			seen[b.Name] = d.Name
			_, member, _ := strings.Cut(b.Name, ".")
			switch {
			case b.module:
				members[b.Name] = maps.Clone(b.base)
				if members[b.Name] == nil {
					members[b.Name] = starlark.StringDict{}
				}
				wrappers[b.Name] = b.wrap
				loadedFrom[b.Name] = d.Load
			case b.value != nil:
				u.predeclared[b.Name] = b.value
			case b.fn != nil && member == "":
				u.predeclared[b.Name] = starlark.NewBuiltin(b.Name, b.fn)
			case b.fn != nil:
				mod, _, _ := strings.Cut(b.Name, ".")
				if members[mod] == nil {
					return nil, fmt.Errorf("domain %s declares %s before (or without) its module %s", d.Name, b.Name, mod)
				}
				if members[mod][member] != nil {
					return nil, fmt.Errorf("domain %s declares %s, which module %s already has", d.Name, b.Name, mod)
				}
				fn := b.fn
				if wrap := wrappers[mod]; wrap != nil {
					fn = wrap(fn)
				}
				members[mod][member] = starlark.NewBuiltin(b.Name, fn)
			case b.account != nil:
				u.account[member] = b.account
			case b.context != nil:
				u.context[member] = b.context
			case b.service != nil:
				u.service[member] = b.service
			}
		}
	}
	for name, m := range members {
		mod := &starlarkstruct.Module{Name: name, Members: m}
		if load := loadedFrom[name]; load != "" {
			if u.loadable[load] == nil {
				u.loadable[load] = starlark.StringDict{}
			}
			u.loadable[load][name] = mod
			continue
		}
		u.predeclared[name] = mod
	}
	u.predeclared.Freeze()
	for _, m := range u.loadable {
		m.Freeze()
	}
	return u, nil
}

// Predeclared returns the names every ducktape script sees besides
// Starlark's universe. The dict is shared and frozen: do not modify it.
func Predeclared() starlark.StringDict { return getUniverse().predeclared }

// Loadable returns the module that load(name) gives a script for a name
// some domain declares as its Load ("@ducktape//clients"), and whether
// there is one. The dict is shared and frozen: do not modify it.
func Loadable(name string) (starlark.StringDict, bool) {
	m, ok := getUniverse().loadable[name]
	return m, ok
}

// Domains returns the declarations of every domain, in universe.go's
// order, for help and generated docs. The result must not be modified.
func Domains() []Domain { return getUniverse().domains }
