package bucket

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/netip"
	"strings"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/internal/principals"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// maxPolicySize is S3's limit on a bucket policy (20 KB).
const maxPolicySize = 20 * 1024

// S3's MalformedPolicy reasons.
const (
	msgPolicyJSON      = "Policies must be valid JSON and the first byte must be '{'"
	msgPolicyInvalid   = "This policy contains invalid Json"
	msgPolicyTooLarge  = "Policy exceeds the maximum allowed document size."
	msgInvalidResource = "Policy has invalid resource"
	msgInvalidAction   = "Policy has invalid action"
	msgInvalidPrinc    = "Invalid principal in policy"
	msgActionMismatch  = "Action does not apply to any resource(s) in statement"
	msgCondMismatch    = "Conditions do not apply to combination of actions and resources in statement"
	msgInvalidIP       = "Invalid IP address in Conditions"
)

// statementJSON is one statement of a policy already validated by policy.Parse. Elements that
// take a string or a list of strings are read by strs.
type statementJSON struct {
	Effect       string
	Principal    json.RawMessage
	NotPrincipal json.RawMessage
	Action       json.RawMessage
	NotAction    json.RawMessage
	Resource     json.RawMessage
	NotResource  json.RawMessage
	Condition    map[string]map[string]json.RawMessage
}

// statements decodes doc's statements; ok is false when doc is not a policy's JSON.
func statements(doc []byte) ([]statementJSON, bool) {
	var d struct{ Statement json.RawMessage }
	if json.Unmarshal(doc, &d) != nil {
		return nil, false
	}
	var list []statementJSON
	if t := bytes.TrimSpace(d.Statement); len(t) > 0 && t[0] == '{' {
		var one statementJSON
		if json.Unmarshal(t, &one) != nil {
			return nil, false
		}
		return []statementJSON{one}, true
	}
	if json.Unmarshal(d.Statement, &list) != nil {
		return nil, false
	}
	return list, true
}

// strs reads an element that is a string or a list of strings (anything else reads as none).
func strs(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	json.Unmarshal(raw, &list)
	return list
}

// principalValues reads a Principal element: star is true for "*"; the map holds the values by
// kind ("AWS", "Service", "CanonicalUser", "Federated").
func principalValues(raw json.RawMessage) (star bool, vals map[string][]string) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*", nil
	}
	var m map[string]json.RawMessage
	json.Unmarshal(raw, &m)
	vals = map[string][]string{}
	for k, v := range m {
		vals[k] = strs(v)
	}
	return false, vals
}

// validatePolicy checks a bucket policy as PutBucketPolicy does: a resource policy (policy.Parse
// with KindResource) that S3 accepts for this bucket: S3 actions only, resources that are the
// bucket or objects in it, principals S3 knows.
func validatePolicy(doc []byte, bucket string) *s3err.Error {
	if len(doc) > maxPolicySize {
		return malformedPolicy(msgPolicyTooLarge)
	}
	if t := bytes.TrimLeft(doc, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return malformedPolicy(msgPolicyJSON)
	}
	list, decoded := statements(doc)
	if decoded {
		// S3's own checks of each statement come before the grammar's, in S3's words.
		for _, st := range list {
			if e := checkStatement(st, bucket); e != nil {
				return e
			}
		}
	}
	if _, err := policy.Parse(doc, policy.KindResource); err != nil {
		var se *policy.SyntaxError
		reason := err.Error()
		if errors.As(err, &se) {
			reason = se.Reason
		}
		switch {
		case reason == "Syntax errors in policy.":
			return malformedPolicy(msgPolicyInvalid)
		case strings.HasPrefix(reason, "Invalid principal in policy"):
			return malformedPolicy(msgInvalidPrinc)
		case strings.HasPrefix(reason, "Resource "), strings.Contains(reason, "resource path"):
			return malformedPolicy(msgInvalidResource)
		case strings.HasPrefix(reason, "Actions/Condition"):
			return malformedPolicy(msgInvalidAction)
		}
		return malformedPolicy(reason)
	}
	if !decoded {
		return malformedPolicy(msgPolicyInvalid)
	}
	return nil
}

// checkStatement applies S3's checks of a bucket policy's statement, in S3's order: the
// effect, the principal (when there is one), the actions, the resources, whether each action
// applies to one of the resources, and the conditions' values S3 reads itself.
func checkStatement(st statementJSON, bucket string) *s3err.Error {
	if st.Effect != "" && st.Effect != "Allow" && st.Effect != "Deny" {
		return malformedPolicy("Invalid effect: " + st.Effect)
	}
	for _, p := range []json.RawMessage{st.Principal, st.NotPrincipal} {
		if len(p) > 0 && !validPrincipal(p) {
			return malformedPolicy(msgInvalidPrinc)
		}
	}
	actions := strs(st.Action)
	for _, a := range append(actions, strs(st.NotAction)...) {
		if !s3Action(a) {
			return malformedPolicy(msgInvalidAction)
		}
	}
	resources := strs(st.Resource)
	for _, raw := range []json.RawMessage{st.Resource, st.NotResource} {
		if len(raw) == 0 {
			continue
		}
		list := strs(raw)
		if len(list) == 0 {
			return malformedPolicy(msgInvalidResource) // "", [], or not strings
		}
		for _, res := range list {
			if !bucketResource(res, bucket) {
				return malformedPolicy(msgInvalidResource)
			}
		}
	}
	if len(resources) > 0 {
		for _, a := range actions {
			if !appliesToOne(a, resources) {
				return malformedPolicy(msgActionMismatch)
			}
		}
	}
	for op, keys := range st.Condition {
		for key, raw := range keys {
			k := strings.ToLower(key)
			if listKeys[k] && len(actions) > 0 && !anyListAction(actions) {
				return malformedPolicy(msgCondMismatch)
			}
			base := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(op, "ForAnyValue:"), "ForAllValues:"), "IfExists")
			if base == "IpAddress" || base == "NotIpAddress" {
				for _, v := range strs(raw) {
					if !ipOrCIDR(v) {
						return malformedPolicy(msgInvalidIP)
					}
				}
			}
		}
	}
	return nil
}

// validPrincipal reports whether a Principal or NotPrincipal element has S3's shape: "*", or an
// object of the principal kinds S3 knows, each naming at least one principal, none of them
// empty, no wildcard but the whole "*" (a wildcard cannot match part of a principal's name or
// ARN), and canonical user ids of their form.
func validPrincipal(raw json.RawMessage) bool {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s == "*"
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) == 0 {
		return false
	}
	for kind, v := range m {
		switch kind {
		case "AWS", "Service", "CanonicalUser", "Federated":
		default:
			return false
		}
		vals := strs(v)
		if len(vals) == 0 {
			return false
		}
		for _, p := range vals {
			if p == "" || p != "*" && strings.ContainsAny(p, "*?") || kind == "CanonicalUser" && !canonicalID(p) {
				return false
			}
		}
	}
	return true
}

// objectActions are S3's actions on objects (resource type "object" in the service
// authorization reference): a statement naming one needs an object resource (bucket/key).
// Every other S3 action a bucket policy names is taken for an action on the bucket.
var objectActions = map[string]bool{}

func init() {
	for _, a := range []string{"AbortMultipartUpload", "BypassGovernanceRetention", "DeleteObject",
		"DeleteObjectTagging", "DeleteObjectVersion", "DeleteObjectVersionTagging", "GetObject", "GetObjectAcl",
		"GetObjectAttributes", "GetObjectLegalHold", "GetObjectRetention", "GetObjectTagging", "GetObjectTorrent",
		"GetObjectVersion", "GetObjectVersionAcl", "GetObjectVersionAttributes", "GetObjectVersionForReplication",
		"GetObjectVersionTagging", "GetObjectVersionTorrent", "InitiateReplication", "ListMultipartUploadParts",
		"ObjectOwnerOverrideToBucketOwner", "PutObject", "PutObjectAcl", "PutObjectLegalHold", "PutObjectRetention",
		"PutObjectTagging", "PutObjectVersionAcl", "PutObjectVersionTagging", "ReplicateDelete", "ReplicateObject",
		"ReplicateTags", "RestoreObject"} {
		objectActions["s3:"+strings.ToLower(a)] = true
	}
}

// appliesToOne reports whether action a can apply to one of the resources: an object action to
// an object's ARN, a bucket action to the bucket's. A pattern ("s3:Get*", "*") may stand for
// either and is not checked.
func appliesToOne(a string, resources []string) bool {
	if strings.ContainsAny(a, "*?") {
		return true
	}
	object := objectActions[strings.ToLower(a)]
	for _, res := range resources {
		rest, ok := strings.CutPrefix(res, "arn:aws:s3:::")
		if !ok { // "*"
			return true
		}
		name, _, hasKey := strings.Cut(rest, "/")
		if strings.ContainsAny(name, "*?") || hasKey == object {
			// A wildcard in the bucket's part may span the slash: bucket and objects alike.
			return true
		}
	}
	return false
}

// listKeys are the condition keys S3 sets only for listing a bucket's objects.
var listKeys = map[string]bool{"s3:prefix": true, "s3:delimiter": true, "s3:max-keys": true}

// anyListAction reports whether one of the actions may be ListBucket or ListBucketVersions,
// the actions the list keys apply to.
func anyListAction(actions []string) bool {
	for _, a := range actions {
		p := strings.ToLower(a)
		if p == "*" || arn.Match(p, "s3:listbucket") || arn.Match(p, "s3:listbucketversions") {
			return true
		}
	}
	return false
}

func ipOrCIDR(v string) bool {
	if _, err := netip.ParsePrefix(v); err == nil {
		return true
	}
	_, err := netip.ParseAddr(v)
	return err == nil
}

// s3Action reports whether a is an action a bucket policy may name: "*" or an S3 action (or
// pattern of them).
func s3Action(a string) bool {
	if a == "*" {
		return true
	}
	vendor, name, found := strings.Cut(a, ":")
	if !found || !strings.EqualFold(vendor, "s3") || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '*' || c == '?') {
			return false
		}
	}
	return true
}

// bucketResource reports whether res can name the bucket or objects in it: "*", or an S3 ARN
// (partition aws, no region or account) whose bucket part matches the bucket's name.
func bucketResource(res, bucket string) bool {
	if res == "*" {
		return true
	}
	rest, found := strings.CutPrefix(res, "arn:aws:s3:::")
	if !found {
		return false
	}
	name, _, _ := strings.Cut(rest, "/")
	if i := strings.IndexByte(rest, '*'); i >= 0 && i < len(name) {
		// A star in the bucket part may also span the slash ("arn:aws:s3:::my*"): match the
		// whole resource against the bucket and its objects.
		return arn.Match(rest, bucket) || arn.Match(rest, bucket+"/x")
	}
	return arn.Match(name, bucket)
}

func canonicalID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ---- "public" ----

// IsPublic reports whether a bucket policy is public by S3's definition ("The meaning of
// 'public'", Amazon S3 User Guide; PublicAccessBlockConfiguration, API Reference): a policy is
// public when one of its Allow statements grants a wildcard principal (Principal "*", an AWS
// principal with a wildcard, or any NotPrincipal) one of the "bad actions" that expose data
// (s3:Get*, s3:List*, s3:Put*, s3:Delete*, s3:AbortMultipartUpload, s3:RestoreObject; any
// NotAction) without a condition that limits it to fixed values (no wildcard, no policy
// variable) of aws:SourceIp (a set of CIDRs, none wider than /8 for IPv4 or /32 for IPv6),
// aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount,
// aws:SourceOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalOrgID, aws:userid
// (outside the pattern "AROLEID:*"), s3:DataAccessPointArn, s3:DataAccessPointAccount or
// s3:x-amz-server-side-encryption-aws-kms-key-id. A document that is not a policy is not
// public (it grants nothing).
func IsPublic(doc string) bool {
	list, good := statements([]byte(doc))
	if !good {
		return false
	}
	for _, st := range list {
		if st.Effect == "Allow" && wildcardPrincipal(st) && badActions(st) && !restricted(st.Condition) {
			return true
		}
	}
	return false
}

func wildcardPrincipal(st statementJSON) bool {
	if len(st.NotPrincipal) > 0 {
		return true // everyone but a few
	}
	star, vals := principalValues(st.Principal)
	if star {
		return true
	}
	for _, vs := range vals {
		for _, v := range vs {
			if strings.ContainsAny(v, "*?") {
				return true
			}
		}
	}
	return false
}

// badActionSamples are S3 actions of each "bad" family; a statement's action pattern that
// matches one of them grants a bad action.
var badActionSamples = []string{
	"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectTagging", "s3:GetObjectAttributes",
	"s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetBucketLocation", "s3:GetBucketCORS", "s3:GetBucketTagging",
	"s3:GetBucketVersioning", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
	"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:ListMultipartUploadParts", "s3:ListAllMyBuckets",
	"s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging", "s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketCORS",
	"s3:PutBucketTagging", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration",
	"s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls",
	"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteObjectTagging", "s3:DeleteBucket", "s3:DeleteBucketPolicy",
	"s3:AbortMultipartUpload", "s3:RestoreObject",
}

func badActions(st statementJSON) bool {
	if len(st.NotAction) > 0 {
		return true
	}
	for _, a := range strs(st.Action) {
		if a == "*" {
			return true
		}
		vendor, name, _ := strings.Cut(a, ":")
		if !strings.EqualFold(vendor, "s3") {
			continue
		}
		p := "s3:" + strings.ToLower(name)
		for _, s := range badActionSamples {
			if arn.Match(p, strings.ToLower(s)) {
				return true
			}
		}
	}
	return false
}

// fixedKeys are the condition keys whose fixed values make a grant to everyone non-public.
var fixedKeys = map[string]bool{
	"aws:sourcearn": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceowner": true,
	"aws:sourceaccount": true, "aws:sourceorgid": true, "aws:principalaccount": true, "aws:principalarn": true,
	"aws:principalorgid": true, "aws:userid": true, "s3:dataaccesspointarn": true, "s3:dataaccesspointaccount": true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
}

// restricted reports whether a statement's conditions limit it to fixed values of a key that
// makes it non-public.
func restricted(conds map[string]map[string]json.RawMessage) bool {
	for op, keys := range conds {
		base := strings.TrimPrefix(op, "ForAnyValue:")
		if strings.HasPrefix(base, "ForAllValues:") || strings.HasSuffix(base, "IfExists") {
			continue // holds when the key is absent: no limit
		}
		for key, raw := range keys {
			vals := strs(raw)
			if len(vals) == 0 {
				continue
			}
			k := strings.ToLower(key)
			switch {
			case k == "aws:sourceip" && base == "IpAddress":
				if narrowCIDRs(vals) {
					return true
				}
			case fixedKeys[k]:
				switch base {
				case "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike":
					if fixedValues(k, vals) {
						return true
					}
				}
			}
		}
	}
	return false
}

func fixedValues(key string, vals []string) bool {
	for _, v := range vals {
		if strings.Contains(v, "${") {
			return false
		}
		if key == "s3:dataaccesspointarn" {
			// The access point's name may be a wildcard as long as its account is fixed.
			parts := strings.SplitN(v, ":", 6)
			if len(parts) == 6 && !strings.ContainsAny(strings.Join(parts[:5], ":"), "*?") {
				continue
			}
			return false
		}
		if strings.ContainsAny(v, "*?") {
			return false
		}
	}
	return true
}

func narrowCIDRs(vals []string) bool {
	for _, v := range vals {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, err := netip.ParseAddr(v)
			if err != nil {
				return false
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4() && p.Bits() < 8 || !p.Addr().Is4() && p.Bits() < 32 {
			return false
		}
	}
	return true
}

// ---- the operations ----

// ownerOnly applies S3's rule for the bucket policy operations: a caller outside the bucket
// owner's account is refused with 405 even when its policies allow the action.
func ownerOnly(w http.ResponseWriter, req *http.Request, c *call) bool {
	if c.account == c.b.Account {
		return true
	}
	answerErr(w, req, s3err.MethodNotAllowed(req.Method, "BUCKETPOLICY"))
	return false
}

func (r *Registry) getBucketPolicy(w http.ResponseWriter, req *http.Request, c *call) {
	if !ownerOnly(w, req, c) {
		return
	}
	if c.b.Policy == "" {
		answerErr(w, req, noSuchBucketPolicy(c.b.Name))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", itoa(len(c.b.Policy)))
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(c.b.Policy))
}

func (r *Registry) putBucketPolicy(w http.ResponseWriter, req *http.Request, c *call) {
	if !ownerOnly(w, req, c) {
		return
	}
	body, err := readBody(req, maxPolicySize)
	if errors.Is(err, errTooLarge) {
		answerErr(w, req, malformedPolicy(msgPolicyTooLarge))
		return
	} else if err != nil {
		failure(w, req, err)
		return
	}
	if e := validatePolicy(body, c.b.Name); e != nil {
		answerErr(w, req, e)
		return
	}
	doc := string(body)
	r.change(w, req, c, http.StatusNoContent, func(tx store.Tx, b *store.Bucket) error {
		if b.PublicAccessBlock != nil && b.PublicAccessBlock.BlockPublicPolicy && IsPublic(doc) {
			return s3err.AccessDenied()
		}
		ids, err := principals.Bind(req.Context(), tx, doc)
		if err != nil {
			if strings.Contains(err.Error(), "Invalid principal in policy") {
				return malformedPolicy(msgInvalidPrinc)
			}
			return err
		}
		b.Policy, b.PolicyPrincipals = doc, ids
		return nil
	})
}

func (r *Registry) deleteBucketPolicy(w http.ResponseWriter, req *http.Request, c *call) {
	if !ownerOnly(w, req, c) {
		return
	}
	r.change(w, req, c, http.StatusNoContent, func(_ store.Tx, b *store.Bucket) error {
		b.Policy, b.PolicyPrincipals = "", nil
		return nil
	})
}

type policyStatus struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PolicyStatus"`
	IsPublic bool     `xml:"IsPublic"`
}

func (r *Registry) getBucketPolicyStatus(w http.ResponseWriter, req *http.Request, c *call) {
	if c.b.Policy == "" {
		answerErr(w, req, noSuchBucketPolicy(c.b.Name))
		return
	}
	writeXML(w, http.StatusOK, policyStatus{IsPublic: c.b.PolicyIsPublic})
}
