package policy

import (
	"slices"
	"testing"
)

// TestConditions runs one condition against a request context. ctx maps keys to values; a key
// given with no values is present but empty.
func TestConditions(t *testing.T) {
	tests := []struct {
		name    string
		cond    string
		ctx     map[string][]string
		want    bool
		missing []string
	}{
		// String family.
		{"StringEquals match", `"StringEquals":{"k:a":"x"}`, map[string][]string{"k:a": {"x"}}, true, nil},
		{"StringEquals case", `"StringEquals":{"k:a":"x"}`, map[string][]string{"k:a": {"X"}}, false, nil},
		{"StringEquals OR values", `"StringEquals":{"k:a":["y","x"]}`, map[string][]string{"k:a": {"x"}}, true, nil},
		{"StringEquals star literal", `"StringEquals":{"k:a":"x*"}`, map[string][]string{"k:a": {"xy"}}, false, nil},
		{"StringEquals absent", `"StringEquals":{"k:a":"x"}`, nil, false, []string{"k:a"}},
		{"StringEquals key case-insensitive", `"StringEquals":{"K:A":"x"}`, map[string][]string{"k:a": {"x"}}, true, nil},
		{"StringNotEquals NOR", `"StringNotEquals":{"k:a":["x","y"]}`, map[string][]string{"k:a": {"y"}}, false, nil},
		{"StringNotEquals none match", `"StringNotEquals":{"k:a":["x","y"]}`, map[string][]string{"k:a": {"z"}}, true, nil},
		{"StringNotEquals absent is true", `"StringNotEquals":{"k:a":"x"}`, nil, true, []string{"k:a"}},
		{"StringEqualsIgnoreCase", `"StringEqualsIgnoreCase":{"k:a":"X"}`, map[string][]string{"k:a": {"x"}}, true, nil},
		{"StringNotEqualsIgnoreCase", `"StringNotEqualsIgnoreCase":{"k:a":"X"}`, map[string][]string{"k:a": {"x"}}, false, nil},
		{"StringLike", `"StringLike":{"k:a":"a*c?"}`, map[string][]string{"k:a": {"abbcd"}}, true, nil},
		{"StringLike case", `"StringLike":{"k:a":"A*"}`, map[string][]string{"k:a": {"abc"}}, false, nil},
		{"StringNotLike", `"StringNotLike":{"k:a":"a*"}`, map[string][]string{"k:a": {"abc"}}, false, nil},
		{"StringEqualsIfExists absent", `"StringEqualsIfExists":{"k:a":"x"}`, nil, true, []string{"k:a"}},
		{"StringEqualsIfExists present", `"StringEqualsIfExists":{"k:a":"x"}`, map[string][]string{"k:a": {"y"}}, false, nil},
		{"multiple keys AND", `"StringEquals":{"k:a":"x","k:b":"y"}`, map[string][]string{"k:a": {"x"}, "k:b": {"z"}}, false, nil},
		{"multiple operators AND", `"StringEquals":{"k:a":"x"},"StringLike":{"k:b":"y*"}`, map[string][]string{"k:a": {"x"}, "k:b": {"yy"}}, true, nil},
		{"all keys reported missing", `"StringEquals":{"k:a":"x","k:b":"y"}`, nil, false, []string{"k:a", "k:b"}},
		// Set qualifiers.
		{"ForAllValues subset", `"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}`, map[string][]string{"aws:TagKeys": {"a"}}, true, nil},
		{"ForAllValues not subset", `"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}`, map[string][]string{"aws:TagKeys": {"a", "c"}}, false, nil},
		{"ForAllValues absent", `"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}`, nil, true, []string{"aws:TagKeys"}},
		{"ForAllValues empty", `"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}`, map[string][]string{"aws:TagKeys": {}}, true, []string{"aws:TagKeys"}},
		{"ForAnyValue one", `"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}`, map[string][]string{"aws:TagKeys": {"c", "a"}}, true, nil},
		{"ForAnyValue none", `"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}`, map[string][]string{"aws:TagKeys": {"c"}}, false, nil},
		{"ForAnyValue absent", `"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}`, nil, false, []string{"aws:TagKeys"}},
		{"ForAnyValue empty", `"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}`, map[string][]string{"aws:TagKeys": {}}, false, []string{"aws:TagKeys"}},
		{"ForAllValues negated", `"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}`, map[string][]string{"aws:TagKeys": {"a", "b"}}, true, nil},
		{"ForAllValues negated hit", `"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}`, map[string][]string{"aws:TagKeys": {"a", "secret"}}, false, nil},
		{"ForAnyValue negated", `"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}`, map[string][]string{"aws:TagKeys": {"a", "b"}}, true, nil},
		{"ForAnyValue negated all excluded", `"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}`, map[string][]string{"aws:TagKeys": {"a"}}, false, nil},
		{"ForAnyValue IfExists absent", `"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*"]}`, nil, true, []string{"aws:TagKeys"}},
		{"unqualified multivalued positive", `"StringEquals":{"aws:TagKeys":"b"}`, map[string][]string{"aws:TagKeys": {"a", "b"}}, true, nil},
		{"unqualified multivalued negated", `"StringNotEquals":{"aws:TagKeys":"b"}`, map[string][]string{"aws:TagKeys": {"a", "b"}}, false, nil},
		// Numeric.
		{"NumericEquals", `"NumericEquals":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"10.0"}}, true, nil},
		{"NumericEquals JSON number", `"NumericEquals":{"s3:max-keys":10}`, map[string][]string{"s3:max-keys": {"10"}}, true, nil},
		{"NumericNotEquals", `"NumericNotEquals":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"11"}}, true, nil},
		{"NumericLessThan", `"NumericLessThan":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"9"}}, true, nil},
		{"NumericLessThan equal", `"NumericLessThan":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"10"}}, false, nil},
		{"NumericLessThanEquals", `"NumericLessThanEquals":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"10"}}, true, nil},
		{"NumericGreaterThan", `"NumericGreaterThan":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"10.5"}}, true, nil},
		{"NumericGreaterThanEquals", `"NumericGreaterThanEquals":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"9"}}, false, nil},
		{"Numeric not a number in request", `"NumericLessThan":{"s3:max-keys":"10"}`, map[string][]string{"s3:max-keys": {"ten"}}, false, nil},
		{"Numeric not a number in policy", `"NumericLessThan":{"s3:max-keys":"ten"}`, map[string][]string{"s3:max-keys": {"1"}}, false, nil},
		{"NumericNotEquals absent", `"NumericNotEquals":{"s3:max-keys":"10"}`, nil, true, []string{"s3:max-keys"}},
		// Date.
		{"DateLessThan iso", `"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}`, map[string][]string{"aws:CurrentTime": {"2019-12-31T23:59:59Z"}}, true, nil},
		{"DateGreaterThan epoch vs iso", `"DateGreaterThan":{"aws:EpochTime":"2020-01-01T00:00:00Z"}`, map[string][]string{"aws:EpochTime": {"1577836801"}}, true, nil},
		{"DateEquals date only", `"DateEquals":{"aws:CurrentTime":"2020-01-01"}`, map[string][]string{"aws:CurrentTime": {"2020-01-01T00:00:00Z"}}, true, nil},
		{"DateNotEquals", `"DateNotEquals":{"aws:CurrentTime":"2020-01-01T00:00:00+01:00"}`, map[string][]string{"aws:CurrentTime": {"2019-12-31T23:00:00Z"}}, false, nil},
		{"DateLessThanEquals epoch", `"DateLessThanEquals":{"aws:TokenIssueTime":"1577836800"}`, map[string][]string{"aws:TokenIssueTime": {"2020-01-01T00:00:00.000Z"}}, true, nil},
		{"DateGreaterThanEquals", `"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01T00:00Z"}`, map[string][]string{"aws:CurrentTime": {"2020-01-01T00:00:00"}}, true, nil},
		// Beyond int64 nanoseconds (after 2262): still after every current time.
		{"DateLessThan far future", `"DateLessThan":{"aws:CurrentTime":"2999-01-01T00:00:00Z"}`, map[string][]string{"aws:CurrentTime": {"2026-12-07T07:02:00Z"}}, true, nil},
		{"DateGreaterThan far future", `"DateGreaterThan":{"aws:CurrentTime":"2999-01-01T00:00:00Z"}`, map[string][]string{"aws:CurrentTime": {"2026-12-07T07:02:00Z"}}, false, nil},
		{"DateGreaterThan far past", `"DateGreaterThan":{"aws:CurrentTime":"1066-10-14T00:00:00Z"}`, map[string][]string{"aws:CurrentTime": {"2026-12-07T07:02:00Z"}}, true, nil},
		{"Date garbage", `"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}`, map[string][]string{"aws:CurrentTime": {"yesterday"}}, false, nil},
		{"Date garbage empty", `"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}`, map[string][]string{"aws:CurrentTime": {""}}, false, nil},
		{"Date huge epoch", `"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}`, map[string][]string{"aws:CurrentTime": {"99999999999999999999"}}, false, nil},
		// Bool and binary.
		{"Bool", `"Bool":{"aws:SecureTransport":"true"}`, map[string][]string{"aws:SecureTransport": {"TRUE"}}, true, nil},
		{"Bool JSON", `"Bool":{"aws:SecureTransport":false}`, map[string][]string{"aws:SecureTransport": {"true"}}, false, nil},
		{"Bool absent", `"Bool":{"aws:SecureTransport":"false"}`, nil, false, []string{"aws:SecureTransport"}},
		{"BoolIfExists absent", `"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}`, nil, true, []string{"aws:MultiFactorAuthPresent"}},
		{"Bool bad policy value", `"Bool":{"aws:SecureTransport":"yes"}`, map[string][]string{"aws:SecureTransport": {"yes"}}, false, nil},
		{"BinaryEquals", `"BinaryEquals":{"k:b":"QmluYXJ5"}`, map[string][]string{"k:b": {"QmluYXJ5"}}, true, nil},
		{"BinaryEquals differs", `"BinaryEquals":{"k:b":"QmluYXJ5"}`, map[string][]string{"k:b": {"qmluyxj5"}}, false, nil},
		// IP.
		{"IpAddress cidr", `"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}`, map[string][]string{"aws:SourceIp": {"203.0.113.7"}}, true, nil},
		{"IpAddress outside", `"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}`, map[string][]string{"aws:SourceIp": {"203.0.114.7"}}, false, nil},
		{"IpAddress single", `"IpAddress":{"aws:SourceIp":"203.0.113.7"}`, map[string][]string{"aws:SourceIp": {"203.0.113.7"}}, true, nil},
		{"IpAddress unmasked cidr", `"IpAddress":{"aws:SourceIp":"203.0.113.7/24"}`, map[string][]string{"aws:SourceIp": {"203.0.113.200"}}, true, nil},
		{"IpAddress v6", `"IpAddress":{"aws:SourceIp":"2001:db8::/32"}`, map[string][]string{"aws:SourceIp": {"2001:db8:1::5"}}, true, nil},
		{"IpAddress v6 single", `"IpAddress":{"aws:SourceIp":"2001:db8::1"}`, map[string][]string{"aws:SourceIp": {"2001:db8::2"}}, false, nil},
		{"IpAddress mapped", `"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}`, map[string][]string{"aws:SourceIp": {"::ffff:10.1.2.3"}}, true, nil},
		{"IpAddress mapped cidr", `"IpAddress":{"aws:SourceIp":"::ffff:10.0.0.0/104"}`, map[string][]string{"aws:SourceIp": {"10.1.2.3"}}, true, nil},
		{"IpAddress v4 vs v6 range", `"IpAddress":{"aws:SourceIp":"2001:db8::/32"}`, map[string][]string{"aws:SourceIp": {"10.1.2.3"}}, false, nil},
		{"IpAddress bad request value", `"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}`, map[string][]string{"aws:SourceIp": {"not-an-ip"}}, false, nil},
		{"IpAddress bad policy value", `"IpAddress":{"aws:SourceIp":["10.0.0.0/99","nope","10.0.0.0/8"]}`, map[string][]string{"aws:SourceIp": {"10.1.1.1"}}, true, nil},
		{"NotIpAddress", `"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}`, map[string][]string{"aws:SourceIp": {"192.168.1.1"}}, false, nil},
		{"NotIpAddress outside", `"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8"]}`, map[string][]string{"aws:SourceIp": {"8.8.8.8"}}, true, nil},
		{"NotIpAddress absent", `"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8"]}`, nil, true, []string{"aws:SourceIp"}},
		// ARN.
		{"ArnEquals", `"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}`, map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:111122223333:t"}}, true, nil},
		{"ArnLike wildcard segment", `"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:*"}`, map[string][]string{"aws:SourceArn": {"arn:aws:sns:us-east-1:111122223333:t"}}, true, nil},
		{"ArnLike service differs", `"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}`, map[string][]string{"aws:SourceArn": {"arn:aws:sqs:us-east-1:111122223333:q"}}, false, nil},
		{"ArnLike not an arn", `"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}`, map[string][]string{"aws:SourceArn": {"topic"}}, false, nil},
		{"ArnNotEquals", `"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/admin"}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/dev"}}, true, nil},
		{"ArnNotLike match", `"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin*"}`, map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::111122223333:role/admin2"}}, false, nil},
		{"ArnNotLike absent", `"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin*"}`, nil, true, []string{"aws:PrincipalArn"}},
		// Null.
		{"Null true absent", `"Null":{"aws:TokenIssueTime":"true"}`, nil, true, nil},
		{"Null true present", `"Null":{"aws:TokenIssueTime":"true"}`, map[string][]string{"aws:TokenIssueTime": {"x"}}, false, nil},
		{"Null false present", `"Null":{"aws:TokenIssueTime":"false"}`, map[string][]string{"aws:TokenIssueTime": {"x"}}, true, nil},
		{"Null false absent", `"Null":{"aws:TokenIssueTime":false}`, nil, false, nil},
		{"Null empty list is absent", `"Null":{"aws:TagKeys":"true"}`, map[string][]string{"aws:TagKeys": {}}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Sid":"C","Effect":"Allow","Action":"*","Resource":"*","Condition":{`+tc.cond+`}}}`, KindIdentity)
			r := &Request{Action: getObj, Resource: object, Principal: Principal{ARN: alice}}
			for k, v := range tc.ctx {
				r.Context.Set(k, v...)
			}
			res := Evaluate(&Sets{Identity: []*Policy{p}}, r)
			if got := res.Decision == Allowed; got != tc.want {
				t.Errorf("condition %v, want %v", got, tc.want)
			}
			if !slices.Equal(res.Missing, tc.missing) && !(len(res.Missing) == 0 && len(tc.missing) == 0) {
				t.Errorf("missing %v, want %v", res.Missing, tc.missing)
			}
		})
	}
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name     string
		set      setQual
		ifExists bool
		ok       bool
	}{
		{"StringEquals", setNone, false, true},
		{"ForAllValues:StringLikeIfExists", setForAll, true, true},
		{"ForAnyValue:ArnLike", setForAny, false, true},
		{"NullIfExists", setNone, false, false},
		{"stringequals", setNone, false, false},
		{"ForSomeValues:StringEquals", setNone, false, false},
		{"IfExists", setNone, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, set, ifExists, ok := parseOperator(tc.name)
			if ok != tc.ok || (ok && (set != tc.set || ifExists != tc.ifExists)) {
				t.Fatalf("got %v %v %v", set, ifExists, ok)
			}
		})
	}
}
