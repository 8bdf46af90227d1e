package policy

import (
	"reflect"
	"slices"
	"strconv"
	"testing"
)

const (
	acctA   = "111122223333"
	acctB   = "444455556666"
	alice   = "arn:aws:iam::111122223333:user/alice"
	roleR   = "arn:aws:iam::111122223333:role/R"
	sessR   = "arn:aws:sts::111122223333:assumed-role/R/s"
	rootA   = "arn:aws:iam::111122223333:root"
	bobB    = "arn:aws:iam::444455556666:user/bob"
	object  = "arn:aws:s3:::b/k"
	getObj  = "s3:GetObject"
	allowS3 = `{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	denyS3  = `{"Version":"2012-10-17","Statement":{"Sid":"D","Effect":"Deny","Action":"s3:GetObject","Resource":"*"}}`
	allowEC = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`
)

func mustParse(t testing.TB, doc string, k Kind) *Policy {
	t.Helper()
	p, err := Parse([]byte(doc), k)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func resPolicy(principal string) string {
	return `{"Version":"2012-10-17","Statement":{"Sid":"R","Effect":"Allow","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`
}

// spec is a compact description of Sets for table tests; empty strings mean "absent".
type spec struct {
	identity []string
	resource string
	boundary string
	session  []string
	scps     [][]string
	rcps     [][]string
}

func (s spec) sets(t testing.TB) *Sets {
	out := &Sets{}
	for _, d := range s.identity {
		out.Identity = append(out.Identity, mustParse(t, d, KindIdentity))
	}
	if s.resource != "" {
		out.Resource = mustParse(t, s.resource, KindResource)
	}
	if s.boundary != "" {
		out.Boundary = mustParse(t, s.boundary, KindBoundary)
	}
	for _, d := range s.session {
		out.Session = append(out.Session, mustParse(t, d, KindSession))
	}
	for _, l := range s.scps {
		var lv []*Policy
		for _, d := range l {
			lv = append(lv, mustParse(t, d, KindSCP))
		}
		out.SCPs = append(out.SCPs, lv)
	}
	for _, l := range s.rcps {
		var lv []*Policy
		for _, d := range l {
			lv = append(lv, mustParse(t, d, KindRCP))
		}
		out.RCPs = append(out.RCPs, lv)
	}
	return out
}

func TestEvaluateLogic(t *testing.T) {
	user := Principal{ARN: alice, Account: acctA}
	session := Principal{ARN: sessR, RoleARN: roleR}
	root := Principal{ARN: rootA}
	bob := Principal{ARN: bobB, Account: acctB}
	rcpAllowAll := `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`
	tests := []struct {
		name     string
		sets     spec
		p        Principal
		resAcct  string
		want     Decision
		by       string
		nMatched int
	}{
		{"nothing applies", spec{}, user, "", ImplicitDeny, "identityPolicies", 0},
		{"identity allows", spec{identity: []string{allowS3}}, user, "", Allowed, "identityPolicies", 1},
		{"other service only", spec{identity: []string{allowEC}}, user, "", ImplicitDeny, "identityPolicies", 0},
		{"deny wins", spec{identity: []string{allowS3, denyS3}}, user, "", ExplicitDeny, "identityPolicies[1]", 2},
		{"deny in resource policy", spec{identity: []string{allowS3}, resource: `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`}, user, "", ExplicitDeny, "resourcePolicy", 2},
		{"resource names user", spec{resource: resPolicy(`{"AWS":"` + alice + `"}`)}, user, "", Allowed, "resourcePolicy", 1},
		{"resource names user past boundary", spec{resource: resPolicy(`{"AWS":"` + alice + `"}`), boundary: allowEC}, user, "", Allowed, "resourcePolicy", 1},
		{"resource names session past session policy", spec{resource: resPolicy(`{"AWS":"` + sessR + `"}`), session: []string{allowEC}, boundary: allowEC}, session, "", Allowed, "resourcePolicy", 1},
		{"resource names role", spec{resource: resPolicy(`{"AWS":"` + roleR + `"}`)}, session, "", Allowed, "resourcePolicy", 1},
		{"resource names role, boundary denies", spec{resource: resPolicy(`{"AWS":"` + roleR + `"}`), boundary: allowEC}, session, "", ImplicitDeny, "permissionsBoundary", 1},
		{"resource names role, session policy denies", spec{resource: resPolicy(`{"AWS":"` + roleR + `"}`), session: []string{allowEC}}, session, "", ImplicitDeny, "sessionPolicies", 1},
		{"resource names account only", spec{resource: resPolicy(`{"AWS":"` + acctA + `"}`)}, user, "", ImplicitDeny, "identityPolicies", 1},
		{"resource names account, identity allows", spec{identity: []string{allowS3}, resource: resPolicy(`{"AWS":"` + rootA + `"}`)}, user, "", Allowed, "identityPolicies", 2},
		{"resource names someone else", spec{resource: resPolicy(`{"AWS":"` + bobB + `"}`)}, user, "", ImplicitDeny, "identityPolicies", 0},
		{"resource star", spec{resource: resPolicy(`"*"`)}, Principal{}, "", Allowed, "resourcePolicy", 1},
		{"service principal", spec{resource: resPolicy(`{"Service":"logs.amazonaws.com"}`)}, Principal{Service: "logs.amazonaws.com"}, "", Allowed, "resourcePolicy", 1},
		{"federated principal", spec{resource: resPolicy(`{"Federated":"accounts.google.com"}`)}, Principal{Federated: "accounts.google.com", Account: acctA}, "", Allowed, "resourcePolicy", 1},
		{"canonical user", spec{resource: resPolicy(`{"CanonicalUser":"c1"}`)}, Principal{CanonicalUser: "c1"}, "", Allowed, "resourcePolicy", 1},
		{"notprincipal excludes caller and account", spec{resource: `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":["` + alice + `","` + acctA + `"]},"Action":"s3:*","Resource":"*"}}`}, user, "", ImplicitDeny, "identityPolicies", 0},
		{"notprincipal user without account applies", spec{resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"s3:*","Resource":"*"}}`}, user, "", ExplicitDeny, "resourcePolicy", 1},
		{"notprincipal session needs role too", spec{identity: []string{allowS3}, resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["` + sessR + `","` + acctA + `"]},"Action":"s3:*","Resource":"*"}}`}, session, "", ExplicitDeny, "resourcePolicy", 2},
		{"notprincipal session fully listed", spec{identity: []string{allowS3}, resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["` + sessR + `","` + roleR + `","` + acctA + `"]},"Action":"s3:*","Resource":"*"}}`}, session, "", Allowed, "identityPolicies", 1},
		{"notprincipal root listed by account", spec{resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"` + rootA + `"},"Action":"s3:*","Resource":"*"}}`}, root, "", Allowed, "identityPolicies", 0},
		{"notprincipal deny with boundary", spec{identity: []string{allowS3}, boundary: allowS3, resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["` + alice + `","` + acctA + `"]},"Action":"s3:*","Resource":"*"}}`}, user, "", ExplicitDeny, "resourcePolicy", 3},
		{"notprincipal service", spec{resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"Service":"logs.amazonaws.com"},"Action":"s3:*","Resource":"*"}}`}, Principal{Service: "logs.amazonaws.com"}, "", ImplicitDeny, "identityPolicies", 0},
		{"notprincipal anonymous", spec{resource: `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"s3:*","Resource":"*"}}`}, Principal{}, "", ExplicitDeny, "resourcePolicy", 1},
		{"notprincipal includes others", spec{resource: `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"` + bobB + `"},"Action":"s3:*","Resource":"*"}}`}, user, "", Allowed, "resourcePolicy", 1},
		{"boundary limits identity", spec{identity: []string{allowS3}, boundary: allowEC}, user, "", ImplicitDeny, "permissionsBoundary", 1},
		{"boundary allows", spec{identity: []string{allowS3}, boundary: allowS3}, user, "", Allowed, "identityPolicies", 2},
		{"session policy limits", spec{identity: []string{allowS3}, session: []string{allowEC}}, session, "", ImplicitDeny, "sessionPolicies", 1},
		{"one session policy of two allows", spec{identity: []string{allowS3}, session: []string{allowEC, allowS3}}, session, "", Allowed, "identityPolicies", 2},
		{"scp level without allow", spec{identity: []string{allowS3}, scps: [][]string{{allowS3}, {allowEC}}}, user, "", ImplicitDeny, "scps[1]", 2},
		{"scp chain allows", spec{identity: []string{allowS3}, scps: [][]string{{allowS3}, {allowEC, allowS3}}}, user, "", Allowed, "identityPolicies", 3},
		{"scp deny", spec{identity: []string{allowS3}, scps: [][]string{{allowS3, denyS3}}}, user, "", ExplicitDeny, "scps[0][1]", 3},
		{"rcp level without allow", spec{identity: []string{allowS3}, rcps: [][]string{{`{"Statement":{"Effect":"Allow","Principal":"*","Action":"ec2:*","Resource":"*"}}`}}}, user, "", ImplicitDeny, "rcps[0]", 1},
		{"rcp allows", spec{identity: []string{allowS3}, rcps: [][]string{{rcpAllowAll}}}, user, "", Allowed, "identityPolicies", 2},
		{"root not limited by identity", spec{}, root, "", Allowed, "identityPolicies", 0},
		{"root limited by scp", spec{scps: [][]string{{allowEC}}}, root, "", ImplicitDeny, "scps[0]", 0},
		// A session of sts:AssumeRoot: the root user with its root-task policy as session policy,
		// which AWS writes as denies alone ("Deny NotAction <the task's actions>").
		{"root task session outside its task", spec{session: []string{`{"Statement":{"Effect":"Deny","NotAction":"ec2:*","Resource":"*"}}`}}, root, "", ExplicitDeny, "sessionPolicies[0]", 1},
		{"root task session within its task", spec{session: []string{`{"Statement":{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}}`}}, root, "", Allowed, "identityPolicies", 0},
		{"root denied by resource policy", spec{resource: `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`}, root, "", ExplicitDeny, "resourcePolicy", 1},
		{"cross-account needs both: identity only", spec{identity: []string{allowS3}}, bob, acctA, ImplicitDeny, "resourcePolicy", 1},
		{"cross-account needs both: resource only", spec{resource: resPolicy(`{"AWS":"` + bobB + `"}`)}, bob, acctA, ImplicitDeny, "identityPolicies", 1},
		{"cross-account both allow", spec{identity: []string{allowS3}, resource: resPolicy(`{"AWS":"` + acctB + `"}`)}, bob, acctA, Allowed, "resourcePolicy", 2},
		{"cross-account boundary", spec{identity: []string{allowS3}, boundary: allowEC, resource: resPolicy(`{"AWS":"` + acctB + `"}`)}, bob, acctA, ImplicitDeny, "permissionsBoundary", 2},
		{"cross-account session", spec{identity: []string{allowS3}, session: []string{allowEC}, resource: resPolicy(`{"AWS":"` + acctB + `"}`)}, bob, acctA, ImplicitDeny, "sessionPolicies", 2},
		{"cross-account other account named", spec{identity: []string{allowS3}, resource: resPolicy(`{"AWS":"` + acctA + `"}`)}, bob, acctA, ImplicitDeny, "resourcePolicy", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Request{Action: getObj, Resource: object, Principal: tc.p, ResourceAccount: tc.resAcct}
			res := Evaluate(tc.sets.sets(t), r)
			if res.Decision != tc.want {
				t.Errorf("decision %v, want %v (by %v)", res.Decision, tc.want, res.By)
			}
			if res.By.String() != tc.by {
				t.Errorf("decided by %q, want %q", res.By.String(), tc.by)
			}
			if len(res.Matched) != tc.nMatched {
				t.Errorf("matched %+v, want %d", res.Matched, tc.nMatched)
			}
		})
	}
}

func TestElements(t *testing.T) {
	tests := []struct {
		name     string
		stmt     string // the statement's elements besides Effect
		action   string
		resource string
		want     Decision
	}{
		{"action case-insensitive", `"Action":"S3:getobject","Resource":"*"`, getObj, object, Allowed},
		{"action wildcard", `"Action":"s3:Get*","Resource":"*"`, getObj, object, Allowed},
		{"action question", `"Action":"s3:GetObjec?","Resource":"*"`, getObj, object, Allowed},
		{"action partial name", `"Action":"s3:Get","Resource":"*"`, getObj, object, ImplicitDeny},
		{"action middle wildcard fold", `"Action":"s3:*OBJ*","Resource":"*"`, getObj, object, Allowed},
		{"action star", `"Action":"*","Resource":"*"`, getObj, object, Allowed},
		{"notaction excludes", `"NotAction":"s3:*","Resource":"*"`, getObj, object, ImplicitDeny},
		{"notaction includes", `"NotAction":"iam:*","Resource":"*"`, getObj, object, Allowed},
		{"resource exact", `"Action":"*","Resource":"arn:aws:s3:::b/k"`, getObj, object, Allowed},
		{"resource case-sensitive", `"Action":"*","Resource":"arn:aws:s3:::B/k"`, getObj, object, ImplicitDeny},
		{"resource prefix", `"Action":"*","Resource":"arn:aws:s3:::b/*"`, getObj, object, Allowed},
		{"resource account wildcard", `"Action":"*","Resource":"arn:aws:iam::*:user/alice"`, "iam:GetUser", alice, Allowed},
		{"resource segment wildcard stays in segment", `"Action":"*","Resource":"arn:aws:iam::1*:user/alice"`, "iam:GetUser", "arn:aws:iam::1:2:user/alice", ImplicitDeny},
		{"resource regional wildcard", `"Action":"*","Resource":"arn:aws:ec2:*:111122223333:instance/*"`, "ec2:StartInstances", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", Allowed},
		{"resource short pattern", `"Action":"*","Resource":"arn:aws:s3:*"`, getObj, object, Allowed},
		{"resource not an arn", `"Action":"*","Resource":"arn:aws:s3:::*"`, getObj, "*", ImplicitDeny},
		{"notresource excludes", `"Action":"*","NotResource":"arn:aws:s3:::b/*"`, getObj, object, ImplicitDeny},
		{"notresource includes", `"Action":"*","NotResource":["arn:aws:s3:::c/*"]`, getObj, object, Allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow",`+tc.stmt+`}}`, KindIdentity)
			r := &Request{Action: tc.action, Resource: tc.resource, Principal: Principal{ARN: alice}}
			if got := Evaluate(&Sets{Identity: []*Policy{p}}, r).Decision; got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestVariables(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		resource string
		cond     string
		ctx      [][]string
		res      string
		want     Decision
	}{
		{"username", "2012-10-17", "arn:aws:s3:::b/home/${aws:username}/*", "", [][]string{{"aws:username", "alice"}}, "arn:aws:s3:::b/home/alice/x", Allowed},
		{"username other", "2012-10-17", "arn:aws:s3:::b/home/${aws:username}/*", "", [][]string{{"aws:username", "alice"}}, "arn:aws:s3:::b/home/bob/x", ImplicitDeny},
		{"key case-insensitive", "2012-10-17", "arn:aws:s3:::b/${AWS:UserName}", "", [][]string{{"aws:username", "alice"}}, "arn:aws:s3:::b/alice", Allowed},
		{"unresolved", "2012-10-17", "arn:aws:s3:::b/${aws:username}", "", nil, "arn:aws:s3:::b/alice", ImplicitDeny},
		{"multivalued unresolved", "2012-10-17", "arn:aws:s3:::b/${aws:TagKeys}", "", [][]string{{"aws:TagKeys", "a", "b"}}, "arn:aws:s3:::b/a", ImplicitDeny},
		{"default", "2012-10-17", "arn:aws:s3:::b/${aws:PrincipalTag/team, 'none'}/*", "", nil, "arn:aws:s3:::b/none/x", Allowed},
		{"substituted star is literal", "2012-10-17", "arn:aws:s3:::b/${aws:username}", "", [][]string{{"aws:username", "*"}}, "arn:aws:s3:::b/alice", ImplicitDeny},
		{"substituted star matches itself", "2012-10-17", "arn:aws:s3:::b/${aws:username}", "", [][]string{{"aws:username", "*"}}, "arn:aws:s3:::b/*", Allowed},
		{"escapes", "2012-10-17", "arn:aws:s3:::b/${*}${?}${$}", "", nil, "arn:aws:s3:::b/*?$", Allowed},
		{"escaped star is literal", "2012-10-17", "arn:aws:s3:::b/${*}", "", nil, "arn:aws:s3:::b/x", ImplicitDeny},
		{"legacy version literal", "2008-10-17", "arn:aws:s3:::b/${aws:username}", "", [][]string{{"aws:username", "alice"}}, "arn:aws:s3:::b/${aws:username}", Allowed},
		{"no version literal", "", "arn:aws:s3:::b/${aws:username}", "", [][]string{{"aws:username", "alice"}}, "arn:aws:s3:::b/alice", ImplicitDeny},
		{"unterminated is text", "2012-10-17", "arn:aws:s3:::b/${aws:username", "", nil, "arn:aws:s3:::b/${aws:username", Allowed},
		{"variable with colon in account segment", "2012-10-17", "arn:aws:iam::${aws:PrincipalAccount}:user/*", "", [][]string{{"aws:PrincipalAccount", acctA}}, alice, Allowed},
		{"variable in segment mismatch", "2012-10-17", "arn:aws:iam::${aws:PrincipalAccount}:user/*", "", [][]string{{"aws:PrincipalAccount", acctB}}, alice, ImplicitDeny},
		{"variable in condition", "2012-10-17", "*", `"StringEquals":{"aws:PrincipalTag/team":"${aws:RequestTag/team}"}`, [][]string{{"aws:PrincipalTag/team", "red"}, {"aws:RequestTag/team", "red"}}, "arn:aws:s3:::b/x", Allowed},
		{"variable in condition differs", "2012-10-17", "*", `"StringEquals":{"aws:PrincipalTag/team":"${aws:RequestTag/team}"}`, [][]string{{"aws:PrincipalTag/team", "red"}, {"aws:RequestTag/team", "blue"}}, "arn:aws:s3:::b/x", ImplicitDeny},
		{"variable in StringLike", "2012-10-17", "*", `"StringLike":{"s3:prefix":"home/${aws:username}/*"}`, [][]string{{"s3:prefix", "home/alice/x"}, {"aws:username", "alice"}}, "arn:aws:s3:::b/x", Allowed},
		{"variable in middle piece", "2012-10-17", "arn:aws:s3:::b/*/${aws:username}/*", "", [][]string{{"aws:username", "al"}}, "arn:aws:s3:::b/x/y/al/z", Allowed},
		{"variable with question", "2012-10-17", "arn:aws:s3:::b/?${aws:username}*x", "", [][]string{{"aws:username", "al"}}, "arn:aws:s3:::b/1al2x", Allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ver := ""
			if tc.version != "" {
				ver = `"Version":"` + tc.version + `",`
			}
			cond := ""
			if tc.cond != "" {
				cond = `,"Condition":{` + tc.cond + `}`
			}
			p := mustParse(t, `{`+ver+`"Statement":{"Effect":"Allow","Action":"*","Resource":"`+tc.resource+`"`+cond+`}}`, KindIdentity)
			r := &Request{Action: getObj, Resource: tc.res, Principal: Principal{ARN: alice}}
			for _, kv := range tc.ctx {
				r.Context.Set(kv[0], kv[1:]...)
			}
			if got := Evaluate(&Sets{Identity: []*Policy{p}}, r).Decision; got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestContext(t *testing.T) {
	var c Context
	c.Set("aws:SourceIp", "10.0.0.1")
	c.Add("aws:TagKeys", "a")
	c.Add("AWS:tagkeys", "b")
	if v, ok := c.Lookup("aws:tagKeys"); !ok || !slices.Equal(v, []string{"a", "b"}) {
		t.Fatalf("Lookup = %v %v", v, ok)
	}
	c.Set("aws:sourceip", "10.0.0.2")
	if v, _ := c.Lookup("aws:SourceIp"); !slices.Equal(v, []string{"10.0.0.2"}) || c.Len() != 2 {
		t.Fatalf("Set did not replace: %v", v)
	}
	if !slices.Equal(c.Keys(), []string{"aws:SourceIp", "aws:TagKeys"}) {
		t.Fatalf("Keys = %v", c.Keys())
	}
	c.Delete("aws:sourceIP")
	c.Delete("absent")
	if _, ok := c.Lookup("aws:SourceIp"); ok || c.Len() != 1 {
		t.Fatal("Delete")
	}
	c.Reset()
	if c.Len() != 0 {
		t.Fatal("Reset")
	}
	c.Set("k:a", "1")
	if v, _ := c.Lookup("k:a"); !slices.Equal(v, []string{"1"}) {
		t.Fatal("reuse after Reset")
	}
}

// TestContextSharedBacking: the keys' values share one array; growing one key's values must
// not touch its neighbours', and keys that fold alike across byte lengths still match.
func TestContextSharedBacking(t *testing.T) {
	var c Context
	c.Grow(4)
	c.Set("k:a", "1")
	c.Set("k:b", "2")
	c.Set("k:a", "1", "1b", "1c")
	c.Add("k:b", "2b")
	if a, _ := c.Lookup("k:a"); !slices.Equal(a, []string{"1", "1b", "1c"}) {
		t.Errorf("k:a = %v", a)
	}
	if b, _ := c.Lookup("k:b"); !slices.Equal(b, []string{"2", "2b"}) {
		t.Errorf("k:b = %v", b)
	}
	for i := range 40 { // past the first backing array
		c.Set("k:n"+strconv.Itoa(i), strconv.Itoa(i))
	}
	if v, _ := c.Lookup("k:n7"); !slices.Equal(v, []string{"7"}) {
		t.Errorf("k:n7 = %v", v)
	}
	// U+212A KELVIN SIGN folds to k but takes three bytes.
	c.Set("aws:PrincipalTag/\u212aey", "v")
	if v, ok := c.Lookup("aws:principaltag/key"); !ok || !slices.Equal(v, []string{"v"}) {
		t.Errorf("unicode fold: %v %v", v, ok)
	}
	c.Reset()
	c.Set("aws:principaltag/key", "w")
	if v, ok := c.Lookup("AWS:PrincipalTag/KEY"); !ok || !slices.Equal(v, []string{"w"}) {
		t.Errorf("after Reset: %v %v", v, ok)
	}
	c.Set("k:empty")
	if v, ok := c.Lookup("k:empty"); !ok || len(v) != 0 {
		t.Errorf("empty key: %v %v", v, ok)
	}
}

// TestContextDefer: a deferred fill runs once, before the first use of any kind, and not at all
// when the context is never used; an evaluation without conditions or variables does not use it.
func TestContextDefer(t *testing.T) {
	uses := []struct {
		name string
		use  func(c *Context)
		want map[string][]string // the keys after the use
	}{
		{"Lookup", func(c *Context) { c.Lookup("k:a") }, map[string][]string{"k:a": {"filled"}}},
		{"Set overrides the fill", func(c *Context) { c.Set("k:a", "set") }, map[string][]string{"k:a": {"set"}}},
		{"Add appends to the fill", func(c *Context) { c.Add("K:A", "added") }, map[string][]string{"k:a": {"filled", "added"}}},
		{"Delete removes a filled key", func(c *Context) { c.Delete("k:a") }, map[string][]string{}},
		{"Len", func(c *Context) { c.Len() }, map[string][]string{"k:a": {"filled"}}},
		{"Keys", func(c *Context) { c.Keys() }, map[string][]string{"k:a": {"filled"}}},
		{"Reset drops the fill", func(c *Context) { c.Reset() }, map[string][]string{}},
	}
	for _, tt := range uses {
		t.Run(tt.name, func(t *testing.T) {
			var c Context
			runs := 0
			c.Defer(func(c *Context) {
				runs++
				c.Set("k:a", "filled")
				if v, _ := c.Lookup("k:a"); len(v) != 1 { // the fill may read its own keys
					t.Errorf("inside the fill: %v", v)
				}
			})
			tt.use(&c)
			got := map[string][]string{}
			for _, k := range c.Keys() {
				v, _ := c.Lookup(k)
				got[k] = v
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("keys %v, want %v", got, tt.want)
			}
			if want := map[bool]int{true: 0, false: 1}[tt.name == "Reset drops the fill"]; runs != want {
				t.Errorf("fill ran %d times, want %d", runs, want)
			}
		})
	}
	t.Run("evaluation without conditions", func(t *testing.T) {
		p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), KindIdentity)
		if err != nil {
			t.Fatal(err)
		}
		r := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: Principal{ARN: "arn:aws:iam::111122223333:user/u"}}
		ran := false
		r.Context.Defer(func(*Context) { ran = true })
		if got := Evaluate(&Sets{Identity: []*Policy{p}}, r); got.Decision != Allowed || ran {
			t.Errorf("decision %v, fill ran %v; want Allowed without the fill", got.Decision, ran)
		}
	})
}

func TestSetPrincipalKeys(t *testing.T) {
	tests := []struct {
		name string
		p    Principal
		ra   string
		want map[string]string
	}{
		{"user", Principal{ARN: "arn:aws:iam::111122223333:user/path/alice"}, "", map[string]string{"aws:PrincipalArn": "arn:aws:iam::111122223333:user/path/alice", "aws:PrincipalAccount": acctA, "aws:PrincipalType": "User", "aws:username": "alice", "aws:ResourceAccount": acctA}},
		{"session", Principal{ARN: sessR, RoleARN: roleR}, acctB, map[string]string{"aws:PrincipalArn": roleR, "aws:PrincipalType": "AssumedRole", "aws:ResourceAccount": acctB}},
		{"root", Principal{ARN: rootA}, "", map[string]string{"aws:PrincipalType": "Account"}},
		{"federated user", Principal{ARN: "arn:aws:sts::111122223333:federated-user/f"}, "", map[string]string{"aws:PrincipalType": "FederatedUser"}},
		{"role arn as caller", Principal{ARN: roleR}, "", map[string]string{"aws:PrincipalArn": roleR}},
		{"not an arn", Principal{ARN: "nobody"}, "", map[string]string{"aws:PrincipalArn": "nobody"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Request{Principal: tc.p, ResourceAccount: tc.ra}
			r.Context.Set("aws:username", "preset")
			r.SetPrincipalKeys()
			for k, want := range tc.want {
				if k == "aws:username" {
					want = "preset" // never overwritten
				}
				if v, _ := r.Context.Lookup(k); len(v) != 1 || v[0] != want {
					t.Errorf("%s = %v, want %q", k, v, want)
				}
			}
		})
	}
}

func TestPolicyRefString(t *testing.T) {
	tests := []struct {
		ref  PolicyRef
		want string
	}{
		{PolicyRef{Place: PlaceIdentity, Index: 2}, "identityPolicies[2]"},
		{PolicyRef{Place: PlaceIdentity, Index: -1}, "identityPolicies"},
		{PolicyRef{Place: PlaceSession, Index: 0}, "sessionPolicies[0]"},
		{PolicyRef{Place: PlaceResource}, "resourcePolicy"},
		{PolicyRef{Place: PlaceBoundary}, "permissionsBoundary"},
		{PolicyRef{Place: PlaceSCP, Level: 1, Index: 0}, "scps[1][0]"},
		{PolicyRef{Place: PlaceRCP, Level: 0, Index: -1}, "rcps[0]"},
		{PolicyRef{Place: Place(42)}, "unknown"},
	}
	for _, tc := range tests {
		if got := tc.ref.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.ref, got, tc.want)
		}
	}
	for d, want := range map[Decision]string{Allowed: "allowed", ExplicitDeny: "explicitDeny", ImplicitDeny: "implicitDeny"} {
		if d.String() != want {
			t.Errorf("%d: %q", d, d.String())
		}
	}
}

// TestEvaluateAllocs holds the hot path to zero allocations with a reused Result.
func TestEvaluateAllocs(t *testing.T) {
	p := mustParse(t, benchIdentity, KindIdentity)
	sets := &Sets{Identity: []*Policy{p}}
	cases := benchCases()
	var res Result
	for _, c := range cases {
		EvaluateInto(&res, sets, &c.req)
		if res.Decision != c.want {
			t.Fatalf("%s: %v, want %v", c.name, res.Decision, c.want)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		for i := range cases {
			EvaluateInto(&res, sets, &cases[i].req)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per mix", allocs)
	}
}
