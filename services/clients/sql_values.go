package clients

import (
	"database/sql"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"
)

// Driver is a SQL client's protocol.
type Driver string

const (
	// Postgres is PostgreSQL's protocol, through github.com/jackc/pgx/v5.
	Postgres Driver = "postgres"
	// MySQL is MySQL's and MariaDB's, through github.com/go-sql-driver/mysql.
	MySQL Driver = "mysql"
)

// driverNames are the names ParseDriver accepts, lower case.
var driverNames = map[string]Driver{
	"postgres": Postgres, "postgresql": Postgres, "pgx": Postgres,
	"mysql": MySQL, "mariadb": MySQL,
}

// ParseDriver reads a driver name: "postgres" (or "postgresql", "pgx")
// or "mysql" (or "mariadb"), in any case.
func ParseDriver(name string) (Driver, error) {
	if d, ok := driverNames[strings.ToLower(name)]; ok {
		return d, nil
	}
	return "", fmt.Errorf("unknown driver %q: want \"postgres\" (PostgreSQL) or \"mysql\" (MySQL, MariaDB)", name)
}

// isolationNames are the isolation levels ParseIsolation accepts, by
// their canonical names (Elle's and the SQL standard's, hyphenated).
var isolationNames = []struct {
	name  string
	level sql.IsolationLevel
}{
	{"default", sql.LevelDefault},
	{"read-uncommitted", sql.LevelReadUncommitted},
	{"read-committed", sql.LevelReadCommitted},
	{"repeatable-read", sql.LevelRepeatableRead},
	{"serializable", sql.LevelSerializable},
}

// ParseIsolation reads an isolation level: "read-uncommitted",
// "read-committed", "repeatable-read", "serializable" or "default" (the
// server's), in any case, with hyphens, underscores or spaces between the
// words ("REPEATABLE READ" as SQL spells it).
func ParseIsolation(name string) (sql.IsolationLevel, error) {
	canon := strings.ToLower(strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == ' ' }), "-"))
	for _, n := range isolationNames {
		if n.name == canon {
			return n.level, nil
		}
	}
	names := make([]string, len(isolationNames))
	for i, n := range isolationNames {
		names[i] = strconv.Quote(n.name)
	}
	return 0, fmt.Errorf("unknown isolation level %q: want one of %s", name, strings.Join(names, ", "))
}

// IsolationName is the canonical name of a level ParseIsolation accepts.
func IsolationName(level sql.IsolationLevel) string {
	for _, n := range isolationNames {
		if n.level == level {
			return n.name
		}
	}
	return level.String()
}

// SQLValue converts a column value as database/sql scanned it into `any`
// to one of the package's value types, by the column's database type
// name (as ColumnType.DatabaseTypeName reports it: "INT4", "_TEXT",
// "VARCHAR", "BLOB"...):
//
//   - integers (int64; MySQL's text protocol sends them as text, which is
//     parsed; unsigned ones past int64 are uint64), floats (float64),
//     booleans;
//   - exact decimals (NUMERIC, DECIMAL) as their text, so nothing is
//     rounded;
//   - text, JSON, dates and times as strings (times from PostgreSQL in RFC
//     3339, with the zone where the type has one); text must be UTF-8;
//   - bytes (BYTEA, BLOB, BINARY...) as []byte;
//   - PostgreSQL arrays of integers, floats, booleans and text as []any
//     (NULL elements nil); other arrays as their text.
func SQLValue(dbType string, v any) (any, error) {
	dbType = strings.ToUpper(dbType)
	switch v := v.(type) {
	case nil, bool, int64, uint64, float64:
		return v, nil
	case int32:
		return int64(v), nil
	case float32:
		return float64(v), nil
	case time.Time:
		return formatTime(dbType, v), nil
	case string:
		if strings.HasPrefix(dbType, "_") {
			return postgresArray(dbType, v)
		}
		return sqlText(v)
	case []byte:
		return bytesValue(dbType, v)
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// bytesValue converts the raw bytes of a column: binary types stay bytes,
// numbers are parsed (MySQL's text protocol), the rest is text.
func bytesValue(dbType string, b []byte) (any, error) {
	base := strings.TrimPrefix(dbType, "UNSIGNED ")
	switch base {
	case "BYTEA", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY", "BIT", "GEOMETRY":
		return append([]byte(nil), b...), nil
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "YEAR":
		s := string(b)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			return n, nil
		}
		return nil, fmt.Errorf("%s value %q is not an integer", dbType, s)
	case "FLOAT", "DOUBLE", "REAL":
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return nil, fmt.Errorf("%s value %q is not a number", dbType, b)
		}
		return f, nil
	}
	return sqlText(string(b))
}

// utf8Text returns s when it is valid UTF-8.
func utf8Text(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("the text is not valid UTF-8 (%d bytes: %s)", len(s), strconv.QuoteToASCII(cut(s, 40)))
	}
	return s, nil
}

// sqlText is utf8Text for a column, saying how to read bytes instead.
func sqlText(s string) (string, error) {
	s, err := utf8Text(s)
	if err != nil {
		return "", fmt.Errorf("%w; read it as bytes (e.g. SELECT CAST(col AS BYTEA), or CAST(col AS BINARY) on MySQL)", err)
	}
	return s, nil
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// formatTime formats a PostgreSQL date or time value.
func formatTime(dbType string, t time.Time) string {
	switch dbType {
	case "DATE":
		return t.Format(time.DateOnly)
	case "TIMESTAMP":
		return t.Format("2006-01-02T15:04:05.999999999")
	}
	return t.Format(time.RFC3339Nano)
}

// arrayMap parses PostgreSQL's text form of arrays.
var arrayMap = pgtype.NewMap()

// postgresArray parses the text form of a PostgreSQL array of the
// element type of dbType ("_INT4": int4[]) into []any.
func postgresArray(dbType, text string) (any, error) {
	// Checked first: pgx's parser would replace bytes that are not UTF-8.
	if _, err := sqlText(text); err != nil {
		return nil, err
	}
	switch strings.TrimPrefix(dbType, "_") {
	case "INT2", "INT4", "INT8":
		return scanArray[int64](pgtype.Int8ArrayOID, text)
	case "FLOAT4", "FLOAT8":
		return scanArray[float64](pgtype.Float8ArrayOID, text)
	case "BOOL":
		return scanArray[bool](pgtype.BoolArrayOID, text)
	case "TEXT", "VARCHAR", "BPCHAR", "NAME":
		return scanArray[string](pgtype.TextArrayOID, text)
	}
	return text, nil
}

// scanArray parses the text form of a one-dimensional array of T, whose
// type is oid.
func scanArray[T any](oid uint32, text string) ([]any, error) {
	var elems []*T
	if err := arrayMap.Scan(oid, pgtype.TextFormatCode, []byte(text), &elems); err != nil {
		return nil, fmt.Errorf("array %s: %w", strconv.Quote(cut(text, 60)), err)
	}
	out := make([]any, len(elems))
	for i, e := range elems {
		if e != nil {
			out[i] = *e
		}
	}
	return out, nil
}

// SQLArgs converts a statement's arguments (the package's value types;
// big integers as *big.Int) to what the driver takes: a list becomes a
// PostgreSQL array of its elements' type (integers, floats, booleans or
// strings, None elements as NULL; integers and floats together as
// floats); MySQL and MariaDB have no arrays.
func SQLArgs(d Driver, args []any) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		v, err := sqlArg(d, a)
		if err != nil {
			return nil, fmt.Errorf("argument %d: %w", i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

func sqlArg(d Driver, a any) (any, error) {
	switch a := a.(type) {
	case nil, bool, int64, uint64, float64, string, []byte:
		return a, nil
	case *big.Int:
		return nil, fmt.Errorf("the integer %s does not fit in 64 bits", a)
	case []any:
		if d != Postgres {
			return nil, fmt.Errorf("a list: %s has no array type (only PostgreSQL's driver takes lists)", d)
		}
		return postgresArrayArg(a)
	}
	return nil, fmt.Errorf("unsupported value of type %T", a)
}

// postgresArrayArg types a list's elements as one PostgreSQL array.
func postgresArrayArg(list []any) (any, error) {
	kind := ""
	for i, e := range list {
		k := ""
		switch e.(type) {
		case nil:
			continue
		case int64:
			k = "int"
		case float64:
			k = "float"
		case bool:
			k = "bool"
		case string:
			k = "string"
		default:
			return nil, fmt.Errorf("list element %d: a %s cannot be an array element (want int, float, bool, string or None)", i, typeName(e))
		}
		switch {
		case kind == "" || kind == k:
			kind = k
		case kind == "int" && k == "float", kind == "float" && k == "int":
			kind = "float"
		default:
			return nil, fmt.Errorf("list element %d: a %s among %ss: an array's elements have one type", i, typeName(e), kind)
		}
	}
	switch kind {
	case "int":
		return typedArray(list, func(e any) int64 { return e.(int64) }), nil
	case "float":
		return typedArray(list, func(e any) float64 {
			if n, ok := e.(int64); ok {
				return float64(n)
			}
			return e.(float64)
		}), nil
	case "bool":
		return typedArray(list, func(e any) bool { return e.(bool) }), nil
	}
	return typedArray(list, func(e any) string { return e.(string) }), nil
}

// typedArray is list as []*T (nil elements NULL).
func typedArray[T any](list []any, conv func(any) T) []*T {
	out := make([]*T, len(list))
	for i, e := range list {
		if e != nil {
			v := conv(e)
			out[i] = &v
		}
	}
	return out
}

func typeName(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case []byte:
		return "bytes"
	case uint64, *big.Int:
		return "int"
	}
	return fmt.Sprintf("%T", v)
}
