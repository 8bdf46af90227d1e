package policy

// String operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike. Values may hold policy variables; only
// the Like forms treat * and ? as wildcards.

func matchString(c *condition, v string, e *env) bool {
	for i := range c.values {
		if c.values[i].pat.match(v, c.spec.fold, e) {
			return true
		}
	}
	return false
}
