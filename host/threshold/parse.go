// Package threshold parses and evaluates pass/fail conditions on a test's
// performance figures, such as "latency_ms.p99 < 50": a dotted key into the
// test's data (series summaries and returned data alike), a comparison
// operator and a number. Expressions are immutable and safe to share.
package threshold

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Expr is a parsed threshold.
type Expr struct {
	Text  string  // as written, for reports; "" shows String()
	Key   string  // dotted path into the data: "latency_ms.p99"
	Op    string  // one of <, <=, >, >=, ==, !=
	Limit float64 // finite
}

// ParseError is an expression that does not parse. Col is the 1-based
// column (in bytes) where it goes wrong, for a caller to report at
// file:line:col.
type ParseError struct {
	Expr string
	Col  int
	Msg  string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("threshold %q, column %d: %s (want KEY OP NUMBER, e.g. \"latency_ms.p99 < 50\")", e.Expr, e.Col, e.Msg)
}

var (
	keyRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*`)
	opRE     = regexp.MustCompile(`^(<=|>=|==|!=|<|>)`)
	numberRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?`)
)

// Parse parses "KEY OP NUMBER". Spaces around the parts are optional.
func Parse(text string) (*Expr, error) {
	p := &parser{text: text}
	p.space()
	key := p.next(keyRE)
	if key == "" {
		return nil, p.fail("want a key such as latency_ms.p99")
	}
	p.space()
	op := p.next(opRE)
	if op == "" {
		if p.at("=") {
			return nil, p.fail("want an operator (<, <=, >, >=, == or !=); = is not one, use ==")
		}
		return nil, p.fail("want an operator (<, <=, >, >=, == or !=) after the key")
	}
	p.space()
	num := p.next(numberRE)
	if num == "" {
		return nil, p.fail("want a number after " + op)
	}
	limit, err := strconv.ParseFloat(num, 64)
	if err != nil {
		p.pos -= len(num)
		return nil, p.fail(fmt.Sprintf("%s is out of range", num))
	}
	p.space()
	if p.pos < len(text) {
		return nil, p.fail(fmt.Sprintf("unexpected %q after the number", text[p.pos:]))
	}
	return &Expr{Text: strings.TrimSpace(text), Key: key, Op: op, Limit: limit}, nil
}

type parser struct {
	text string
	pos  int
}

func (p *parser) space() {
	for p.pos < len(p.text) && strings.ContainsRune(" \t", rune(p.text[p.pos])) {
		p.pos++
	}
}

func (p *parser) at(s string) bool { return strings.HasPrefix(p.text[p.pos:], s) }

// next consumes and returns the match of re at the current position, or "".
func (p *parser) next(re *regexp.Regexp) string {
	m := re.FindString(p.text[p.pos:])
	p.pos += len(m)
	return m
}

func (p *parser) fail(msg string) error {
	return &ParseError{Expr: p.text, Col: p.pos + 1, Msg: msg}
}

// String returns the expression in its canonical form, which Parse reads
// back to an Expr with the same Key, Op and Limit.
func (e *Expr) String() string {
	return e.Key + " " + e.Op + " " + strconv.FormatFloat(e.Limit, 'g', -1, 64)
}

// LowerIsBetter reports whether the expression bounds its key from above
// (< or <=), HigherIsBetter from below (> or >=); == and != say neither.
func (e *Expr) LowerIsBetter() bool  { return e.Op == "<" || e.Op == "<=" }
func (e *Expr) HigherIsBetter() bool { return e.Op == ">" || e.Op == ">=" }
