package policy

// ARN operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike. AWS matches each of the six
// colon-separated sections separately, and both Equals and Like accept wildcards.

func matchARN(c *condition, v string, e *env) bool {
	for i := range c.values {
		if c.values[i].res.match(v, e) {
			return true
		}
	}
	return false
}
