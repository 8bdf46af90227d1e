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
	msgVersion       = "Policy document must be version 2012-10-17 or greater."
	msgLegacy        = "The policy failed legacy parsing"
	msgTrustJSON     = "This policy contains invalid Json"
	// msgIAMPath is IAM's answer to an IAM ARN whose resource is none of IAM's resource types.
	msgIAMPath = `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
)

// iamPaths are the resource types an IAM ARN's resource may start with (besides "*" and root).
var iamPaths = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// phase orders IAM's checks: IAM answers with the first fault of the earliest phase in which the
// document has one, whatever statement it is in. The order is AWS's as observed (IAM documents
// the messages, not their order): syntax, then a managed policy's Version, then the legacy
// parser, Sid uniqueness, that every statement has actions, then resources, the format of
// resources, the vendor of actions, and last the trust policy's own rules.
type phase uint8

const (
	phaseSyntax phase = iota
	phaseVersion
	phaseLegacy
	phaseSid
	phaseActions
	phaseResources
	phaseResource
	phaseVendor
	phaseTrust
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

	noted      *SyntaxError // the fault of the earliest phase after syntax found so far
	notedPhase phase
	resFault   bool // a resource's format was refused: IAM's legacy parser no longer looks at resources
}

// note records a fault found after the syntax phase. The pass goes on, for the document may
// hold a fault of an earlier phase further on; syntax faults (ps.fail) end the pass at once.
func (ps *parser) note(ph phase, off int, reason string) {
	if ps.noted == nil || ph < ps.notedPhase {
		ps.noted, ps.notedPhase = ps.fail(off, reason), ph
	}
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
	if kind < KindIdentity || kind > KindManaged {
		return nil, ps.fail(0, msgSyntax)
	}
	root, jerr := parseJSON(doc)
	if jerr != nil {
		if kind == KindTrust {
			// CreateRole and UpdateAssumeRolePolicy word a document that is not JSON their own way.
			return nil, ps.fail(jerr.off, msgTrustJSON)
		}
		return nil, ps.fail(jerr.off, msgSyntax)
	}
	if root.kind != jObject {
		return nil, ps.fail(root.off, msgSyntax)
	}
	p := &Policy{kind: kind}
	var stmtVal, verVal *jvalue
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
			verVal = m.val
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
	if kind == KindManaged && !ps.vars {
		// A managed policy must be 2012-10-17; inline and trust policies may still be 2008-10-17
		// or leave Version out (which means 2008-10-17).
		off := root.off
		if verVal != nil {
			off = verVal.off
		}
		ps.note(phaseVersion, off, msgVersion)
	}
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
				ps.note(phaseSid, sv.off, msgSidUnique)
			}
			sids[st.sid] = true
		}
		p.stmts = append(p.stmts, *st)
	}
	if ps.noted != nil {
		return nil, ps.noted
	}
	return p, nil
}

// iamKind reports whether documents of this kind are IAM's own (identity, boundary, session,
// trust), which hold Sids to IAM's stricter alphabet.
func (k Kind) iamKind() bool {
	return k == KindIdentity || k == KindManaged || k == KindBoundary || k == KindSession || k == KindTrust
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
		if ps.kind.iamKind() {
			// IAM's grammar requires Effect: its absence is a syntax error.
			return nil, ps.fail(v.off, msgSyntax)
		}
		return nil, ps.fail(v.off, msgMissingEffect)
	}
	if effect.kind != jString || (!strings.EqualFold(effect.str, "Allow") && !strings.EqualFold(effect.str, "Deny")) {
		return nil, ps.fail(effect.off, msgSyntax)
	}
	if effect.str != "Allow" && effect.str != "Deny" {
		// IAM's grammar reads Effect in any case; its legacy parser then wants it exact.
		ps.note(phaseLegacy, effect.off, msgLegacy)
	}
	if strings.EqualFold(effect.str, "Deny") {
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
	var acts []*jvalue
	if av != nil {
		var err *SyntaxError
		if acts, err = ps.stringList(av); err != nil {
			return nil, err
		}
	}
	if av == nil {
		ps.note(phaseActions, v.off, msgNoActions)
	} else if len(acts) == 0 {
		ps.note(phaseActions, av.off, msgNoActions)
	}
	for i, a := range acts {
		if a.str != "*" {
			switch strings.Count(a.str, ":") {
			case 0:
				ps.note(phaseVendor, acts[i].off, msgVendor)
			case 1:
			default:
				ps.note(phaseVendor, acts[i].off, msgOneColon)
			}
			vendor, _, _ := strings.Cut(a.str, ":")
			if !validVendor(vendor) {
				ps.note(phaseVendor, acts[i].off, "Vendor "+vendor+" is not valid")
			}
			if ps.kind == KindTrust && notAction == nil && !strings.EqualFold(vendor, "sts") {
				ps.note(phaseTrust, acts[i].off, msgTrustActions)
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
		res, err := ps.stringList(rv)
		if err != nil {
			return nil, err
		}
		if ps.kind == KindTrust {
			ps.note(phaseTrust, rv.off, msgProhibitedRes)
		}
		if len(res) == 0 {
			ps.note(phaseResources, rv.off, msgNoResources)
		}
		for _, r := range res {
			ps.resource(r)
			st.resources = append(st.resources, compileResource(r.str, ps.vars))
		}
		st.hasResource = true
		st.notResource = notResource != nil
	} else if ps.kind != KindTrust && ps.kind != KindSCP {
		// SCPs may leave Resource out (it then means "*"); trust policies must.
		ps.note(phaseResources, v.off, msgNoResources)
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
				key := m.key
				if ps.kind == KindTrust {
					// IAM names the type in capitals ("SERVICE"), as AWS's answers show.
					key = strings.ToUpper(key)
				}
				return ps.fail(e.off, "Invalid principal in policy: \""+key+"\":\""+s+"\"")
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
				if s == "" || strings.ContainsAny(s, "*?") || ps.kind == KindTrust && !serviceDomain(s) {
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

// serviceDomain reports whether s names a service of the aws partition as a role's trust
// policy may: IAM refuses "ec2" and "eks.amazonaws.com.cn" there (recorded answers). IAM also
// refuses names of services that do not exist, which iamd cannot know; it accepts any name in
// AWS's service domains.
func serviceDomain(s string) bool {
	for _, d := range []string{".amazonaws.com", ".amazon.com"} {
		if name, ok := strings.CutSuffix(s, d); ok && name != "" && !strings.HasSuffix(name, ".") {
			return true
		}
	}
	return false
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

// resource checks one Resource or NotResource value. IAM checks the format of resources until
// it refuses one (reported after the Sids and the actions), and while none is refused its legacy
// parser also refuses an ARN of too few sections (reported before them).
func (ps *parser) resource(r *jvalue) {
	if ps.resFault {
		return
	}
	if reason := checkResource(r.str); reason != "" {
		ps.resFault = true
		ps.note(phaseResource, r.off, reason)
		return
	}
	if legacyResource(r.str) {
		ps.note(phaseLegacy, r.off, msgLegacy)
	}
}

// legacyResource reports whether IAM's legacy parser refuses an ARN that the format check let
// through: one without a service (arn:aws::::b), or one that runs sections together ("::") yet
// has fewer than six of them (arn:aws:s3::b). By inference from AWS's answers; the rule is not
// documented.
func legacyResource(r string) bool {
	if r == "*" {
		return false
	}
	f := arnSplit(r, -1)
	return (len(f) >= 3 && f[2] == "") || (len(f) < 6 && strings.Contains(r, "::"))
}

// checkResource returns IAM's reason for rejecting a Resource value, or "".
func checkResource(r string) string {
	if r == "*" {
		return ""
	}
	// IAM reads any "x:…" as an ARN and refuses it for its partition (the second section)
	// before anything else: a:b:c is refused as arn:b:c:*:*:*.
	f := arnSplit(r, 6)
	if len(f) < 2 {
		return "Resource " + r + " must be in ARN format or \"*\"."
	}
	if part := f[1]; !strings.ContainsAny(part, "*?$") && !partitions[part] {
		return "Partition \"" + part + "\" is not valid for resource \"" + filledARN(f[1:]) + "\"."
	}
	// A resource without a service section, or with a wildcard in it; an empty service is left
	// to the legacy parser, and arn:aws:x (three sections) is accepted.
	if len(f) < 3 || strings.ContainsAny(f[2], "*?") {
		return msgResVendor
	}
	id := "" // the resource section; missing in an ARN of fewer than six sections
	if len(f) == 6 {
		id = f[5]
	}
	if len(f) > 3 && f[3] != "" && !strings.ContainsAny(f[3], "*?$") {
		switch {
		case f[2] == "iam":
			return "IAM resource " + r + " cannot contain region information."
		case f[2] == "s3" && !s3Regional(id):
			return "Resource " + r + " can not contain region information."
		}
	}
	if f[2] == "iam" && !iamPath(id) {
		return msgIAMPath
	}
	return ""
}

// filledARN is how IAM shows a resource whose partition it refuses: six sections, those
// missing as "*" (f is the partition and the sections after it).
func filledARN(f []string) string {
	secs := []string{"*", "*", "*", "*"}
	rest := f[1:]
	if len(rest) > 4 {
		rest = append(rest[:3:3], strings.Join(rest[3:], ":"))
	}
	for i, s := range rest {
		// A lone empty service section (a:b or a:b:) shows as "*"; later ones as they are.
		if s != "" || len(rest) > 1 {
			secs[i] = s
		}
	}
	return "arn:" + f[0] + ":" + strings.Join(secs, ":")
}

// arnSplit splits an ARN at its colons, as strings.SplitN does, except at the colons of policy
// variables (arn:aws:iam::${aws:PrincipalAccount}:user/x has six sections).
func arnSplit(r string, n int) []string {
	var out []string
	start, depth := 0, 0
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '$' && i+1 < len(r) && r[i+1] == '{':
			depth++
			i++
		case r[i] == '}' && depth > 0:
			depth--
		case r[i] == ':' && depth == 0 && (n < 0 || len(out) < n-1):
			out = append(out, r[start:i])
			start = i + 1
		}
	}
	return append(out, r[start:])
}

// s3Regional reports whether an S3 resource is of a type that lives in a region, which may
// (and must) name it: access points (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME) and, by
// inference from the Service Authorization Reference's S3 resource types, batch jobs, Storage
// Lens and Access Grants. Buckets and objects have no region.
func s3Regional(id string) bool {
	for _, p := range []string{"accesspoint/", "job/", "storage-lens/", "storage-lens-group/", "access-grants/"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// iamPath reports whether an IAM ARN's resource section names one of IAM's resource types.
func iamPath(id string) bool {
	if id == "*" || id == "root" {
		return true
	}
	for _, p := range iamPaths {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}
