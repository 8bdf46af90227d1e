package policy

import (
	"math"
	"strconv"
	"strings"
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
			return unixNano(t), true
		}
	}
	return 0, false
}

// Beyond these instants (years 1678 and 2262) nanoseconds since the epoch overflow int64.
var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

// unixNano is t in nanoseconds since the epoch, clamped to int64's range (where UnixNano's
// result is undefined): a date far in the future, such as 2999-01-01, stays after every
// current time.
func unixNano(t time.Time) int64 {
	switch {
	case t.Before(minNano):
		return math.MinInt64
	case t.After(maxNano):
		return math.MaxInt64
	}
	return t.UnixNano()
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

// legacyDate reports whether IAM's legacy parser accepts a date condition value: an ISO 8601
// date-time, possibly partial (2020, 2020-01, 2020-01-02T10, …, with a fraction of a second and
// a zone), or a non-negative count of epoch seconds. A value that is neither fails the whole
// document ("The policy failed legacy parsing"). The grammar is AWS's as observed: IAM documents
// only "a date in ISO 8601 format or epoch time". A value holding a policy variable is left to
// evaluation, by inference.
func legacyDate(s string) bool {
	if strings.Contains(s, "${") {
		return true
	}
	if !strings.ContainsAny(s, "tT-") {
		n, ok := digitsValue(s)
		return ok && n >= 0
	}
	date, clock, _ := strings.Cut(strings.ToUpper(s), "T")
	neg := strings.HasPrefix(date, "-")
	if neg {
		date = date[1:]
	}
	parts := strings.Split(date, "-")
	if len(parts) > 3 {
		return false
	}
	limits := [][2]int64{{-292275054, 292278993}, {1, 12}, {1, 31}}
	for i, p := range parts {
		n, ok := digitsValue(p)
		if i == 0 && neg {
			n = -n
		}
		if !ok || n < limits[i][0] || n > limits[i][1] {
			return false
		}
	}
	if clock == "" {
		return true
	}
	// The zone: Z, or an offset +hh[:mm] (or -hh[:mm], by inference: ISO 8601 allows both).
	zone := ""
	if i := strings.IndexAny(clock, "Z+-"); i >= 0 {
		clock, zone = clock[:i], clock[i:]
	}
	if zone != "" && zone != "Z" {
		h, m, hasMin := strings.Cut(zone[1:], ":")
		if n, ok := digitsValue(h); !ok || len(h) != 2 || n > 23 {
			return false
		}
		if n, ok := digitsValue(m); hasMin && (!ok || len(m) != 2 || n > 59) {
			return false
		}
	}
	fields := strings.Split(clock, ":")
	if len(fields) > 3 {
		return false
	}
	maxes := []int64{23, 59, 59}
	for i, f := range fields {
		if i == 0 && f == "" && len(fields) == 1 {
			break // a date with a "T" and nothing after it
		}
		if i == 2 {
			sec, frac, hasFrac := strings.Cut(f, ".")
			if n, ok := digitsValue(frac); hasFrac && (!ok || n > 999999999) {
				return false
			}
			f = sec
		}
		if n, ok := digitsValue(f); !ok || n > maxes[i] {
			return false
		}
	}
	return true
}

// digitsValue reads a non-empty run of ASCII digits that fits an int64.
func digitsValue(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
