package policy

import (
	"strconv"
	"time"
)

// Date operators: DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan,
// DateGreaterThanEquals. Values are ISO 8601 date-times (or dates) or Unix epoch seconds, as AWS
// accepts for aws:CurrentTime, aws:EpochTime and aws:TokenIssueTime.

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02",
}

func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	digits := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			digits = false
			break
		}
	}
	if digits {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil || sec > 1<<33 {
			return 0, false
		}
		return sec * int64(time.Second), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

func matchDate(c *condition, v string) bool {
	t, ok := parseDate(v)
	if !ok {
		return false
	}
	for i := range c.values {
		if c.values[i].ok && compare(c.spec.cmp, t, c.values[i].date) {
			return true
		}
	}
	return false
}
