// Package awsquery is the AWS Query protocol codec that IAM and STS speak: it parses a request's
// form parameters strictly (Params), decodes them into typed inputs with AWS's validation messages
// (Decoder, used by the generated code in internal/api), and writes typed outputs and errors as
// AWS's XML envelopes (WriteResponse, WriteError, and the Append helpers the generated encoders
// call). It knows nothing about operations or HTTP beyond the bytes it is handed.
package awsquery

import (
	"bytes"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/awserr"
)

// Params are a request's parameters, sorted by name so that a lookup by name is a binary search
// and every name under a prefix is one contiguous run (lists and maps need no quadratic scan).
type Params struct {
	names  []string
	values []string
}

// malformed is the parser's error. AWS's common errors name MalformedQueryString for a query
// string with a syntax error (documented with status 404, which would read as "no such
// resource"); iamd answers it with 400 like AWS's other input errors. Duplicates use it too: AWS
// documents no closer code.
func malformed(msg string) *awserr.Error {
	return awserr.New(http.StatusBadRequest, "MalformedQueryString", msg)
}

// ParseParams parses the query string and, when the content type is a form, the body. A name
// given twice (in either or across both), an invalid percent-escape and invalid UTF-8 are errors;
// a body with any other content type is rejected, because the Query protocol has no other.
func ParseParams(rawQuery string, body []byte, contentType string) (Params, error) {
	var p Params
	if err := p.parse(rawQuery); err != nil {
		return Params{}, err
	}
	if len(body) > 0 || contentType != "" {
		if contentType == "" {
			return Params{}, awserr.New(http.StatusUnsupportedMediaType, "UnsupportedMediaType",
				"A request body needs Content-Type application/x-www-form-urlencoded.")
		}
		mt, ps, err := parseMediaType(contentType)
		if err != nil || mt != "application/x-www-form-urlencoded" {
			if len(body) == 0 && err == nil {
				// An empty body says nothing, whatever its declared type (GET with a stray header).
				return p.finish()
			}
			return Params{}, awserr.Newf(http.StatusUnsupportedMediaType, "UnsupportedMediaType",
				"Content-Type %q is not supported; use application/x-www-form-urlencoded.", contentType)
		}
		if cs, ok := ps["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return Params{}, awserr.Newf(http.StatusUnsupportedMediaType, "UnsupportedMediaType",
				"Charset %q is not supported; use utf-8.", cs)
		}
		if err := p.parseBody(body); err != nil {
			return Params{}, err
		}
	}
	return p.finish()
}

// formTypes are the Content-Type values the SDKs send, answered without mime's allocations.
var formTypes = map[string]bool{
	"application/x-www-form-urlencoded":                true,
	"application/x-www-form-urlencoded; charset=utf-8": true,
	"application/x-www-form-urlencoded; charset=UTF-8": true,
}

func parseMediaType(v string) (string, map[string]string, error) {
	if formTypes[v] {
		return "application/x-www-form-urlencoded", nil, nil
	}
	return mime.ParseMediaType(v)
}

// reserve makes room for n more parameters.
func (p *Params) reserve(n int) {
	if cap(p.names)-len(p.names) < n {
		// One allocation for both slices and the whole request instead of append's doublings;
		// the three-index slices keep names from growing into values.
		total := len(p.names) + n
		both := make([]string, 2*total)
		p.names = append(both[:0:total], p.names...)
		p.values = append(both[total:total:2*total], p.values...)
	}
}

func (p *Params) parse(s string) error {
	if s == "" {
		return nil // a POST's empty query string: nothing to make room for
	}
	p.reserve(strings.Count(s, "&") + 1)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := unescape(rawName)
		if err != nil {
			return err
		}
		value, err := unescape(rawValue)
		if err != nil {
			return err
		}
		if name == "" {
			continue // "=x" names nothing; AWS ignores unknown parameters, and this is one
		}
		p.names = append(p.names, name)
		p.values = append(p.values, value)
	}
	return nil
}

// parseBody parses a form body as parse parses a query string. The names and values must
// outlive body (a reused buffer), so they are copied, already unescaped, into one string: one
// allocation for the whole body rather than a copy of it plus one per escaped value.
func (p *Params) parseBody(body []byte) error {
	if len(body) == 0 {
		return nil
	}
	p.reserve(bytes.Count(body, []byte{'&'}) + 1)
	var b strings.Builder
	b.Grow(len(body))
	// ends[2i] and ends[2i+1] are where pair i's name and value end in b.
	var small [64]int
	ends := small[:0]
	var perr error   // the first invalid percent-encoding; decoding stops there
	inValue := false // perr is in the last pair's value (its name is decoded)
	for s := body; len(s) > 0 && perr == nil; {
		var pair []byte
		pair, s, _ = bytes.Cut(s, []byte{'&'})
		if len(pair) == 0 {
			continue
		}
		rawName, rawValue, _ := bytes.Cut(pair, []byte{'='})
		if perr = unescapeTo(&b, rawName); perr == nil {
			ends = append(ends, b.Len())
			perr = unescapeTo(&b, rawValue)
			ends = append(ends, b.Len())
			inValue = perr != nil
		}
	}
	all := b.String()
	// Validated piece by piece, in order, so that the error is the one parse would give: the
	// first piece that is not UTF-8, unless an invalid escape comes before it.
	start := 0
	for i := 0; i+1 < len(ends); i += 2 {
		name, value := all[start:ends[i]], all[ends[i]:ends[i+1]]
		start = ends[i+1]
		if !utf8.ValidString(name) {
			return errNotUTF8()
		}
		if inValue && i+2 == len(ends) {
			break // the escape error was in this pair's value
		}
		if !utf8.ValidString(value) {
			return errNotUTF8()
		}
		if name == "" {
			continue // "=x" names nothing; AWS ignores unknown parameters, and this is one
		}
		p.names = append(p.names, name)
		p.values = append(p.values, value)
	}
	return perr
}

// unescapeTo appends s, form-decoded, to b; it does not check UTF-8.
func unescapeTo(b *strings.Builder, s []byte) error {
	last := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '+':
			b.Write(s[last:i])
			b.WriteByte(' ')
			last = i + 1
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return errBadEscape()
			}
			b.Write(s[last:i])
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			last = i + 1
		}
	}
	b.Write(s[last:])
	return nil
}

func errNotUTF8() error   { return malformed("The query string is not valid UTF-8.") }
func errBadEscape() error { return malformed("The query string has an invalid percent-encoding.") }

// finish sorts by name (stable, so the error names the first duplicate deterministically) and
// rejects duplicates, which sit side by side once sorted. The SDKs send their parameters sorted,
// so the common case is one pass that finds nothing to do.
func (p *Params) finish() (Params, error) {
	sorted := true
	for i := 1; i < len(p.names) && sorted; i++ {
		sorted = p.names[i-1] <= p.names[i]
	}
	if !sorted {
		p.sort()
	}
	for i := 1; i < len(p.names); i++ {
		if p.names[i] == p.names[i-1] {
			return Params{}, malformed("The parameter " + strconv.Quote(p.names[i]) + " is given more than once.")
		}
	}
	return *p, nil
}

// sort orders names (and values with them) stably: by insertion for the short lists requests
// carry, by an index sort for long ones so that a large body cannot make it quadratic.
func (p *Params) sort() {
	n := len(p.names)
	if n <= 32 {
		for i := 1; i < n; i++ {
			for j := i; j > 0 && p.names[j] < p.names[j-1]; j-- {
				p.names[j], p.names[j-1] = p.names[j-1], p.names[j]
				p.values[j], p.values[j-1] = p.values[j-1], p.values[j]
			}
		}
		return
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return strings.Compare(p.names[a], p.names[b]) })
	names, values := make([]string, n), make([]string, n)
	for i, j := range idx {
		names[i], values[i] = p.names[j], p.values[j]
	}
	p.names, p.values = names, values
}

// unescape decodes application/x-www-form-urlencoded text: '+' is a space, "%XY" a byte; the
// result must be UTF-8.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		if !utf8.ValidString(s) {
			return "", errNotUTF8()
		}
		return s, nil
	}
	// A Builder hands over its bytes as the string: one allocation per escaped value. Runs
	// without escapes are copied whole.
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '+':
			b.WriteString(s[last:i])
			b.WriteByte(' ')
			last = i + 1
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", errBadEscape()
			}
			b.WriteString(s[last:i])
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			last = i + 1
		}
	}
	b.WriteString(s[last:])
	out := b.String()
	if !utf8.ValidString(out) {
		return "", errNotUTF8()
	}
	return out, nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// Len is the number of parameters.
func (p Params) Len() int { return len(p.names) }

// Get returns the value of the named parameter.
func (p Params) Get(name string) (string, bool) {
	i := sort.SearchStrings(p.names, name)
	if i < len(p.names) && p.names[i] == name {
		return p.values[i], true
	}
	return "", false
}

// span returns the index range of the names that start with prefix.
func (p Params) span(prefix string) (int, int) {
	lo := sort.SearchStrings(p.names, prefix)
	hi := lo + sort.Search(len(p.names)-lo, func(i int) bool {
		return !strings.HasPrefix(p.names[lo+i], prefix)
	})
	return lo, hi
}

// HasPrefix reports whether any parameter name starts with prefix.
func (p Params) HasPrefix(prefix string) bool {
	lo, hi := p.span(prefix)
	return lo < hi
}

// Indexes returns, in increasing order and without repeats, every N for which a parameter named
// prefix+N or prefix+N+".…" exists: the positions of a list's members or a map's entries. Only
// canonical positive decimals count (no sign, no leading zero); other names are unknown
// parameters, which AWS ignores.
func (p Params) Indexes(prefix string) []int {
	lo, hi := p.span(prefix)
	var out []int
	for _, name := range p.names[lo:hi] {
		rest := name[len(prefix):]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if rest == "" || rest[0] == '0' || len(rest) > 9 {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n <= 0 {
			continue
		}
		out = append(out, n)
	}
	if len(out) < 2 {
		return out
	}
	sort.Ints(out)
	j := 1
	for i := 1; i < len(out); i++ {
		if out[i] != out[j-1] {
			out[j] = out[i]
			j++
		}
	}
	return out[:j]
}

// Each calls fn for every parameter in name order.
func (p Params) Each(fn func(name, value string)) {
	for i, n := range p.names {
		fn(n, p.values[i])
	}
}
