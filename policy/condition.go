package policy

import (
	"strings"
)

// A condition is one (operator, key, values) triple of a Condition element. Operators are
// grouped by family, one file each (cond_*.go); this file holds what they share: parsing the
// operator name, the set qualifiers, …IfExists, and AWS's rules for absent keys.

type family uint8

const (
	famString family = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLte
	cmpGt
	cmpGte
)

type setQual uint8

const (
	setNone setQual = iota
	setForAll
	setForAny
)

type opSpec struct {
	fam     family
	cmp     cmp
	negated bool
	fold    bool // string comparison ignores case
	wild    bool // values may hold * and ?
}

var operators = map[string]opSpec{
	"StringEquals":              {fam: famString},
	"StringNotEquals":           {fam: famString, negated: true},
	"StringEqualsIgnoreCase":    {fam: famString, fold: true},
	"StringNotEqualsIgnoreCase": {fam: famString, fold: true, negated: true},
	"StringLike":                {fam: famString, wild: true},
	"StringNotLike":             {fam: famString, wild: true, negated: true},
	"NumericEquals":             {fam: famNumeric},
	"NumericNotEquals":          {fam: famNumeric, negated: true},
	"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
	"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLte},
	"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGte},
	"DateEquals":                {fam: famDate},
	"DateNotEquals":             {fam: famDate, negated: true},
	"DateLessThan":              {fam: famDate, cmp: cmpLt},
	"DateLessThanEquals":        {fam: famDate, cmp: cmpLte},
	"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
	"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGte},
	"Bool":                      {fam: famBool},
	"BinaryEquals":              {fam: famBinary},
	"IpAddress":                 {fam: famIP},
	"NotIpAddress":              {fam: famIP, negated: true},
	"ArnEquals":                 {fam: famARN, wild: true},
	"ArnLike":                   {fam: famARN, wild: true},
	"ArnNotEquals":              {fam: famARN, wild: true, negated: true},
	"ArnNotLike":                {fam: famARN, wild: true, negated: true},
	"Null":                      {fam: famNull},
}

type condition struct {
	spec     opSpec
	set      setQual
	ifExists bool
	key      string
	values   []condValue
}

// condValue is one policy value, compiled for its operator's family.
type condValue struct {
	raw  string
	pat  pattern    // string family
	res  resPattern // ARN family
	num  float64
	date int64 // Unix nanoseconds
	ip   ipRange
	ok   bool // the value is well-formed for its family; a malformed one never matches
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(name string) (opSpec, setQual, bool, bool) {
	set := setNone
	base := name
	if rest, ok := strings.CutPrefix(base, "ForAllValues:"); ok {
		set, base = setForAll, rest
	} else if rest, ok := strings.CutPrefix(base, "ForAnyValue:"); ok {
		set, base = setForAny, rest
	}
	ifExists := false
	if rest, ok := strings.CutSuffix(base, "IfExists"); ok && rest != "Null" {
		ifExists, base = true, rest
	}
	spec, ok := operators[base]
	return spec, set, ifExists, ok
}

func (ps *parser) conditions(v *jvalue) ([]condition, *SyntaxError) {
	if v.kind != jObject {
		return nil, ps.fail(v.off, msgSyntax)
	}
	var out []condition
	for _, op := range v.obj {
		spec, set, ifExists, ok := parseOperator(op.key)
		if !ok && !ps.kind.iamKind() {
			return nil, ps.fail(op.keyOff, "Invalid Condition type : "+op.key)
		}
		if op.val.kind != jObject {
			return nil, ps.fail(op.val.off, msgSyntax)
		}
		if !ok {
			// IAM refuses an operator it does not know as a syntax error, unless it tests no
			// key: an empty block is accepted (and, testing nothing, never fails).
			if len(op.val.obj) > 0 {
				return nil, ps.fail(op.keyOff, msgSyntax)
			}
			continue
		}
		for _, kv := range op.val.obj {
			// Keys need no vendor prefix: IAM does not know every service's keys, and accepts
			// any name.
			c := condition{spec: spec, set: set, ifExists: ifExists, key: kv.key}
			var vals []*jvalue
			switch kv.val.kind {
			case jArray:
				vals = kv.val.arr
			default:
				vals = []*jvalue{kv.val}
			}
			for _, e := range vals {
				s, ok := e.text()
				if !ok {
					return nil, ps.fail(e.off, msgSyntax)
				}
				if spec.fam == famDate && !legacyDate(s) {
					ps.note(phaseLegacy, e.off, msgLegacy)
				}
				c.values = append(c.values, compileValue(spec, s, ps.vars))
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func compileValue(spec opSpec, s string, vars bool) condValue {
	cv := condValue{raw: s, ok: true}
	switch spec.fam {
	case famString:
		cv.pat = compilePattern(s, spec.wild, vars)
	case famARN:
		cv.res = compileResource(s, vars)
	case famNumeric:
		cv.num, cv.ok = parseNumber(s)
	case famDate:
		cv.date, cv.ok = parseDate(s)
	case famIP:
		cv.ip, cv.ok = parseIPRange(s)
	case famBool, famNull:
		cv.ok = strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
	}
	return cv
}

// eval decides one condition against the request, recording the key as missing when absent.
func (c *condition) eval(e *env) bool {
	vals, _ := e.req.Context.Lookup(c.key)
	present := len(vals) > 0
	if c.spec.fam == famNull {
		// Null: "true" asks for the key to be absent, "false" for it to be present.
		for i := range c.values {
			if strings.EqualFold(c.values[i].raw, "true") != present {
				return true
			}
		}
		return false
	}
	if !present {
		e.missing(c.key)
		switch {
		case c.ifExists:
			return true
		case c.set == setForAll:
			return true // vacuously: every one of no values matches
		case c.set == setForAny:
			return false
		}
		// A negated operator is true when the key is absent, a positive one false.
		return c.spec.negated
	}
	switch c.set {
	case setForAll:
		for _, v := range vals {
			if !c.one(v, e) {
				return false
			}
		}
		return true
	case setForAny:
		for _, v := range vals {
			if c.one(v, e) {
				return true
			}
		}
		return false
	}
	// No qualifier: a positive operator needs some request value to match some policy value; a
	// negated one needs no request value to match any (NOR).
	for _, v := range vals {
		if c.any(v, e) {
			return !c.spec.negated
		}
	}
	return c.spec.negated
}

// one evaluates the operator for a single request value: OR over the policy values, negated
// into NOR for the negated operators.
func (c *condition) one(v string, e *env) bool {
	return c.any(v, e) != c.spec.negated
}

// any reports whether the request value v matches at least one policy value, ignoring negation.
func (c *condition) any(v string, e *env) bool {
	switch c.spec.fam {
	case famString:
		return matchString(c, v, e)
	case famNumeric:
		return matchNumeric(c, v)
	case famDate:
		return matchDate(c, v)
	case famBool:
		return matchBool(c, v)
	case famBinary:
		return matchBinary(c, v)
	case famIP:
		return matchIP(c, v)
	case famARN:
		return matchARN(c, v, e)
	}
	return false
}
