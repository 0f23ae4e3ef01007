package starlib

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/host/check"
	"github.com/ducktape-go/ducktape/host/check/txn"
	"github.com/ducktape-go/ducktape/host/history"
)

// checkTxnDomain is the transactional checkers of the check module (see
// docs/checkers.md, "Transactions"): Elle's analysis of list-append and
// rw-register histories.
func checkTxnDomain() Domain {
	return Domain{Name: "check (transactions)", Page: "checkers.md", Builtins: []Builtin{
		function("check.list_append", `check.list_append(h, models = ["strict-serializable"], time_limit = "10s", expect = None)`,
			"Checks a history of transactions of [\"append\", k, v] and [\"r\", k, list] micro-ops as Elle does: infers the dependency graph, names every anomaly (G0, G1c, G-single, G2-item, lost-update...) and the models it rules out; not ok when one of models forbids one found. time_limit bounds the cycle search per strongly connected component (past it: unknown). The result adds anomaly_types, anomalies (type: explanations) and violates.",
			checkTxn(txn.ListAppend, false)),
		function("check.rw_register", `check.rw_register(h, models = ["strict-serializable"], time_limit = "10s", wfr_keys = False, sequential_keys = False, linearizable_keys = False, expect = None)`,
			"As check.list_append, for transactions of [\"w\", k, v] and [\"r\", k, v] micro-ops (every key starts as None); the keyword flags add Elle's assumptions as sources of version orders: writes follow reads within a transaction, keys sequential, keys linearizable.",
			checkTxn(txn.RWRegister, true)),
	}}
}

// checkTxn makes check.list_append and check.rw_register; register says
// whether it takes rw-register's assumption flags.
func checkTxn(checker func(ctx context.Context, h history.File, opts txn.Options) (txn.Analysis, error), register bool) builtinFunc {
	return func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var h *HistoryValue
		var models *starlark.List
		var limitV starlark.Value = starlark.String(txn.DefaultTimeLimit.String())
		var opts txn.Options
		params := []any{"h", &h, "models?", &models, "time_limit?", &limitV}
		if register {
			params = append(params, "wfr_keys?", &opts.WFRKeys, "sequential_keys?", &opts.SequentialKeys, "linearizable_keys?", &opts.LinearizableKeys)
		}
		if err := starlark.UnpackArgs(b.Name(), args, kwargs, params...); err != nil {
			return nil, err
		}
		if models != nil {
			for i := range models.Len() {
				m, ok := starlark.AsString(models.Index(i))
				if !ok {
					return nil, fmt.Errorf("%s: models: want a list of model names, got %s", b.Name(), models.Index(i).Type())
				}
				opts.Models = append(opts.Models, m)
			}
		}
		var err error
		if opts.TimeLimit, err = ParseDuration(limitV); err != nil {
			return nil, fmt.Errorf("time_limit: %w", err)
		}
		opts.Dir = h.t.dir
		var analysis txn.Analysis
		v, err := runCheck(thread, b.Name(), h, func(f history.File) (check.Result, error) {
			var err error
			analysis, err = checker(ContextOf(thread), f, opts)
			return analysis.Result, err
		})
		if err != nil {
			return nil, err
		}
		return txnValue(v.(*starlarkstruct.Struct), analysis)
	}
}

// txnValue is a transactional check's verdict: the generic fields plus
// anomaly_types, anomalies ({type: [explanation, ...]}) and violates.
func txnValue(generic *starlarkstruct.Struct, a txn.Analysis) (starlark.Value, error) {
	fields := starlark.StringDict{}
	generic.ToStringDict(fields)
	anomalies := map[string][]string{}
	for typ, l := range a.Anomalies {
		for _, an := range l {
			anomalies[typ] = append(anomalies[typ], an.Explanation)
		}
	}
	for name, v := range map[string]any{"anomaly_types": append([]string{}, a.AnomalyTypes...),
		"violates": append([]string{}, a.Violates...), "anomalies": anomalies} {
		sv, err := FromGo(v)
		if err != nil {
			return nil, err
		}
		fields[name] = sv
	}
	return starlarkstruct.FromStringDict(starlark.String("check_result"), fields), nil
}
