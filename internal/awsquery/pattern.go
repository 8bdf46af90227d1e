package awsquery

import (
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// Pattern compiles a model pattern, already anchored and in RE2 syntax, into a Matcher. It
// panics on a bad pattern, like regexp.MustCompile: patterns come from the generated code.
//
// Most of the models' patterns are one character class repeated (`^(?:[\w+=,.@-]*)$`), and
// they sit on the hot path (RoleSessionName, names, ARNs). For those Pattern returns a table
// matcher that decides an all-ASCII string with a bit test per byte and no allocation; a
// string holding any non-ASCII byte, and every other pattern, is left to the regexp, so the
// answers are the regexp's (FuzzPatternMatchesRegexp checks it).
func Pattern(expr string) Matcher {
	re := regexp.MustCompile(expr)
	if c, ok := classOf(expr); ok {
		c.re = re
		return c
	}
	return re
}

// classMatcher matches `^(?:C*)$` or `^(?:C+)$` for a character class C.
type classMatcher struct {
	ascii    [2]uint64 // bit b set: ASCII byte b is in the class
	nonEmpty bool      // C+ rather than C*
	re       *regexp.Regexp
}

// MatchString implements Matcher.
func (c *classMatcher) MatchString(s string) bool {
	if s == "" {
		return !c.nonEmpty
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b >= utf8.RuneSelf {
			// An ASCII byte is a whole rune even next to invalid UTF-8, so a rejection
			// before this point stands; from here on the regexp decides.
			return c.re.MatchString(s)
		}
		if c.ascii[b>>6]&(1<<(b&63)) == 0 {
			return false
		}
	}
	return true
}

// classOf recognises a whole-string repetition of one character class and tabulates the
// class's ASCII members.
func classOf(expr string) (*classMatcher, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat {
		return nil, false
	}
	// Some model patterns carry their own anchors inside the ones the generator adds
	// (`^(?:^[a-z]+$)$`); repeated anchors mean the same as one.
	subs := re.Sub
	begins, ends := 0, 0
	for len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		subs, begins = subs[1:], begins+1
	}
	for len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		subs, ends = subs[:len(subs)-1], ends+1
	}
	if begins == 0 || ends == 0 || len(subs) != 1 {
		return nil, false
	}
	rep := subs[0]
	if rep.Op != syntax.OpStar && rep.Op != syntax.OpPlus || len(rep.Sub) != 1 || rep.Sub[0].Op != syntax.OpCharClass {
		return nil, false
	}
	c := &classMatcher{nonEmpty: rep.Op == syntax.OpPlus}
	ranges := rep.Sub[0].Rune
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < utf8.RuneSelf; r++ {
			c.ascii[r>>6] |= 1 << (r & 63)
		}
	}
	return c, true
}
