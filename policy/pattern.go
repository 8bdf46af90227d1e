package policy

import (
	"strings"

	"github.com/iamd/iamd/arn"
)

// A pattern is the compiled form of one value of Action, Resource or a string-like condition:
// runs of literal text, the wildcards "*" and "?" (where the element allows them) and policy
// variables, resolved at evaluation time. A resolved variable is always literal text, so a "*" in
// a user name never acts as a wildcard.

type tokKind uint8

const (
	tLit tokKind = iota
	tStar
	tQuest
	tVar
)

type tok struct {
	kind   tokKind
	text   string // literal text, or the variable's key
	def    string // the variable's default value
	hasDef bool
}

type pattern struct {
	raw    string
	toks   []tok
	hasVar bool
	any    bool // the pattern is a lone "*": matches everything
	// Most patterns are a literal ("s3:PutObject") or a literal and a trailing star
	// ("s3:Get*"); shape lets match answer those without the general algorithm.
	shape shape
	lit   string // the literal of shapeExact and shapePrefix
}

type shape uint8

const (
	shapeGeneral shape = iota
	shapeExact
	shapePrefix
)

// classify sets the pattern's shape once it is compiled.
func (p *pattern) classify() {
	switch {
	case p.hasVar:
	case len(p.toks) == 0:
		p.shape = shapeExact
	case len(p.toks) == 1 && p.toks[0].kind == tLit:
		p.shape, p.lit = shapeExact, p.toks[0].text
	case len(p.toks) == 2 && p.toks[0].kind == tLit && p.toks[1].kind == tStar:
		p.shape, p.lit = shapePrefix, p.toks[0].text
	}
}

// compilePattern reads s. With wild, "*" and "?" are wildcards; with vars, "${...}" is a policy
// variable (only in Version 2012-10-17 documents).
func compilePattern(s string, wild, vars bool) pattern {
	p := pattern{raw: s, any: wild && s == "*"}
	lit := func(t string) {
		if t == "" {
			return
		}
		if n := len(p.toks); n > 0 && p.toks[n-1].kind == tLit {
			p.toks[n-1].text += t
			return
		}
		p.toks = append(p.toks, tok{kind: tLit, text: t})
	}
	for s != "" {
		i := 0
		for i < len(s) && !(wild && (s[i] == '*' || s[i] == '?')) && !(vars && s[i] == '$' && strings.HasPrefix(s[i:], "${")) {
			i++
		}
		lit(s[:i])
		s = s[i:]
		if s == "" {
			break
		}
		switch s[0] {
		case '*':
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != tStar { // "**" is "*"
				p.toks = append(p.toks, tok{kind: tStar})
			}
			s = s[1:]
		case '?':
			p.toks = append(p.toks, tok{kind: tQuest})
			s = s[1:]
		default: // "${"
			end := strings.IndexByte(s, '}')
			if end < 0 {
				lit(s) // an unterminated variable is plain text
				s = ""
				break
			}
			body := s[2:end]
			s = s[end+1:]
			switch body {
			case "*", "?", "$":
				lit(body) // the escapes for characters that would otherwise be special
				continue
			}
			t := tok{kind: tVar, text: strings.TrimSpace(body)}
			if k, d, ok := strings.Cut(body, ","); ok {
				d = strings.TrimSpace(d)
				if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
					t.text, t.def, t.hasDef = strings.TrimSpace(k), d[1:len(d)-1], true
				}
			}
			p.toks = append(p.toks, t)
			p.hasVar = true
		}
	}
	p.classify()
	return p
}

// match reports whether s matches p; fold makes literal text compare case-insensitively.
// An unresolvable variable makes the pattern match nothing.
func (p *pattern) match(s string, fold bool, e *env) bool {
	switch {
	case p.any:
		return true
	case p.shape == shapeExact:
		return len(s) == len(p.lit) && eqText(s, p.lit, fold)
	case p.shape == shapePrefix:
		return len(s) >= len(p.lit) && eqText(s[:len(p.lit)], p.lit, fold)
	}
	if p.hasVar {
		for i := range p.toks {
			if t := &p.toks[i]; t.kind == tVar {
				if _, ok := e.variable(t); !ok {
					return false
				}
			}
		}
	}
	return matchToks(p.toks, s, fold, e)
}

// matchToks applies the same leftmost-piece strategy as arn.Match to a token list: the piece
// before the first star is anchored at the start, the one after the last at the end, and each
// piece between is found leftmost in what is left. No backtracking, so the cost stays linear in
// len(s) times the piece length.
func matchToks(toks []tok, s string, fold bool, e *env) bool {
	first := indexStar(toks)
	if first < 0 {
		n, ok := pieceAt(toks, s, fold, e)
		return ok && n == len(s)
	}
	n, ok := pieceAt(toks[:first], s, fold, e)
	if !ok {
		return false
	}
	s = s[n:]
	toks = toks[first+1:]
	last := lastIndexStar(toks)
	tn, ok := pieceSuffix(toks[last+1:], s, fold, e)
	if !ok {
		return false
	}
	s = s[:len(s)-tn]
	if last < 0 {
		return true
	}
	mid := toks[:last]
	for len(mid) > 0 {
		piece := mid
		if j := indexStar(mid); j >= 0 {
			piece, mid = mid[:j], mid[j+1:]
		} else {
			mid = nil
		}
		if len(piece) == 0 {
			continue
		}
		i, n, ok := pieceFind(piece, s, fold, e)
		if !ok {
			return false
		}
		s = s[i+n:]
	}
	return true
}

func indexStar(toks []tok) int {
	for i := range toks {
		if toks[i].kind == tStar {
			return i
		}
	}
	return -1
}

func lastIndexStar(toks []tok) int {
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i].kind == tStar {
			return i
		}
	}
	return -1
}

func tokText(t *tok, e *env) string {
	if t.kind == tVar {
		v, _ := e.variable(t)
		return v
	}
	return t.text
}

func eqText(a, b string, fold bool) bool {
	if !fold {
		return a == b
	}
	if len(a) != len(b) {
		return false
	}
	// ASCII fast path; anything else goes to the full Unicode folding.
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|y >= 0x80 {
			return strings.EqualFold(a[i:], b[i:])
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// pieceAt matches a star-free token list at the start of s and returns the bytes consumed.
func pieceAt(toks []tok, s string, fold bool, e *env) (int, bool) {
	n := 0
	for i := range toks {
		t := &toks[i]
		if t.kind == tQuest {
			if n >= len(s) {
				return 0, false
			}
			w := arn.CharLen(s[n:])
			n += w
			continue
		}
		txt := tokText(t, e)
		if len(s)-n < len(txt) || !eqText(s[n:n+len(txt)], txt, fold) {
			return 0, false
		}
		n += len(txt)
	}
	return n, true
}

// pieceSuffix matches a star-free token list at the end of s and returns the bytes consumed.
func pieceSuffix(toks []tok, s string, fold bool, e *env) (int, bool) {
	n := len(s)
	for i := len(toks) - 1; i >= 0; i-- {
		t := &toks[i]
		if t.kind == tQuest {
			if n == 0 {
				return 0, false
			}
			w := arn.LastCharLen(s[:n])
			n -= w
			continue
		}
		txt := tokText(t, e)
		if n < len(txt) || !eqText(s[n-len(txt):n], txt, fold) {
			return 0, false
		}
		n -= len(txt)
	}
	return len(s) - n, true
}

// pieceFind finds the leftmost match of a star-free token list in s.
func pieceFind(toks []tok, s string, fold bool, e *env) (int, int, bool) {
	for i := 0; i <= len(s); {
		if !fold && toks[0].kind != tQuest {
			// Jump to the next place where the leading literal occurs.
			j := strings.Index(s[i:], tokText(&toks[0], e))
			if j < 0 {
				return 0, 0, false
			}
			i += j
		}
		if n, ok := pieceAt(toks, s[i:], fold, e); ok {
			return i, n, true
		}
		if i == len(s) {
			break
		}
		w := arn.CharLen(s[i:])
		i += w
	}
	return 0, 0, false
}

// A resPattern matches ARNs section by section (see arn.MatchSegments): the first five
// colon-separated sections separately, the resource section as a whole.
type resPattern struct {
	whole pattern
	segs  []pattern // six sections, or nil to match the whole string
	// When the first five sections are plain text (the usual "arn:aws:s3:::"), matching them
	// one by one is the same as comparing the prefix up to the fifth colon.
	prefix string
	rest   *pattern
}

func compileResource(s string, vars bool) resPattern {
	rp := resPattern{whole: compilePattern(s, true, vars)}
	if rp.whole.any {
		return rp
	}
	// Split at the first five colons that are outside variables.
	var cuts []int
	depth := 0
	for i := 0; i < len(s) && len(cuts) < 5; i++ {
		switch {
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{' && strings.IndexByte(s[i:], '}') > 0:
			depth++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			cuts = append(cuts, i)
		}
	}
	if len(cuts) < 5 {
		return rp
	}
	start := 0
	for _, c := range cuts {
		rp.segs = append(rp.segs, compilePattern(s[start:c], true, vars))
		start = c + 1
	}
	rp.segs = append(rp.segs, compilePattern(s[start:], true, vars))
	plain := true
	for _, sg := range rp.segs[:5] {
		if sg.shape != shapeExact {
			plain = false
		}
	}
	if plain {
		rp.prefix, rp.rest = s[:cuts[4]+1], &rp.segs[5]
	}
	return rp
}

func (rp *resPattern) match(s string, e *env) bool {
	if rp.rest != nil {
		return len(s) >= len(rp.prefix) && s[:len(rp.prefix)] == rp.prefix && rp.rest.match(s[len(rp.prefix):], false, e)
	}
	if rp.segs == nil {
		return rp.whole.match(s, false, e)
	}
	for i := range 5 {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		if !rp.segs[i].match(s[:j], false, e) {
			return false
		}
		s = s[j+1:]
	}
	return rp.segs[5].match(s, false, e)
}
