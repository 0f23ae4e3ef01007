package starlib

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"

	"github.com/ducktape-go/ducktape/services/clients"
)

// redisBuiltins declare the redis module and its connections.
func redisBuiltins() []Builtin {
	return []Builtin{
		module("redis", "A Redis client (go-redis): `load(\"@ducktape//clients\", \"redis\")`."),
		function("redis.connect", "redis.connect(node, port = 6379, timeout_sec = 5)",
			"Connects to the Redis server on node (at its externally routable IP) and checks that it answers PING; returns a connection. timeout_sec bounds connecting and every call. A broken connection is redialled on the next call; nothing is retried.",
			redisConnect),
		attribute("redis.connection.do", "redis.connection.do(command, *args, as_bytes = False, timeout_sec = None)",
			"Sends one command (`r.do(\"SADD\", \"k\", 5)`) and returns the reply: an int, a string (bytes with as_bytes; a reply that is not UTF-8 text is an error otherwise), a list, or None for a nil reply. An error reply (WRONGTYPE, READONLY...) is a definite error."),
		attribute("redis.connection.close", "redis.connection.close()", "Closes the connection."),
	}
}

// redisConnect is redis.connect(node, port = 6379, timeout_sec = 5).
func redisConnect(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	ep, timeout, err := nodeEndpointArgs(b, args, kwargs, 6379)
	if err != nil {
		return nil, err
	}
	reg, err := clientRegistry(thread, b.Name())
	if err != nil {
		return nil, err
	}
	conn, err := Blocking(thread, func(ctx context.Context) (*clients.Redis, error) {
		return clients.ConnectRedis(ctx, reg, ep, timeout)
	})
	if err != nil {
		return nil, err
	}
	return &redisValue{clientValue{"redis.connection"}, conn}, nil
}

// redisValue is a Redis connection.
type redisValue struct {
	clientValue
	c *clients.Redis
}

func (v *redisValue) String() string      { return "<" + v.c.String() + ">" }
func (v *redisValue) AttrNames() []string { return []string{"close", "do"} }

func (v *redisValue) Attr(name string) (starlark.Value, error) {
	return methods(v.typ, name, map[string]builtinFunc{
		"do": v.do,
		"close": func(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
			return closeClient(thread, b, args, kwargs, v.c.Close)
		},
	})
}

// do is r.do(command, *args, as_bytes = False, timeout_sec = None).
func (v *redisValue) do(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var asBytes bool
	var timeoutV starlark.Value
	if err := starlark.UnpackArgs(b.Name(), nil, kwargs, "as_bytes?", &asBytes, "timeout_sec?", &timeoutV); err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("%s: missing the command", b.Name())
	}
	values, err := toClientValues(b.Name(), args)
	if err != nil {
		return nil, err
	}
	timeout, err := clientTimeout(b.Name(), timeoutV, 0)
	if err != nil {
		return nil, err
	}
	reply, err := Blocking(thread, func(ctx context.Context) (any, error) { return v.c.Do(ctx, timeout, values, asBytes) })
	if err != nil {
		return nil, err
	}
	return fromClientValue(reply), nil
}
