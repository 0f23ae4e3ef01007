package starlib

import (
	"slices"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/history"
	"github.com/ducktape-go/ducktape/services/clients"
)

func noop(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return starlark.None, nil
}

// TestAssembleRejectsBadDeclarations checks the two declaration errors a
// new domain can make.
func TestAssembleRejectsBadDeclarations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		domains []func() Domain
		want    string
	}{
		{"a name declared twice", []func() Domain{
			func() Domain { return Domain{Name: "a", Builtins: []Builtin{function("f", "f()", "", noop)}} },
			func() Domain { return Domain{Name: "b", Builtins: []Builtin{function("f", "f()", "", noop)}} },
		}, "domain b declares f, already declared by a"},
		{"a member without its module", []func() Domain{
			func() Domain { return Domain{Name: "a", Builtins: []Builtin{function("m.f", "m.f()", "", noop)}} },
		}, "domain a declares m.f before (or without) its module m"},
		{"a member that replaces a library module's own", []func() Domain{
			func() Domain {
				lib := &starlarkstruct.Module{Name: "m", Members: starlark.StringDict{"f": starlark.None}}
				return Domain{Name: "a", Builtins: []Builtin{extendedModule("m", "", lib), function("m.f", "m.f()", "", noop)}}
			},
		}, "domain a declares m.f, which module m already has"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := assemble(tc.domains)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("assemble: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestAssemblePlacesEachKind checks where each kind of declaration ends up.
func TestAssemblePlacesEachKind(t *testing.T) {
	u, err := assemble([]func() Domain{func() Domain {
		return Domain{Name: "d", Builtins: []Builtin{
			function("f", "f()", "", noop),
			module("m", ""),
			function("m.g", "m.g()", "", noop),
			extendedModule("lib", "", &starlarkstruct.Module{Name: "lib", Members: starlark.StringDict{"own": starlark.None}}),
			function("lib.added", "lib.added()", "", noop),
			value("v", "", starlark.MakeInt(1)),
			attribute("node.x", "", "documented only"),
			onAccount("a", "account.a()", "", accountAlive),
			onContext("c", "ctx.c()", "", markForCollect),
			onService("s", "svc.s()", "", svcIdx),
		}}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u.predeclared["f"].(*starlark.Builtin); !ok {
		t.Errorf("f is not a predeclared builtin: %v", u.predeclared["f"])
	}
	if m, ok := u.predeclared["m"].(*starlarkstruct.Module); !ok || m.Members["g"] == nil {
		t.Errorf("m is not a module with g: %v", u.predeclared["m"])
	}
	if m, ok := u.predeclared["lib"].(*starlarkstruct.Module); !ok || m.Members["own"] == nil || m.Members["added"] == nil {
		t.Errorf("lib is not a module with its own member and the added one: %v", u.predeclared["lib"])
	}
	if u.predeclared["v"] != starlark.MakeInt(1) || len(u.predeclared) != 4 {
		t.Errorf("predeclared: %v, want f, m, lib and v", u.predeclared)
	}
	if u.account["a"] == nil || u.context["c"] == nil || u.service["s"] == nil {
		t.Errorf("method tables: account %v, ctx %v, service %v", u.account, u.context, u.service)
	}
}

// TestEveryCheckerTakesExpect checks that a checker another domain adds to
// the check module later (as check_txn.go's do) takes expect = ... with no
// code of its own, its verdict recorded with the expectation, and that a
// checker recording no verdict refuses the expectation instead of dropping
// it.
func TestEveryCheckerTakesExpect(t *testing.T) {
	found := func(history.File) (check.Result, error) {
		return check.Result{Name: "later", Found: "2 lost writes"}, nil
	}
	u, err := assemble([]func() Domain{checkDomain, historyDomain, func() Domain {
		return Domain{Name: "later", Builtins: []Builtin{
			function("check.later", "check.later(h)", "", checkWith("later", found)),
			function("check.silent", "check.silent(h)", "", noop),
		}}
	}})
	if err != nil {
		t.Fatal(err)
	}
	env := NewEnv(Env{History: NewTestHistory("")})
	thread := env.Runtime.NewThread(t.Context(), "test")
	env.Runtime.Lock()
	defer env.Runtime.Unlock()
	v, err := starlark.Eval(thread, "later.star", `check.later(history(), expect = "violation")`, u.predeclared)
	if err != nil {
		t.Fatal(err)
	}
	if as, _ := v.(*starlarkstruct.Struct).Attr("as_expected"); as != starlark.True {
		t.Errorf("as_expected = %v, want True", as)
	}
	checks := env.History.Checks()
	if len(checks) != 1 || checks[0].Expect != check.ExpectViolation || checks[0].Verdict().Words != "found 2 lost writes, as expected" {
		t.Errorf("recorded checks: %+v", checks)
	}
	_, err = starlark.Eval(thread, "silent.star", `check.silent(history(), expect = "valid")`, u.predeclared)
	if err == nil || !strings.Contains(err.Error(), `check.silent: cannot apply expect = "valid": the checker records no verdict`) {
		t.Errorf("a checker recording no verdict: %v", err)
	}
}

// TestClientValuesDocumented checks that the attributes of the clients'
// values (which need servers to make for real) are the declared ones.
func TestClientValuesDocumented(t *testing.T) {
	declared := map[string][]string{}
	for _, d := range Domains() {
		for _, b := range d.Builtins {
			if strings.Count(b.Name, ".") == 2 {
				i := strings.LastIndex(b.Name, ".")
				declared[b.Name[:i]] = append(declared[b.Name[:i]], b.Name[i+1:])
			}
		}
	}
	for _, v := range []starlark.HasAttrs{
		&sqlConnValue{clientValue: clientValue{"sql.connection"}}, &sqlTxValue{clientValue: clientValue{"sql.transaction"}},
		&redisValue{clientValue: clientValue{"redis.connection"}}, &zookeeperValue{clientValue: clientValue{"zookeeper.connection"}},
		&httpResponseValue{clientValue: clientValue{"http.response"}, r: &clients.HTTPResponse{}},
	} {
		names := slices.Clone(declared[v.Type()])
		slices.Sort(names)
		if !slices.Equal(names, v.AttrNames()) {
			t.Errorf("%s: attributes %v, declared %v", v.Type(), v.AttrNames(), names)
		}
		for _, name := range v.AttrNames() {
			if x, err := v.Attr(name); x == nil && err == nil {
				t.Errorf("%s.%s: no attribute", v.Type(), name)
			}
		}
	}
}
