package starlib

import (
	"context"
	"fmt"
	"math"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"github.com/ducktape-go/ducktape/services/clients"
)

// zookeeperBuiltins declare the zookeeper module and its sessions.
func zookeeperBuiltins() []Builtin {
	return []Builtin{
		module("zookeeper", "A ZooKeeper client (go-zookeeper/zk): `load(\"@ducktape//clients\", \"zookeeper\")`."),
		function("zookeeper.connect", "zookeeper.connect(nodes, port = 2181, timeout_sec = 5)",
			"Opens a session with the ZooKeeper servers on nodes (a node or a list; at their externally routable IPs) and waits until it is established; the client moves to another of them when its server fails. timeout_sec is the session timeout and bounds every call.",
			zookeeperConnect),
		function("zookeeper.srvr", "zookeeper.srvr(node, port = 2181, timeout_sec = 5)",
			"Asks the ZooKeeper server on node for its status (the srvr four-letter word, which the server must allow: 4lw.commands.whitelist) and returns its fields as a dict (\"Mode\": \"leader\", \"follower\"...; no Mode while it does not serve). An error when it cannot be reached.",
			zookeeperSrvr),
		attribute("zookeeper.connection.get", "zookeeper.connection.get(path, as_bytes = False, timeout_sec = None)", "Reads a znode: struct(data, version); data is a string (bytes with as_bytes). A missing znode is a definite error."),
		attribute("zookeeper.connection.set", "zookeeper.connection.set(path, data, version = -1, timeout_sec = None)", "Writes a znode's data if its version is version (-1: any) and returns the new version. A version that moved is a definite error (a failed compare)."),
		attribute("zookeeper.connection.create", "zookeeper.connection.create(path, data = \"\", ephemeral = False, sequential = False, timeout_sec = None)", "Creates a znode (open to everyone); returns its path (with the sequence number of a sequential one)."),
		attribute("zookeeper.connection.delete", "zookeeper.connection.delete(path, version = -1, timeout_sec = None)", "Deletes a znode if its version is version (-1: any)."),
		attribute("zookeeper.connection.exists", "zookeeper.connection.exists(path, timeout_sec = None)", "struct(version, num_children) of a znode, or None when there is none."),
		attribute("zookeeper.connection.children", "zookeeper.connection.children(path, timeout_sec = None)", "The names of a znode's children, sorted."),
		attribute("zookeeper.connection.sync", "zookeeper.connection.sync(path, timeout_sec = None)", "Makes the session's server catch up with the leader: a read after it sees every write committed before it."),
		attribute("zookeeper.connection.close", "zookeeper.connection.close()", "Ends the session (its ephemeral znodes go)."),
	}
}

// zookeeperConnect is zookeeper.connect(nodes, port = 2181, timeout_sec = 5).
func zookeeperConnect(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var nodesV, timeoutV starlark.Value
	port := 2181
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "nodes", &nodesV, "port?", &port, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	if err := clientPort(b.Name(), port); err != nil {
		return nil, err
	}
	list := []starlark.Value{nodesV}
	if seq, ok := nodesV.(starlark.Indexable); ok {
		if _, isString := nodesV.(starlark.String); !isString {
			list = list[:0]
			for i := range seq.Len() {
				list = append(list, seq.Index(i))
			}
		}
	}
	var eps []clients.Endpoint
	for _, v := range list {
		n, err := clientNode(b.Name(), v)
		if err != nil {
			return nil, err
		}
		eps = append(eps, clients.NodeEndpoint(n, port))
	}
	if len(eps) == 0 {
		return nil, fmt.Errorf("%s: no nodes given", b.Name())
	}
	timeout, err := clientTimeout(b.Name(), timeoutV, defaultClientTimeout)
	if err != nil {
		return nil, err
	}
	reg, err := clientRegistry(thread, b.Name())
	if err != nil {
		return nil, err
	}
	log := EnvOf(thread).Log
	debug := func(msg string) {
		log.Log(Record{Time: time.Now(), Level: LevelDebug, Msg: "zookeeper client: " + msg})
	}
	conn, err := Blocking(thread, func(ctx context.Context) (*clients.ZooKeeper, error) {
		return clients.ConnectZooKeeper(ctx, reg, eps, timeout, debug)
	})
	if err != nil {
		return nil, err
	}
	return &zookeeperValue{clientValue{"zookeeper.connection"}, conn}, nil
}

// zookeeperSrvr is zookeeper.srvr(node, port = 2181, timeout_sec = 5).
func zookeeperSrvr(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ep, timeout, err := nodeEndpointArgs(b, args, kwargs, 2181)
	if err != nil {
		return nil, err
	}
	fields, err := Blocking(thread, func(ctx context.Context) (map[string]string, error) { return clients.Srvr(ctx, ep, timeout) })
	if err != nil {
		return nil, err
	}
	d := starlark.NewDict(len(fields))
	for _, k := range sortedKeys(fields) {
		d.SetKey(starlark.String(k), starlark.String(fields[k]))
	}
	return d, nil
}

// zookeeperValue is a ZooKeeper session.
type zookeeperValue struct {
	clientValue
	c *clients.ZooKeeper
}

func (v *zookeeperValue) String() string { return "<" + v.c.String() + ">" }
func (v *zookeeperValue) AttrNames() []string {
	return []string{"children", "close", "create", "delete", "exists", "get", "set", "sync"}
}

func (v *zookeeperValue) Attr(name string) (starlark.Value, error) {
	return methods(v.typ, name, map[string]builtinFunc{
		"get":      v.get,
		"set":      v.set,
		"create":   v.create,
		"delete":   v.delete,
		"exists":   v.exists,
		"children": v.children,
		"sync":     v.sync,
		"close": func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return closeClient(thread, b, args, kwargs, v.c.Close)
		},
	})
}

// zkData reads znode data: a string or bytes.
func zkData(fn string, v starlark.Value) ([]byte, error) {
	switch v := v.(type) {
	case starlark.String:
		return []byte(v), nil
	case starlark.Bytes:
		return []byte(v), nil
	}
	return nil, fmt.Errorf("%s: data must be a string or bytes, not %s", fn, v.Type())
}

// zkVersion checks a version argument.
func zkVersion(fn string, v int) (int32, error) {
	if v < -1 || v > math.MaxInt32 {
		return 0, fmt.Errorf("%s: version %d is not -1 (any) or a znode version", fn, v)
	}
	return int32(v), nil
}

func zkStruct(fields starlark.StringDict) starlark.Value {
	return starlarkstruct.FromStringDict(starlarkstruct.Default, fields)
}

// zkCall unpacks (path, <params>, timeout_sec = None), runs prepare
// (if not nil: checks of the params), then fn with the lock released;
// convert makes its Starlark result once the lock is back.
func zkCall[T any](thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple, params []any, prepare func() error,
	fn func(ctx context.Context, timeout time.Duration, path string) (T, error), convert func(T) starlark.Value) (starlark.Value, error) {
	var path string
	var timeoutV starlark.Value
	pairs := append(append([]any{"path", &path}, params...), "timeout_sec?", &timeoutV)
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, pairs...); err != nil {
		return nil, err
	}
	if prepare != nil {
		if err := prepare(); err != nil {
			return nil, err
		}
	}
	timeout, err := clientTimeout(b.Name(), timeoutV, 0)
	if err != nil {
		return nil, err
	}
	out, err := Blocking(thread, func(ctx context.Context) (T, error) { return fn(ctx, timeout, path) })
	if err != nil {
		return nil, err
	}
	return convert(out), nil
}

func noValue[T any](T) starlark.Value { return starlark.None }

func (v *zookeeperValue) get(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var asBytes bool
	return zkCall(thread, b, args, kwargs, []any{"as_bytes?", &asBytes}, nil,
		func(ctx context.Context, d time.Duration, path string) (clients.ZNode, error) {
			return v.c.Get(ctx, d, path, asBytes)
		},
		func(n clients.ZNode) starlark.Value {
			return zkStruct(starlark.StringDict{"data": fromClientValue(n.Data), "version": starlark.MakeInt(int(n.Version))})
		})
}

func (v *zookeeperValue) set(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dataV starlark.Value
	version := -1
	var data []byte
	var ver int32
	return zkCall(thread, b, args, kwargs, []any{"data", &dataV, "version?", &version},
		func() (err error) {
			if data, err = zkData(b.Name(), dataV); err == nil {
				ver, err = zkVersion(b.Name(), version)
			}
			return err
		},
		func(ctx context.Context, d time.Duration, path string) (int32, error) {
			return v.c.Set(ctx, d, path, data, ver)
		},
		func(n int32) starlark.Value { return starlark.MakeInt(int(n)) })
}

func (v *zookeeperValue) create(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var dataV starlark.Value = starlark.String("")
	var ephemeral, sequential bool
	var data []byte
	return zkCall(thread, b, args, kwargs, []any{"data?", &dataV, "ephemeral?", &ephemeral, "sequential?", &sequential},
		func() (err error) {
			data, err = zkData(b.Name(), dataV)
			return err
		},
		func(ctx context.Context, d time.Duration, path string) (string, error) {
			return v.c.Create(ctx, d, path, data, ephemeral, sequential)
		},
		func(p string) starlark.Value { return starlark.String(p) })
}

func (v *zookeeperValue) delete(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	version := -1
	var ver int32
	return zkCall(thread, b, args, kwargs, []any{"version?", &version},
		func() (err error) {
			ver, err = zkVersion(b.Name(), version)
			return err
		},
		func(ctx context.Context, d time.Duration, path string) (struct{}, error) {
			return struct{}{}, v.c.Delete(ctx, d, path, ver)
		},
		noValue[struct{}])
}

func (v *zookeeperValue) exists(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return zkCall(thread, b, args, kwargs, nil, nil,
		func(ctx context.Context, d time.Duration, path string) (*clients.ZStat, error) {
			return v.c.Exists(ctx, d, path)
		},
		func(st *clients.ZStat) starlark.Value {
			if st == nil {
				return starlark.None
			}
			return zkStruct(starlark.StringDict{"version": starlark.MakeInt(int(st.Version)), "num_children": starlark.MakeInt(int(st.NumChildren))})
		})
}

func (v *zookeeperValue) children(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return zkCall(thread, b, args, kwargs, nil, nil,
		func(ctx context.Context, d time.Duration, path string) ([]string, error) {
			return v.c.Children(ctx, d, path)
		},
		func(names []string) starlark.Value { return fromClientValue(names) })
}

func (v *zookeeperValue) sync(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	return zkCall(thread, b, args, kwargs, nil, nil,
		func(ctx context.Context, d time.Duration, path string) (struct{}, error) {
			return struct{}{}, v.c.Sync(ctx, d, path)
		},
		noValue[struct{}])
}
