package repl

import (
	"sort"
	"strings"

	"go.starlark.net/starlark"
	"go.starlark.net/syntax"
)

// Complete is the line editor's word completer: line is the line being
// edited and pos the cursor, in runes. It completes the identifier before
// the cursor: a global name, or an attribute when the identifier follows
// "chain." where chain is a pure name/attribute/index chain such as
// nodes[0].account. Only such chains are evaluated (attribute reads and
// indexing by a literal), never calls, so completing has no side effects
// beyond what a value's attribute getter does. Names starting with _ are
// offered only when the word does. It takes the interpreter lock.
func (s *Session) Complete(line string, pos int) (head string, completions []string, tail string) {
	runes := []rune(line)
	before, tail := string(runes[:pos]), string(runes[pos:])
	start := len(before)
	for start > 0 && isIdentChar(before[start-1]) {
		start--
	}
	word := before[start:]
	head = before[:start]

	s.rt.Lock()
	defer s.rt.Unlock()
	var names []string
	if strings.HasSuffix(head, ".") {
		v := s.evalChain(head[chainStart(head[:len(head)-1]) : len(head)-1])
		if v == nil {
			return head, nil, tail
		}
		names = v.AttrNames()
	} else {
		names = s.globalNames()
	}
	for _, name := range names {
		if strings.HasPrefix(name, word) && (strings.HasPrefix(word, "_") || !strings.HasPrefix(name, "_")) {
			completions = append(completions, name)
		}
	}
	sort.Strings(completions)
	return head, completions, tail
}

// chainStart returns where the chain that ends s starts: it walks back
// over identifiers, dots and balanced [...] groups.
func chainStart(s string) int {
	i := len(s)
	for i > 0 {
		switch c := s[i-1]; {
		case isIdentChar(c) || c == '.':
			i--
		case c == ']':
			depth := 0
			j := i - 1
			for ; j >= 0; j-- {
				if s[j] == ']' {
					depth++
				} else if s[j] == '[' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if j < 0 {
				return i
			}
			i = j
		default:
			return i
		}
	}
	return i
}

// evalChain evaluates src if it is a pure chain and its value has
// attributes; otherwise it returns nil. The interpreter lock must be held.
func (s *Session) evalChain(src string) starlark.HasAttrs {
	if src == "" {
		return nil
	}
	expr, err := fileOptions.ParseExpr("<complete>", src, 0)
	if err != nil || !isChain(expr) {
		return nil
	}
	v, err := starlark.EvalExprOptions(fileOptions, &starlark.Thread{Name: "complete"}, expr, s.globals)
	if err != nil {
		return nil
	}
	attrs, _ := v.(starlark.HasAttrs)
	return attrs
}

// isChain reports whether e is a name followed by attribute selections
// and indexing by int or string literals.
func isChain(e syntax.Expr) bool {
	switch e := e.(type) {
	case *syntax.Ident:
		return true
	case *syntax.DotExpr:
		return isChain(e.X)
	case *syntax.IndexExpr:
		return isChain(e.X) && isLiteralIndex(e.Y)
	}
	return false
}

func isLiteralIndex(e syntax.Expr) bool {
	if u, ok := e.(*syntax.UnaryExpr); ok && u.Op == syntax.MINUS {
		e = u.X
	}
	lit, ok := e.(*syntax.Literal)
	return ok && (lit.Token == syntax.INT || lit.Token == syntax.STRING)
}
