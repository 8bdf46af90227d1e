package awsquery

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/awserr"
)

// Decoder reads typed values out of Params for the generated decoders and collects AWS's
// validation messages, so that one response names every violated constraint as AWS does.
type Decoder struct {
	Params
	errs []string
	// withhold words every constraint failure without its value ("Value at 'userName'"), as
	// IAM does; STS echoes the value ("Value 's' at 'roleSessionName'").
	withhold bool
	// own is the first failure a StringRule.Invalid words: it is the whole answer.
	own string
}

// NewDecoder returns a decoder over p whose messages echo the failing value (STS's wording).
func NewDecoder(p Params) *Decoder { return &Decoder{Params: p} }

// NewValueless returns a decoder over p whose messages never echo a value: IAM's wording
// ("1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: …").
// An absent member still reads "Value null at", as in IAM's answers.
func NewValueless(p Params) *Decoder { return &Decoder{Params: p, withhold: true} }

// Matcher is a compiled model pattern: what Pattern returns (a *regexp.Regexp or a faster
// equivalent); a pattern RE2 cannot express (Java lookahead) is a small hand-written Matcher
// in the generated code.
type Matcher interface{ MatchString(string) bool }

// NotContaining is a Matcher for "matches re and has no sub anywhere": the shape of the one
// lookahead pattern in the IAM model ("-(?!-)", no double hyphen).
type NotContaining struct {
	Re  Matcher
	Sub string
}

// MatchString implements Matcher.
func (m NotContaining) MatchString(s string) bool {
	return m.Re.MatchString(s) && !strings.Contains(s, m.Sub)
}

// StringRule holds a string shape's model constraints. Min and Max of 0 mean none (a maximum
// length of zero would admit only the empty string, which no model asks for).
type StringRule struct {
	Min, Max  int
	Pattern   Matcher
	PatternJS string // the model's pattern text, quoted in the message
	Enum      []string
	Sensitive bool
	// Invalid, when set, is the service's own sentence for a value the pattern refuses ("It must
	// contain only alphanumeric characters and/or the following: +=,.@_-"): the answer is then
	// "The specified value for <member> is invalid. <Invalid>" alone, as IAM words its names
	// and paths, instead of the list of constraint failures.
	Invalid string
}

// NumberRule holds a numeric shape's model constraints.
type NumberRule struct {
	HasMin, HasMax bool
	Min, Max       float64
}

// LengthRule holds a list's, map's or blob's length constraints (0 means none).
type LengthRule struct{ Min, Max int }

// Err returns the collected validation errors as one AWS ValidationError, or nil.
func (d *Decoder) Err() error {
	if d.own != "" {
		return awserr.Validation(d.own)
	}
	switch len(d.errs) {
	case 0:
		return nil
	case 1:
		return awserr.Validation("1 validation error detected: " + d.errs[0])
	default:
		return awserr.Validation(strconv.Itoa(len(d.errs)) + " validation errors detected: " + strings.Join(d.errs, "; "))
	}
}

// Missing records a required member that is absent.
func (d *Decoder) Missing(path string) {
	d.errs = append(d.errs, "Value null at '"+path+"' failed to satisfy constraint: Member must not be null")
}

// Invalid records a constraint failure. The value is not echoed for sensitive members (secrets
// must not travel back in responses or into logs), nor by a valueless (IAM) decoder.
func (d *Decoder) Invalid(path, value string, sensitive bool, constraint string) {
	v := "Value '" + value + "' at '"
	if sensitive || d.withhold {
		v = "Value at '"
	}
	d.errs = append(d.errs, v+path+"' failed to satisfy constraint: "+constraint)
}

// javaLen is a string's length as AWS's (Java) validators count it: in UTF-16 code units.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2 // a surrogate pair
		} else {
			n++
		}
	}
	return n
}

// String validates s against r.
func (d *Decoder) String(path, s string, r *StringRule) {
	if r == nil {
		return
	}
	if r.Min > 0 || r.Max > 0 {
		n := javaLen(s)
		if r.Min > 0 && n < r.Min {
			d.Invalid(path, s, r.Sensitive, "Member must have length greater than or equal to "+strconv.Itoa(r.Min))
		}
		if r.Max > 0 && n > r.Max {
			d.Invalid(path, s, r.Sensitive, "Member must have length less than or equal to "+strconv.Itoa(r.Max))
		}
	}
	if r.Pattern != nil && !r.Pattern.MatchString(s) {
		switch {
		case r.Invalid == "":
			d.Invalid(path, s, r.Sensitive, "Member must satisfy regular expression pattern: "+r.PatternJS)
		case d.own == "":
			d.own = "The specified value for " + path[strings.LastIndexByte(path, '.')+1:] + " is invalid. " + r.Invalid
		}
	}
	if len(r.Enum) > 0 {
		for _, e := range r.Enum {
			if s == e {
				return
			}
		}
		d.Invalid(path, s, r.Sensitive, "Member must satisfy enum value set: ["+strings.Join(r.Enum, ", ")+"]")
	}
}

// number checks a parsed number against r; text is the value as sent.
func (d *Decoder) number(path, text string, f float64, r *NumberRule) {
	if r == nil {
		return
	}
	if r.HasMin && f < r.Min {
		d.Invalid(path, text, false, "Member must have value greater than or equal to "+fmtNum(r.Min))
	}
	if r.HasMax && f > r.Max {
		d.Invalid(path, text, false, "Member must have value less than or equal to "+fmtNum(r.Max))
	}
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Int reads an integer of the given bit size (8, 16, 32, 64) at key. A value that is not one is
// a validation error: AWS documents no other code for it in the Query protocol.
func (d *Decoder) Int(key, path string, bits int, r *NumberRule) (int64, bool) {
	s, ok := d.Get(key)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, bits)
	if err != nil {
		d.Invalid(path, s, false, "Member must be an integer between "+
			strconv.FormatInt(-1<<(bits-1), 10)+" and "+strconv.FormatInt(1<<(bits-1)-1, 10))
		return 0, false
	}
	d.number(path, s, float64(n), r)
	return n, true
}

// Float reads a float (bits 32 or 64) at key; Java's spellings of the specials are accepted.
func (d *Decoder) Float(key, path string, bits int, r *NumberRule) (float64, bool) {
	s, ok := d.Get(key)
	if !ok {
		return 0, false
	}
	var f float64
	var err error
	switch s {
	case "NaN":
		f = math.NaN()
	case "Infinity":
		f = math.Inf(1)
	case "-Infinity":
		f = math.Inf(-1)
	default:
		f, err = strconv.ParseFloat(strings.TrimSpace(s), bits)
	}
	if err != nil {
		d.Invalid(path, s, false, "Member must be a number")
		return 0, false
	}
	d.number(path, s, f, r)
	return f, true
}

// Bool reads "true" or "false" (any case, as Java's parser reads them) at key.
func (d *Decoder) Bool(key, path string) (bool, bool) {
	s, ok := d.Get(key)
	if !ok {
		return false, false
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	d.Invalid(path, s, false, "Member must be a boolean (true or false)")
	return false, false
}

// Time reads a timestamp at key: ISO 8601 (the Query default; fractional seconds and offsets
// accepted), or seconds since the epoch when the model says unixTimestamp, or an HTTP date for
// rfc822.
func (d *Decoder) Time(key, path, format string) (time.Time, bool) {
	s, ok := d.Get(key)
	if !ok {
		return time.Time{}, false
	}
	t, err := ParseTime(s, format)
	if err != nil {
		d.Invalid(path, s, false, "Member must be a timestamp")
		return time.Time{}, false
	}
	return t, true
}

// ParseTime parses a timestamp in a model timestampFormat ("" is ISO 8601).
func ParseTime(s, format string) (time.Time, error) {
	switch format {
	case "unixTimestamp":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
			return time.Time{}, strconv.ErrSyntax
		}
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), nil
	case "rfc822":
		t, err := time.Parse(time.RFC1123, s)
		return t.UTC(), err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		// ISO 8601 without a zone designator: AWS's clients always send one, but the
		// basic form is still ISO 8601, read as UTC.
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	return t.UTC(), err
}

// Blob reads a base64 value at key.
func (d *Decoder) Blob(key, path string, r *LengthRule) ([]byte, bool) {
	s, ok := d.Get(key)
	if !ok {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.Invalid(path, s, true, "Member must be base64-encoded")
		return nil, false
	}
	if r != nil {
		d.Len(path, len(b), r, func() string { return "" }, true)
	}
	return b, true
}

// Len checks a list's, map's or blob's length; show renders the value for the message.
func (d *Decoder) Len(path string, n int, r *LengthRule, show func() string, sensitive bool) {
	if r == nil {
		return
	}
	if r.Min > 0 && n < r.Min {
		d.Invalid(path, show(), sensitive, "Member must have length greater than or equal to "+strconv.Itoa(r.Min))
	}
	if r.Max > 0 && n > r.Max {
		d.Invalid(path, show(), sensitive, "Member must have length less than or equal to "+strconv.Itoa(r.Max))
	}
}

// ShowStrings renders a list of strings as AWS's messages do: [a, b].
func ShowStrings(v []string) string { return "[" + strings.Join(v, ", ") + "]" }

// EmptyList reports whether key is present with an empty value: the Query protocol's spelling of
// an empty list or map ("Foo=").
func (d *Decoder) EmptyList(key string) bool {
	s, ok := d.Get(key)
	return ok && s == ""
}

// Sub returns prefix + strconv.Itoa(n), the name of a list member or map entry.
func Sub(prefix string, n int) string { return prefix + strconv.Itoa(n) }
