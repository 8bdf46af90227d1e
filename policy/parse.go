package policy

import (
	"bytes"
	"strings"
)

// AWS's MalformedPolicyDocument reasons, word for word.
const (
	msgSyntax        = "Syntax errors in policy."
	msgPrincipal     = "Policy document should not specify a principal."
	msgMissingEffect = "Missing required field Effect"
	msgMissingPrinc  = "Missing required field Principal"
	msgNoActions     = "Policy statement must contain actions."
	msgNoResources   = "Policy statement must contain resources."
	msgVendor        = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon      = "Actions/Condition can contain only one colon."
	msgProhibitedRes = "Has prohibited field Resource"
	msgSidUnique     = "Statement IDs (SID) in a single policy must be unique."
	msgSidAlnum      = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgResVendor     = "Resource vendor must be fully qualified and cannot contain regexes."
	msgTrustActions  = "AssumeRole policy may only specify STS AssumeRole actions."
)

// partitions are the AWS partitions a resource ARN may name.
var partitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true,
	"aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// SyntaxError is why a document was rejected, in AWS's words, and where: Offset is the byte
// offset of the faulty element, Line and Column its 1-based position.
type SyntaxError struct {
	Reason               string
	Offset, Line, Column int
}

// Error returns the reason alone, as AWS words it in MalformedPolicyDocument.
func (e *SyntaxError) Error() string { return e.Reason }

type parser struct {
	doc  []byte
	kind Kind
	vars bool // policy variables are live (Version 2012-10-17)
}

func (ps *parser) fail(off int, reason string) *SyntaxError {
	line := 1 + bytes.Count(ps.doc[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(ps.doc[:off], '\n')
	return &SyntaxError{Reason: reason, Offset: off, Line: line, Column: col}
}

// Parse parses, validates and compiles a policy document for its place. The error, when there is
// one, is a *SyntaxError carrying AWS's MalformedPolicyDocument reason.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	p, err := parse(doc, kind)
	if err != nil {
		return nil, err // a typed nil would not compare equal to nil
	}
	return p, nil
}

func parse(doc []byte, kind Kind) (*Policy, *SyntaxError) {
	ps := &parser{doc: doc, kind: kind}
	if kind < KindIdentity || kind > KindRCP {
		return nil, ps.fail(0, msgSyntax)
	}
	root, jerr := parseJSON(doc)
	if jerr != nil {
		return nil, ps.fail(jerr.off, msgSyntax)
	}
	if root.kind != jObject {
		return nil, ps.fail(root.off, msgSyntax)
	}
	p := &Policy{kind: kind}
	var stmtVal *jvalue
	seen := map[string]bool{}
	for _, m := range root.obj {
		if seen[m.key] {
			return nil, ps.fail(m.keyOff, msgSyntax)
		}
		seen[m.key] = true
		switch m.key {
		case "Version":
			if m.val.kind != jString || (m.val.str != "2012-10-17" && m.val.str != "2008-10-17") {
				return nil, ps.fail(m.val.off, msgSyntax)
			}
			p.version = m.val.str
		case "Id":
			if m.val.kind != jString {
				return nil, ps.fail(m.val.off, msgSyntax)
			}
			p.id = m.val.str
		case "Statement":
			stmtVal = m.val
		default:
			return nil, ps.fail(m.keyOff, msgSyntax)
		}
	}
	ps.vars = p.version == "2012-10-17"
	if stmtVal == nil {
		return nil, ps.fail(root.off, msgSyntax)
	}
	var stmts []*jvalue
	switch stmtVal.kind {
	case jObject:
		stmts = []*jvalue{stmtVal}
	case jArray:
		stmts = stmtVal.arr
	default:
		return nil, ps.fail(stmtVal.off, msgSyntax)
	}
	if len(stmts) == 0 {
		return nil, ps.fail(stmtVal.off, msgSyntax)
	}
	sids := map[string]bool{}
	for _, sv := range stmts {
		st, err := ps.statement(sv)
		if err != nil {
			return nil, err
		}
		if st.sid != "" {
			if sids[st.sid] {
				return nil, ps.fail(sv.off, msgSidUnique)
			}
			sids[st.sid] = true
		}
		p.stmts = append(p.stmts, *st)
	}
	return p, nil
}

// iamKind reports whether documents of this kind are IAM's own (identity, boundary, session,
// trust), which hold Sids to IAM's stricter alphabet.
func (k Kind) iamKind() bool {
	return k == KindIdentity || k == KindBoundary || k == KindSession || k == KindTrust
}

func (k Kind) allowsPrincipal() bool {
	return k == KindResource || k == KindTrust || k == KindRCP
}

func (ps *parser) statement(v *jvalue) (*statement, *SyntaxError) {
	if v.kind != jObject {
		return nil, ps.fail(v.off, msgSyntax)
	}
	st := &statement{}
	e := ps.fail(v.off, "")
	st.line, st.col = e.Line, e.Column
	var (
		effect, principal, notPrincipal, action, notAction, resource, notResource, condition *jvalue
		seen                                                                                 = map[string]bool{}
	)
	for _, m := range v.obj {
		if seen[m.key] {
			return nil, ps.fail(m.keyOff, msgSyntax)
		}
		seen[m.key] = true
		switch m.key {
		case "Sid":
			if m.val.kind != jString {
				return nil, ps.fail(m.val.off, msgSyntax)
			}
			st.sid = m.val.str
			if ps.kind.iamKind() && !alnum(st.sid) {
				return nil, ps.fail(m.val.off, msgSidAlnum)
			}
		case "Effect":
			effect = m.val
		case "Principal":
			principal = m.val
		case "NotPrincipal":
			notPrincipal = m.val
		case "Action":
			action = m.val
		case "NotAction":
			notAction = m.val
		case "Resource":
			resource = m.val
		case "NotResource":
			notResource = m.val
		case "Condition":
			condition = m.val
		default:
			return nil, ps.fail(m.keyOff, msgSyntax)
		}
	}
	// Checks in the order IAM reports them.
	if (action != nil && notAction != nil) || (resource != nil && notResource != nil) || (principal != nil && notPrincipal != nil) {
		return nil, ps.fail(v.off, msgSyntax)
	}
	if effect == nil {
		return nil, ps.fail(v.off, msgMissingEffect)
	}
	if effect.kind != jString || (effect.str != "Allow" && effect.str != "Deny") {
		return nil, ps.fail(effect.off, msgSyntax)
	}
	if effect.str == "Deny" {
		st.effect = Deny
	}
	pv := principal
	if pv == nil {
		pv = notPrincipal
	}
	if pv != nil {
		if !ps.kind.allowsPrincipal() {
			return nil, ps.fail(pv.off, msgPrincipal)
		}
		pr, err := ps.principal(pv)
		if err != nil {
			return nil, err
		}
		st.principal = pr
		st.notPrincipal = notPrincipal != nil
	} else if ps.kind == KindResource || ps.kind == KindTrust || ps.kind == KindRCP {
		return nil, ps.fail(v.off, msgMissingPrinc)
	}
	av := action
	if av == nil {
		av = notAction
	}
	if av == nil {
		return nil, ps.fail(v.off, msgNoActions)
	}
	acts, err := ps.stringList(av)
	if err != nil {
		return nil, err
	}
	if len(acts) == 0 {
		return nil, ps.fail(av.off, msgNoActions)
	}
	for i, a := range acts {
		if a.str != "*" {
			switch strings.Count(a.str, ":") {
			case 0:
				return nil, ps.fail(acts[i].off, msgVendor)
			case 1:
			default:
				return nil, ps.fail(acts[i].off, msgOneColon)
			}
			vendor, _, _ := strings.Cut(a.str, ":")
			if !validVendor(vendor) {
				return nil, ps.fail(acts[i].off, "Vendor "+vendor+" is not valid")
			}
			if ps.kind == KindTrust && notAction == nil && !strings.EqualFold(vendor, "sts") {
				return nil, ps.fail(acts[i].off, msgTrustActions)
			}
		}
		st.actions = append(st.actions, compilePattern(a.str, true, false))
	}
	st.notAction = notAction != nil
	rv := resource
	if rv == nil {
		rv = notResource
	}
	if rv != nil {
		if ps.kind == KindTrust {
			return nil, ps.fail(rv.off, msgProhibitedRes)
		}
		res, err := ps.stringList(rv)
		if err != nil {
			return nil, err
		}
		if len(res) == 0 {
			return nil, ps.fail(rv.off, msgNoResources)
		}
		for _, r := range res {
			if reason := checkResource(r.str); reason != "" {
				return nil, ps.fail(r.off, reason)
			}
			st.resources = append(st.resources, compileResource(r.str, ps.vars))
		}
		st.hasResource = true
		st.notResource = notResource != nil
	} else if ps.kind != KindTrust && ps.kind != KindSCP {
		// SCPs may leave Resource out (it then means "*"); trust policies must.
		return nil, ps.fail(v.off, msgNoResources)
	}
	if condition != nil {
		conds, err := ps.conditions(condition)
		if err != nil {
			return nil, err
		}
		st.conds = conds
	}
	return st, nil
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// stringList reads an element that is a string or an array of strings.
func (ps *parser) stringList(v *jvalue) ([]*jvalue, *SyntaxError) {
	switch v.kind {
	case jString:
		return []*jvalue{v}, nil
	case jArray:
		for _, e := range v.arr {
			if e.kind != jString {
				return nil, ps.fail(e.off, msgSyntax)
			}
		}
		return v.arr, nil
	}
	return nil, ps.fail(v.off, msgSyntax)
}

func (ps *parser) principal(v *jvalue) (*principals, *SyntaxError) {
	pr := &principals{}
	if v.kind == jString {
		if v.str != "*" {
			return nil, ps.fail(v.off, msgSyntax)
		}
		pr.any = true
		return pr, nil
	}
	if v.kind != jObject {
		return nil, ps.fail(v.off, msgSyntax)
	}
	if len(v.obj) == 0 {
		return nil, ps.fail(v.off, msgSyntax)
	}
	for _, m := range v.obj {
		vals, err := ps.stringList(m.val)
		if err != nil {
			return nil, err
		}
		for _, e := range vals {
			s := e.str
			invalid := func() *SyntaxError {
				return ps.fail(e.off, "Invalid principal in policy: \""+m.key+"\":\""+s+"\"")
			}
			switch m.key {
			case "AWS":
				switch {
				case s == "*":
					pr.any = true
				case isAccountID(s):
					pr.accounts = append(pr.accounts, s)
				default:
					acct, ok := rootAccount(s)
					if ok {
						pr.accounts = append(pr.accounts, acct)
						continue
					}
					if !validPrincipalARN(s) && !isUniqueID(s) {
						return nil, invalid()
					}
					// A unique id stands where IAM shows a deleted user or role: it is kept
					// with the ARNs, none of which it can equal, and so matches no caller.
					pr.arns = append(pr.arns, s)
				}
			case "Federated":
				if s == "" || strings.ContainsAny(s, "*?") {
					return nil, invalid()
				}
				pr.federated = append(pr.federated, s)
			case "Service":
				if s == "" || strings.ContainsAny(s, "*?") {
					return nil, invalid()
				}
				pr.services = append(pr.services, s)
			case "CanonicalUser":
				if s == "*" {
					pr.any = true
					continue
				}
				if s == "" {
					return nil, invalid()
				}
				pr.canonical = append(pr.canonical, s)
			default:
				return nil, ps.fail(m.keyOff, msgSyntax)
			}
		}
	}
	return pr, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// rootAccount recognises arn:PARTITION:iam::ACCOUNT:root.
func rootAccount(s string) (string, bool) {
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return "", false
	}
	part, rest, ok := strings.Cut(rest, ":")
	if !ok || part == "" {
		return "", false
	}
	rest, ok = strings.CutPrefix(rest, "iam::")
	if !ok {
		return "", false
	}
	acct, res, ok := strings.Cut(rest, ":")
	if !ok || res != "root" || !isAccountID(acct) {
		return "", false
	}
	return acct, true
}

// validPrincipalARN accepts the ARNs IAM accepts in Principal: an ARN with an account and no
// wildcard (AWS does not match partial principal ARNs).
func validPrincipalARN(s string) bool {
	if strings.ContainsAny(s, "*?") {
		return false
	}
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return false
	}
	f := strings.SplitN(rest, ":", 5)
	return len(f) == 5 && f[0] != "" && f[1] != "" && f[4] != "" && (isAccountID(f[3]) || f[3] == "aws")
}

// isUniqueID reports whether s is the unique id of an IAM user (AIDA…) or role (AROA…): IAM
// shows one in a resource policy in place of a principal that was deleted after the policy
// named it.
func isUniqueID(s string) bool {
	if len(s) != 21 || (!strings.HasPrefix(s, "AIDA") && !strings.HasPrefix(s, "AROA")) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// validVendor accepts a service prefix of letters, digits, hyphens and wildcards.
func validVendor(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '*' || c == '?' || c == '.') {
			return false
		}
	}
	return true
}

// checkResource returns IAM's reason for rejecting a Resource value, or "".
func checkResource(r string) string {
	if r == "*" {
		return ""
	}
	if !strings.HasPrefix(r, "arn:") {
		return "Resource " + r + " must be in ARN format or \"*\"."
	}
	f := strings.SplitN(r, ":", 6)
	if len(f) < 3 || f[2] == "" || strings.ContainsAny(f[2], "*?") {
		return msgResVendor
	}
	if part := f[1]; !strings.ContainsAny(part, "*?$") && !partitions[part] {
		return "Partition \"" + part + "\" is not valid for resource \"" + r + "\"."
	}
	if len(f) > 3 && f[3] != "" && !strings.ContainsAny(f[3], "*?$") {
		switch f[2] {
		case "iam":
			return "IAM resource " + r + " cannot contain region information."
		case "s3":
			return "Resource " + r + " can not contain region information."
		}
	}
	return ""
}
