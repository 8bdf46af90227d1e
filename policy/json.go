package policy

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader that keeps the byte offset of every value and member name, so that a
// validation error can point at the fault, and keeps members in document order (AWS reports the
// first fault in reading order). It builds a tree once per Parse; evaluation never sees it.

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

type jvalue struct {
	kind jkind
	off  int
	end  int    // strings: the offset just past the closing quote
	str  string // string value, number text, or "true"/"false"
	arr  []*jvalue
	obj  []jmember
}

type jmember struct {
	key    string
	keyOff int
	val    *jvalue
}

// text returns the string form of a scalar as IAM reads condition values: strings as they are,
// numbers and booleans as written.
func (v *jvalue) text() (string, bool) {
	switch v.kind {
	case jString, jNumber, jBool:
		return v.str, true
	}
	return "", false
}

type jreader struct {
	b     []byte
	i     int
	depth int
}

// maxDepth bounds nesting: a policy is never deeper than a handful of levels, and a bound keeps
// hostile input from exhausting the stack.
const maxDepth = 64

type jerror struct{ off int }

func parseJSON(b []byte) (*jvalue, *jerror) {
	r := &jreader{b: b}
	// A UTF-8 byte order mark is tolerated, as IAM's console and CLI files sometimes carry one.
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		r.i = 3
	}
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	r.space()
	if r.i != len(r.b) {
		return nil, &jerror{r.i}
	}
	return v, nil
}

func (r *jreader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *jreader) value() (*jvalue, *jerror) {
	r.space()
	if r.i >= len(r.b) {
		return nil, &jerror{r.i}
	}
	start := r.i
	switch c := r.b[r.i]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		s, err := r.string()
		if err != nil {
			return nil, err
		}
		return &jvalue{kind: jString, off: start, end: r.i, str: s}, nil
	case c == 't':
		return r.literal("true", jBool)
	case c == 'f':
		return r.literal("false", jBool)
	case c == 'n':
		return r.literal("null", jNull)
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	}
	return nil, &jerror{r.i}
}

func (r *jreader) literal(word string, k jkind) (*jvalue, *jerror) {
	start := r.i
	if len(r.b)-r.i < len(word) || string(r.b[r.i:r.i+len(word)]) != word {
		return nil, &jerror{r.i}
	}
	r.i += len(word)
	return &jvalue{kind: k, off: start, str: word}, nil
}

func (r *jreader) number() (*jvalue, *jerror) {
	start := r.i
	if r.b[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		n := 0
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
			n++
		}
		return n
	}
	if r.i < len(r.b) && r.b[r.i] == '0' {
		r.i++
	} else if digits() == 0 {
		return nil, &jerror{r.i}
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return nil, &jerror{r.i}
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return nil, &jerror{r.i}
		}
	}
	return &jvalue{kind: jNumber, off: start, str: string(r.b[start:r.i])}, nil
}

func (r *jreader) string() (string, *jerror) {
	r.i++ // opening quote
	start := r.i
	// Fast path: no escapes.
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '"' {
			s := r.b[start:r.i]
			r.i++
			if !utf8.Valid(s) {
				return "", &jerror{start}
			}
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		r.i++
	}
	buf := append([]byte(nil), r.b[start:r.i]...)
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(buf) {
				return "", &jerror{start}
			}
			return string(buf), nil
		case c < 0x20:
			return "", &jerror{r.i}
		case c == '\\':
			if r.i+1 >= len(r.b) {
				return "", &jerror{r.i}
			}
			e := r.b[r.i+1]
			r.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				c1, ok := r.hex4()
				if !ok {
					return "", &jerror{r.i}
				}
				if utf16.IsSurrogate(c1) && r.i+1 < len(r.b) && r.b[r.i] == '\\' && r.b[r.i+1] == 'u' {
					save := r.i
					r.i += 2
					if c2, ok := r.hex4(); ok {
						if d := utf16.DecodeRune(c1, c2); d != utf8.RuneError {
							buf = utf8.AppendRune(buf, d)
							continue
						}
					}
					r.i = save
				}
				buf = utf8.AppendRune(buf, c1)
			default:
				return "", &jerror{r.i - 1}
			}
		default:
			buf = append(buf, c)
			r.i++
		}
	}
	return "", &jerror{r.i}
}

func (r *jreader) hex4() (rune, bool) {
	if len(r.b)-r.i < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(r.b[r.i:r.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	r.i += 4
	return rune(n), true
}

func (r *jreader) array() (*jvalue, *jerror) {
	v := &jvalue{kind: jArray, off: r.i}
	if r.depth++; r.depth > maxDepth {
		return nil, &jerror{r.i}
	}
	defer func() { r.depth-- }()
	r.i++
	r.space()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		return v, nil
	}
	for {
		e, err := r.value()
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, e)
		r.space()
		if r.i >= len(r.b) {
			return nil, &jerror{r.i}
		}
		switch r.b[r.i] {
		case ',':
			r.i++
		case ']':
			r.i++
			return v, nil
		default:
			return nil, &jerror{r.i}
		}
	}
}

func (r *jreader) object() (*jvalue, *jerror) {
	v := &jvalue{kind: jObject, off: r.i}
	if r.depth++; r.depth > maxDepth {
		return nil, &jerror{r.i}
	}
	defer func() { r.depth-- }()
	r.i++
	r.space()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		return v, nil
	}
	for {
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return nil, &jerror{r.i}
		}
		koff := r.i
		k, err := r.string()
		if err != nil {
			return nil, err
		}
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return nil, &jerror{r.i}
		}
		r.i++
		e, err := r.value()
		if err != nil {
			return nil, err
		}
		v.obj = append(v.obj, jmember{key: k, keyOff: koff, val: e})
		r.space()
		if r.i >= len(r.b) {
			return nil, &jerror{r.i}
		}
		switch r.b[r.i] {
		case ',':
			r.i++
		case '}':
			r.i++
			return v, nil
		default:
			return nil, &jerror{r.i}
		}
	}
}
