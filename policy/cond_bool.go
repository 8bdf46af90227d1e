package policy

import "strings"

// Bool and BinaryEquals. Bool compares "true"/"false" without regard to case; BinaryEquals
// compares the base-64 text byte for byte.

func matchBool(c *condition, v string) bool {
	for i := range c.values {
		if c.values[i].ok && strings.EqualFold(c.values[i].raw, v) {
			return true
		}
	}
	return false
}

func matchBinary(c *condition, v string) bool {
	for i := range c.values {
		if c.values[i].raw == v {
			return true
		}
	}
	return false
}
