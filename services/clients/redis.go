package clients

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// go-redis logs to standard error on its own (failed dials, pool
// events); the errors it returns say the same, in the test's words.
func init() { redis.SetLogger(silentRedisLogger{}) }

type silentRedisLogger struct{}

func (silentRedisLogger) Printf(context.Context, string, ...any) {}

// Redis is one connection to a Redis server (go-redis with a pool of one
// connection, redialled on the next call after it broke, with no retries
// of its own: a retried INCR could apply twice). Calls of several threads
// wait for each other. Safe for concurrent use.
type Redis struct {
	ep      Endpoint
	timeout time.Duration
	reg     *Registry
	client  *redis.Client
}

// ConnectRedis connects to the Redis server at ep and checks that it
// answers PING (a failure is an error now); timeout bounds connecting and
// each call that gives none of its own.
func ConnectRedis(ctx context.Context, reg *Registry, ep Endpoint, timeout time.Duration) (*Redis, error) {
	client := redis.NewClient(&redis.Options{
		Addr:                     ep.Address,
		Dialer:                   ep.Dial,
		Protocol:                 2, // plain replies: strings, integers, arrays
		DisableIdentity:          true,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		MaxRetries:               -1,
		DialerRetries:            1,
		DialTimeout:              timeout,
		ReadTimeout:              timeout,
		WriteTimeout:             timeout,
		ContextTimeoutEnabled:    true,
		PoolSize:                 1,
		PoolTimeout:              timeout,
	})
	r := &Redis{ep: ep, timeout: timeout, reg: reg, client: client}
	if _, err := r.Do(ctx, 0, []any{"PING"}, false); err != nil {
		client.Close()
		var e *Error
		if errors.As(err, &e) {
			e.Op = "connect"
		}
		return nil, err
	}
	if err := reg.add(r); err != nil {
		client.Close()
		return nil, call{client: "redis", ep: ep, op: "connect"}.definiteError(err)
	}
	return r, nil
}

func (r *Redis) String() string { return "redis connection to " + r.ep.where() }

// Do sends one command (args: its name and arguments, each a string,
// []byte, int64, uint64, float64 or bool) and returns the reply: nil for
// a nil reply, int64, string (or []byte when asBytes; text that is not
// UTF-8 is an error otherwise), []any for arrays. An error reply is a
// definite error; so is a failure to connect. timeout 0 is the
// connection's.
func (r *Redis) Do(ctx context.Context, timeout time.Duration, args []any, asBytes bool) (any, error) {
	c := call{client: "redis", ep: r.ep, op: redisOp(args)}
	if len(args) == 0 {
		return nil, c.definiteError(errors.New("no command given"))
	}
	for i, a := range args {
		switch a := a.(type) {
		case string, []byte, int64, uint64, float64, bool:
		case *big.Int:
			return nil, c.definiteError(fmt.Errorf("argument %d: the integer %s does not fit in 64 bits", i+1, a))
		default:
			return nil, c.definiteError(fmt.Errorf("argument %d: a %s cannot be a command argument (want a string, bytes, int, float or bool)", i+1, typeName(a)))
		}
	}
	if timeout <= 0 {
		timeout = r.timeout
	}
	callCtx, cancel := callContext(ctx, timeout)
	defer cancel()
	reply, err := r.client.Do(callCtx, args...).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, c.fail(explain(ctx, callCtx, err), redisDefinite(err))
	}
	v, err := RedisReply(reply, asBytes)
	if err != nil {
		return nil, c.fail(err, false) // the command ran
	}
	return v, nil
}

// redisOp names a command in errors: its name, and its first argument
// when it has one (the key, usually).
func redisOp(args []any) string {
	if len(args) == 0 {
		return "(no command)"
	}
	op := strings.ToUpper(fmt.Sprint(args[0]))
	if len(args) > 1 {
		op += " " + cut(fmt.Sprint(args[1]), 40)
	}
	return op
}

// RedisReply converts a RESP2 reply as go-redis returns it: int64,
// string, nil, []any of replies, or an error reply inside an array
// (EXEC's), which fails the whole conversion, not definitely: the
// transaction's other commands took effect.
func RedisReply(v any, asBytes bool) (any, error) {
	switch v := v.(type) {
	case nil, int64:
		return v, nil
	case string:
		if asBytes {
			return []byte(v), nil
		}
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("the reply is not UTF-8 text (%d bytes); pass as_bytes = True to get bytes", len(v))
		}
		return v, nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			c, err := RedisReply(e, asBytes)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out[i] = c
		}
		return out, nil
	case error:
		return nil, fmt.Errorf("an error reply among the others: %w", v)
	}
	return nil, fmt.Errorf("unsupported reply of type %T", v)
}

// redisDefinite: an error reply (the server rejected the command: a
// wrong type, READONLY, LOADING, NOSCRIPT...), a failure to connect, a
// closed client or an exhausted pool wait had no effect; a timeout or a
// lost connection may have.
func redisDefinite(err error) bool {
	var reply redis.Error
	switch {
	case notSent(err), errors.Is(err, redis.ErrClosed), errors.Is(err, redis.ErrPoolTimeout):
		return true
	case errors.As(err, &reply):
		return !isNetworkishRedisError(reply)
	}
	return false
}

// isNetworkishRedisError reports go-redis errors that satisfy redis.Error
// without being a server's error reply.
func isNetworkishRedisError(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// Close closes the connection.
func (r *Redis) Close() error {
	r.reg.remove(r)
	return r.close()
}

func (r *Redis) close() error {
	if err := r.client.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return err
	}
	return nil
}
