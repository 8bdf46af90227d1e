package policy

import "strconv"

// Numeric operators: NumericEquals, NumericNotEquals, NumericLessThan, NumericLessThanEquals,
// NumericGreaterThan, NumericGreaterThanEquals. A value that is not a number matches nothing.

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func compare[T int64 | float64](op cmp, a, b T) bool {
	switch op {
	case cmpLt:
		return a < b
	case cmpLte:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGte:
		return a >= b
	}
	return a == b
}

func matchNumeric(c *condition, v string) bool {
	n, ok := parseNumber(v)
	if !ok {
		return false
	}
	for i := range c.values {
		if c.values[i].ok && compare(c.spec.cmp, n, c.values[i].num) {
			return true
		}
	}
	return false
}
