package starlib

import (
	"fmt"
	"math/big"
	"time"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/cluster"
	"github.com/ducktape-go/ducktape/services/clients"
)

// ClientsModule is the load() name of the clients' modules.
const ClientsModule = "@ducktape//clients"

// clientsDomain is load("@ducktape//clients", "sql", "redis", "http",
// "zookeeper"): protocol clients in the driver (docs/clients.md). The
// protocol logic is package services/clients; the values are in
// clients_sql.go, clients_redis.go, clients_http.go and
// clients_zookeeper.go.
func clientsDomain() Domain {
	b := []Builtin{}
	b = append(b, sqlBuiltins()...)
	b = append(b, redisBuiltins()...)
	b = append(b, httpBuiltins()...)
	b = append(b, zookeeperBuiltins()...)
	return Domain{Name: "clients", Page: "clients.md", Load: ClientsModule, Builtins: b}
}

// defaultClientTimeout is the timeout_sec of a client that gives none.
const defaultClientTimeout = 5 * time.Second

// clientRegistry returns the test's clients, or an error where there are
// none (a thread that is no test's).
func clientRegistry(thread *starlark.Thread, fn string) (*clients.Registry, error) {
	env := EnvOf(thread)
	if env == nil || env.Clients == nil {
		return nil, fmt.Errorf("%s: clients are only available in tests run by ducktape (and in its REPL)", fn)
	}
	return env.Clients, nil
}

// clientNode returns the cluster node of a node value.
func clientNode(fn string, v starlark.Value) (*cluster.Node, error) {
	n, ok := v.(Node)
	if !ok {
		return nil, fmt.Errorf("%s: want a node (e.g. ctx.cluster[0] or svc.nodes[0]), not %s", fn, v.Type())
	}
	return n.node, nil
}

// nodeEndpointArgs unpacks (node, port = defaultPort, timeout_sec = 5),
// the arguments of the clients that dial one node's service.
func nodeEndpointArgs(b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, defaultPort int) (clients.Endpoint, time.Duration, error) {
	var nodeV, timeoutV starlark.Value
	port := defaultPort
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "node", &nodeV, "port?", &port, "timeout_sec?", &timeoutV); err != nil {
		return clients.Endpoint{}, 0, err
	}
	node, err := clientNode(b.Name(), nodeV)
	if err != nil {
		return clients.Endpoint{}, 0, err
	}
	if err := clientPort(b.Name(), port); err != nil {
		return clients.Endpoint{}, 0, err
	}
	timeout, err := clientTimeout(b.Name(), timeoutV, defaultClientTimeout)
	if err != nil {
		return clients.Endpoint{}, 0, err
	}
	return clients.NodeEndpoint(node, port), timeout, nil
}

// clientPort checks a port number.
func clientPort(fn string, port int) error {
	if port < 1 || port > 65535 {
		return fmt.Errorf("%s: port %d is not between 1 and 65535", fn, port)
	}
	return nil
}

// clientTimeout reads a timeout_sec argument: fallback when absent or
// None (0 for a call: the client's own).
func clientTimeout(fn string, v starlark.Value, fallback time.Duration) (time.Duration, error) {
	d, err := timeoutArg(fn, v)
	if err != nil || d > 0 {
		return d, err
	}
	return fallback, nil
}

// toClientValue converts a Starlark argument to the value types of
// package clients: None, bool, int (int64, or uint64, or *big.Int past
// both), float, string, bytes, and lists or tuples of them ([]any).
func toClientValue(v starlark.Value) (any, error) {
	switch v := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(v), nil
	case starlark.Int:
		if n, ok := v.Int64(); ok {
			return n, nil
		}
		if n, ok := v.Uint64(); ok {
			return n, nil
		}
		return v.BigInt(), nil
	case starlark.Float:
		return float64(v), nil
	case starlark.String:
		return string(v), nil
	case starlark.Bytes:
		return []byte(v), nil
	case *starlark.List, starlark.Tuple:
		seq := v.(starlark.Indexable)
		out := make([]any, seq.Len())
		for i := range out {
			e, err := toClientValue(seq.Index(i))
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = e
		}
		return out, nil
	}
	return nil, fmt.Errorf("a %s cannot be sent (want None, bool, int, float, string, bytes or a list of them)", v.Type())
}

// toClientValues converts a call's positional arguments.
func toClientValues(fn string, args starlark.Tuple) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		v, err := toClientValue(a)
		if err != nil {
			return nil, fmt.Errorf("%s: argument %d: %w", fn, i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

// fromClientValue converts a value of package clients to Starlark (lists
// are new and mutable).
func fromClientValue(v any) starlark.Value {
	switch v := v.(type) {
	case nil:
		return starlark.None
	case bool:
		return starlark.Bool(v)
	case int64:
		return starlark.MakeInt64(v)
	case uint64:
		return starlark.MakeUint64(v)
	case int32:
		return starlark.MakeInt64(int64(v))
	case *big.Int:
		return starlark.MakeBigInt(v)
	case float64:
		return starlark.Float(v)
	case string:
		return starlark.String(v)
	case []byte:
		return starlark.Bytes(v)
	case []any:
		elems := make([]starlark.Value, len(v))
		for i, e := range v {
			elems[i] = fromClientValue(e)
		}
		return starlark.NewList(elems)
	case []string:
		elems := make([]starlark.Value, len(v))
		for i, e := range v {
			elems[i] = starlark.String(e)
		}
		return starlark.NewList(elems)
	}
	panic(fmt.Sprintf("starlib: no Starlark value for %T", v))
}

// clientValue is what the client values (connections, transactions,
// responses) share: immutable handles, unhashable, always true.
type clientValue struct{ typ string }

func (c clientValue) Type() string         { return c.typ }
func (c clientValue) Freeze()              {}
func (c clientValue) Truth() starlark.Bool { return true }
func (c clientValue) Hash() (uint32, error) {
	return 0, fmt.Errorf("unhashable type: %s", c.typ)
}

// methods makes the Attr of a client value from its method table.
func methods(typ, name string, table map[string]builtinFunc) (starlark.Value, error) {
	fn, ok := table[name]
	if !ok {
		return nil, nil
	}
	return starlark.NewBuiltin(typ+"."+name, fn), nil
}
