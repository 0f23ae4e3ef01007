package clients

import (
	"database/sql"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseIsolation(t *testing.T) {
	for name, want := range map[string]sql.IsolationLevel{
		"serializable": sql.LevelSerializable, "REPEATABLE READ": sql.LevelRepeatableRead, "read_committed": sql.LevelReadCommitted,
		"Read-Uncommitted": sql.LevelReadUncommitted, "default": sql.LevelDefault, " serializable ": sql.LevelSerializable,
	} {
		if got, err := ParseIsolation(name); err != nil || got != want {
			t.Errorf("ParseIsolation(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	for _, bad := range []string{"", "snapshot", "linearizable", "read", "serializable2"} {
		if _, err := ParseIsolation(bad); err == nil || !strings.Contains(err.Error(), `want one of "default", "read-uncommitted"`) {
			t.Errorf("ParseIsolation(%q): %v", bad, err)
		}
	}
}

func TestParseDriver(t *testing.T) {
	for name, want := range map[string]Driver{"postgres": Postgres, "PostgreSQL": Postgres, "pgx": Postgres, "mysql": MySQL, "MariaDB": MySQL} {
		if got, err := ParseDriver(name); err != nil || got != want {
			t.Errorf("ParseDriver(%q) = %v, %v", name, got, err)
		}
	}
	if _, err := ParseDriver("oracle"); err == nil || !strings.Contains(err.Error(), `unknown driver "oracle"`) {
		t.Errorf("ParseDriver(oracle): %v", err)
	}
}

// TestSQLValue: every type the drivers scan into `any`, by column type.
func TestSQLValue(t *testing.T) {
	ts := time.Date(2024, 2, 3, 4, 5, 6, 7000, time.UTC)
	for _, c := range []struct {
		dbType string
		in     any
		want   any
	}{
		{"INT8", int64(-3), int64(-3)},
		{"INT", []byte("42"), int64(42)},
		{"UNSIGNED BIGINT", []byte("18446744073709551615"), uint64(18446744073709551615)},
		{"UNSIGNED BIGINT", uint64(7), uint64(7)},
		{"DOUBLE", []byte("2.5"), 2.5},
		{"FLOAT", float32(0.5), 0.5},
		{"MEDIUMINT", int32(-5), int64(-5)},
		{"NUMERIC", "1.50", "1.50"},
		{"DECIMAL", []byte("1.50"), "1.50"},
		{"BYTEA", []byte{0, 255}, []byte{0, 255}},
		{"BLOB", []byte{0xe9}, []byte{0xe9}},
		{"TEXT", []byte("héllo"), "héllo"},
		{"JSONB", []byte(`{"k": 1}`), `{"k": 1}`},
		{"DATE", ts, "2024-02-03"},
		{"TIMESTAMP", ts, "2024-02-03T04:05:06.000007"},
		{"TIMESTAMPTZ", ts, "2024-02-03T04:05:06.000007Z"},
		{"_INT4", "{1,NULL,3}", []any{int64(1), nil, int64(3)}},
		{"_FLOAT8", "{1.5,2}", []any{1.5, 2.0}},
		{"_BOOL", "{t,f}", []any{true, false}},
		{"_TEXT", `{a,"b c",NULL}`, []any{"a", "b c", nil}},
		{"_UUID", "{}", "{}"},
		{"BOOL", true, true},
		{"", nil, nil},
	} {
		got, err := SQLValue(c.dbType, c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SQLValue(%q, %#v) = %#v, %v; want %#v", c.dbType, c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		dbType string
		in     any
		want   string
	}{
		{"TEXT", []byte{0xe9}, "not valid UTF-8"},
		{"VARCHAR", "caf\xe9", "not valid UTF-8"},
		{"INT", []byte("x"), `INT value "x" is not an integer`},
		{"_INT4", "{x}", "array"},
		{"_TEXT", "{\"\xff\"}", "not valid UTF-8"},
		{"X", struct{}{}, "unsupported value"},
	} {
		if _, err := SQLValue(c.dbType, c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SQLValue(%q, %#v): %v, want an error with %q", c.dbType, c.in, err, c.want)
		}
	}
}

func TestSQLArgs(t *testing.T) {
	one, two := int64(1), 2.5
	got, err := SQLArgs(Postgres, []any{nil, "s", []any{int64(1), nil}, []any{int64(1), 2.5}, []any{}})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{nil, "s", []*int64{&one, nil}, []*float64{func() *float64 { f := 1.0; return &f }(), &two}, []*string{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SQLArgs = %#v, want %#v", got, want)
	}
	for _, c := range []struct {
		d    Driver
		args []any
		want string
	}{
		{MySQL, []any{[]any{int64(1)}}, "argument 1: a list: mysql has no array type"},
		{Postgres, []any{"x", []any{"a", int64(1)}}, "argument 2: list element 1: a int64 among strings"},
		{Postgres, []any{[]any{[]any{}}}, "a list cannot be an array element"},
		{Postgres, []any{new(big.Int).Lsh(big.NewInt(1), 70)}, "does not fit in 64 bits"},
	} {
		if _, err := SQLArgs(c.d, c.args); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SQLArgs(%s, %#v): %v, want %q", c.d, c.args, err, c.want)
		}
	}
}

func TestRedisReply(t *testing.T) {
	got, err := RedisReply([]any{int64(1), "a", nil, []any{"b"}}, false)
	if err != nil || !reflect.DeepEqual(got, []any{int64(1), "a", nil, []any{"b"}}) {
		t.Errorf("RedisReply = %#v, %v", got, err)
	}
	if got, err := RedisReply([]any{"\xff"}, true); err != nil || !reflect.DeepEqual(got, []any{[]byte{0xff}}) {
		t.Errorf("RedisReply as bytes = %#v, %v", got, err)
	}
	if _, err := RedisReply([]any{"\xff"}, false); err == nil || !strings.Contains(err.Error(), "element 0: the reply is not UTF-8 text (1 bytes); pass as_bytes = True") {
		t.Errorf("RedisReply of bytes as text: %v", err)
	}
	if _, err := RedisReply([]any{replyError("ERR x")}, false); err == nil || !strings.Contains(err.Error(), "an error reply among the others: ERR x") {
		t.Errorf("RedisReply of EXEC's error: %v", err)
	}
}

// FuzzParseNames: the isolation level and driver names of SQL clients
// never panic; what parses is one of the canonical names, and a
// canonical name parses back to the same level.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"serializable", "REPEATABLE READ", "read_committed", "-", "", "mariadb", "postgres", "a\x00b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if level, err := ParseIsolation(name); err == nil {
			if back, err := ParseIsolation(IsolationName(level)); err != nil || back != level {
				t.Fatalf("%q parses to %v, whose name %q parses to %v, %v", name, level, IsolationName(level), back, err)
			}
		} else if !strings.Contains(err.Error(), "unknown isolation level") {
			t.Fatalf("ParseIsolation(%q): %v", name, err)
		}
		if d, err := ParseDriver(name); err == nil && d != Postgres && d != MySQL {
			t.Fatalf("ParseDriver(%q) = %q", name, d)
		}
	})
}

// FuzzSQLValue: any column type and any bytes (or text) a driver returns
// convert to a value of the package's types or fail with an error, never
// a panic; text is always valid UTF-8.
func FuzzSQLValue(f *testing.F) {
	for _, c := range [][2]string{{"_INT4", "{1,NULL,3}"}, {"_TEXT", `{"a\"b",c}`}, {"INT", "12"}, {"TEXT", "\xff"}, {"_FLOAT8", "{NaN,-Infinity}"}, {"UNSIGNED INT", "-1"}, {"_BOOL", "{{t}}"}} {
		f.Add(c[0], []byte(c[1]), false)
		f.Add(c[0], []byte(c[1]), true)
	}
	f.Fuzz(func(t *testing.T, dbType string, raw []byte, asString bool) {
		var in any = raw
		if asString {
			in = string(raw)
		}
		v, err := SQLValue(dbType, in)
		if err == nil {
			checkValue(t, v)
		}
	})
}

// FuzzSQLArgs: arguments built from the fuzz bytes (nested lists of every
// value type) convert for either driver or fail with an error naming the
// argument.
func FuzzSQLArgs(f *testing.F) {
	f.Add([]byte{1, 2, 3, 7, 2, 2, 8, 5})
	f.Add([]byte{7, 7, 7, 8, 8, 0, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		var args []any
		for len(data) > 0 {
			var v any
			v, data = decodeValue(data, 0)
			args = append(args, v)
		}
		for _, d := range []Driver{Postgres, MySQL} {
			out, err := SQLArgs(d, args)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "argument ") {
					t.Fatalf("SQLArgs(%s, %#v): %v", d, args, err)
				}
				continue
			}
			if len(out) != len(args) {
				t.Fatalf("SQLArgs(%s, %#v) = %#v", d, args, out)
			}
		}
		reply := make([]any, len(args))
		for i, a := range args {
			reply[i] = a
		}
		if v, err := RedisReply(reply, false); err == nil {
			checkValue(t, v)
		}
	})
}

// decodeValue makes a value of the package's types from fuzz bytes: the
// first byte picks the type; 7 opens a list, 8 closes one.
func decodeValue(data []byte, depth int) (any, []byte) {
	kind, rest := data[0], data[1:]
	switch kind % 9 {
	case 0:
		return nil, rest
	case 1:
		return kind > 100, rest
	case 2:
		return int64(kind) - 128, rest
	case 3:
		return float64(kind) / 3, rest
	case 4:
		return string(rest[:min(len(rest), 3)]), rest[min(len(rest), 3):]
	case 5:
		return rest[:min(len(rest), 2)], rest[min(len(rest), 2):]
	case 6:
		return uint64(1) << 63, rest
	case 7:
		list := []any{}
		for len(rest) > 0 && rest[0]%9 != 8 && depth < 8 {
			var v any
			v, rest = decodeValue(rest, depth+1)
			list = append(list, v)
		}
		if len(rest) > 0 {
			rest = rest[1:]
		}
		return list, rest
	}
	return "", rest
}

// checkValue fails t unless v is made of the package's value types, with
// valid UTF-8 text.
func checkValue(t *testing.T, v any) {
	t.Helper()
	switch v := v.(type) {
	case nil, bool, int64, uint64, float64, []byte:
	case string:
		if !utf8.ValidString(v) {
			t.Fatalf("text %q is not UTF-8", v)
		}
	case []any:
		for _, e := range v {
			checkValue(t, e)
		}
	default:
		t.Fatalf("value of type %T", v)
	}
}
