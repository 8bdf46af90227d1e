package iam

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/awserr"
)

// Constraint patterns as the AWS model states them; they appear verbatim in AWS's messages.
const (
	NamePattern       = `[\w+=,.@-]+`
	PathPattern       = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	PolicyPathPattern = `((/[A-Za-z0-9\.,\+@=_-]+)*)/`
	PathPrefixPattern = `\u002F[\u0021-\u007F]*`
	TagKeyPattern     = `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`
	TagValuePattern   = `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`
)

// Name length limits by entity kind.
const (
	MaxUserNameLen            = 64
	MaxRoleNameLen            = 64
	MaxGroupNameLen           = 128
	MaxPolicyNameLen          = 128
	MaxInstanceProfileNameLen = 128
	MaxPathLen                = 512
)

// violations collects model-constraint failures and renders them the way IAM does, without the
// value: "1 validation error detected: Value at 'userName' failed to satisfy constraint: …".
type violations []string

func (v *violations) add(_, field, constraint string) {
	*v = append(*v, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", field, constraint))
}

func (v violations) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return awserr.Validation("1 validation error detected: " + v[0])
	default:
		return awserr.Validation(fmt.Sprintf("%d validation errors detected: %s", len(v), strings.Join(v, "; ")))
	}
}

func (v *violations) length(value, field string, min, max int) {
	n := utf8.RuneCountInString(value)
	if n < min {
		v.add(value, field, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	}
	if n > max {
		v.add(value, field, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("_+=,.@-", c) >= 0
}

// ValidName reports whether s matches [\w+=,.@-]+ (ASCII \w, as in AWS's Java patterns).
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

func checkName(field, name string, max int) error {
	var v violations
	v.length(name, field, 1, max)
	if !ValidName(name) {
		v.add(name, field, "Member must satisfy regular expression pattern: "+NamePattern)
	}
	return v.err()
}

// ValidateUserName checks a user name (1–64, [\w+=,.@-]+); field is the parameter name AWS
// reports, e.g. "userName" or "newUserName".
func ValidateUserName(field, name string) error { return checkName(field, name, MaxUserNameLen) }

// ValidateRoleName checks a role name (1–64).
func ValidateRoleName(field, name string) error { return checkName(field, name, MaxRoleNameLen) }

// ValidateGroupName checks a group name (1–128).
func ValidateGroupName(field, name string) error { return checkName(field, name, MaxGroupNameLen) }

// ValidatePolicyName checks a managed or inline policy name (1–128).
func ValidatePolicyName(field, name string) error { return checkName(field, name, MaxPolicyNameLen) }

// ValidateInstanceProfileName checks an instance profile name (1–128).
func ValidateInstanceProfileName(field, name string) error {
	return checkName(field, name, MaxInstanceProfileNameLen)
}

// ValidPath reports whether p is "/" or "/…/" with printable, non-space ASCII between.
func ValidPath(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) < 3 || p[0] != '/' || p[len(p)-1] != '/' {
		return false
	}
	for i := 1; i < len(p)-1; i++ {
		if p[i] < 0x21 || p[i] > 0x7e {
			return false
		}
	}
	return true
}

// ValidatePath checks a user, group, role or instance profile path.
func ValidatePath(field, p string) error {
	var v violations
	v.length(p, field, 1, MaxPathLen)
	if !ValidPath(p) {
		v.add(p, field, "Member must satisfy regular expression pattern: "+PathPattern)
	}
	return v.err()
}

// ValidPolicyPath reports whether p matches ((/[A-Za-z0-9\.,\+@=_-]+)*)/ : "/" or "/a/b/".
func ValidPolicyPath(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) < 3 || p[0] != '/' || p[len(p)-1] != '/' {
		return false
	}
	for _, seg := range strings.Split(p[1:len(p)-1], "/") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".,+@=_-", c) >= 0) {
				return false
			}
		}
	}
	return true
}

// ValidatePolicyPath checks a managed policy path, which AWS restricts more than other paths.
func ValidatePolicyPath(field, p string) error {
	var v violations
	v.length(p, field, 1, MaxPathLen)
	if !ValidPolicyPath(p) {
		v.add(p, field, "Member must satisfy regular expression pattern: "+PolicyPathPattern)
	}
	return v.err()
}

// ValidatePathPrefix checks the PathPrefix of List* operations.
func ValidatePathPrefix(field, p string) error {
	var v violations
	v.length(p, field, 1, MaxPathLen)
	ok := p != "" && p[0] == '/'
	for i := 1; ok && i < len(p); i++ {
		ok = p[i] >= 0x21 && p[i] <= 0x7f
	}
	if !ok {
		v.add(p, field, "Member must satisfy regular expression pattern: "+PathPrefixPattern)
	}
	return v.err()
}

func isTagRune(r rune) bool {
	return unicode.In(r, unicode.L, unicode.Z, unicode.N) || strings.ContainsRune("_.:/=+-@", r)
}

func validTagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !isTagRune(r) {
			return false
		}
	}
	return true
}

// TagKeyCase is how one kind of entity compares tag keys. The IAM User Guide, "Rules for tagging
// in IAM and AWS STS" (id_tags.html, Case sensitivity): the tag keys of IAM users and roles are
// not case sensitive, but case is preserved (Department and department are one key, the later
// replaces the earlier); for other IAM resource types tag keys are case sensitive (a customer
// managed policy can carry both Costcenter and costcenter).
type TagKeyCase bool

const (
	// FoldTagKeys is the rule of users and roles.
	FoldTagKeys TagKeyCase = true
	// ExactTagKeys is the rule of managed policies, instance profiles, OIDC and SAML providers,
	// virtual MFA devices and server certificates.
	ExactTagKeys TagKeyCase = false
)

// same reports whether a and b name the same tag key.
func (c TagKeyCase) same(a, b string) bool {
	if c == FoldTagKeys {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// ValidateTags checks a tag list as one request carries it: at most 50 tags, key 1–128 and value
// 0–256 characters of AWS's tag alphabet, no key or value beginning with the reserved prefix
// aws: (CheckReservedTagPrefix), and no key twice, keys compared as kc says.
func ValidateTags(tags []Tag, kc TagKeyCase) error {
	var v violations
	if len(tags) > MaxTagsPerEntity {
		v.add(fmt.Sprint(tags), "tags", fmt.Sprintf("Member must have length less than or equal to %d", MaxTagsPerEntity))
	}
	for i, t := range tags {
		kf := fmt.Sprintf("tags.%d.member.key", i+1)
		vf := fmt.Sprintf("tags.%d.member.value", i+1)
		v.length(t.Key, kf, 1, MaxTagKeyLen)
		if t.Key != "" && !validTagText(t.Key) {
			v.add(t.Key, kf, "Member must satisfy regular expression pattern: "+TagKeyPattern)
		}
		v.length(t.Value, vf, 0, MaxTagValueLen)
		if !validTagText(t.Value) {
			v.add(t.Value, vf, "Member must satisfy regular expression pattern: "+TagValuePattern)
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if err := CheckReservedTagPrefix(t.Key, t.Value); err != nil {
			return err
		}
		k := t.Key
		if kc == FoldTagKeys {
			k = strings.ToLower(k)
		}
		if seen[k] {
			if kc == FoldTagKeys {
				return awserr.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
			// Unconfirmed: AWS's wording for kinds whose keys are case sensitive was not found;
			// this is the case-insensitive kinds' message without the note that does not apply.
			return awserr.InvalidInput("Duplicate tag keys found.")
		}
		seen[k] = true
	}
	return nil
}

// ReservedTagPrefix begins the tag keys and values AWS keeps for itself.
const ReservedTagPrefix = "aws:"

// CheckReservedTagPrefix refuses a tag whose key or value begins with "aws:", in any case.
//
// The IAM User Guide, "Rules for tagging in IAM and AWS STS" (id_tags.html#id_tags_rules_creating):
// "You cannot create a tag key or value that begins with the text aws:. This tag prefix is
// reserved for AWS internal use." The same page's rules bind session tags (id_session-tags.html:
// "Session tags must follow the rules for naming tags in IAM and AWS STS"). The guide does not
// say whether the prefix is matched case-insensitively; AWS's other tagging documentation does
// (CloudFormation: "This prefix is case-insensitive"), and IAM folds the case of user and role
// tag keys, so AWS: and Aws: are refused too.
//
// The code is InvalidInput, the only error the Tag… operations model for a bad tag beyond the
// model's constraints. The message is unconfirmed: AWS's wording was not found, this is iamd's.
func CheckReservedTagPrefix(key, value string) error {
	if hasReservedPrefix(key) {
		return awserr.InvalidInput(fmt.Sprintf("Tag key '%s' is invalid: tag keys and values cannot begin with the prefix aws:, which is reserved for AWS use.", key))
	}
	if hasReservedPrefix(value) {
		return awserr.InvalidInput(fmt.Sprintf("Tag value '%s' of key '%s' is invalid: tag keys and values cannot begin with the prefix aws:, which is reserved for AWS use.", value, key))
	}
	return nil
}

func hasReservedPrefix(s string) bool {
	return len(s) >= len(ReservedTagPrefix) && strings.EqualFold(s[:len(ReservedTagPrefix)], ReservedTagPrefix)
}

// MergeTags applies TagX semantics: a new tag replaces an existing one whose key is the same
// (as kc compares keys), others are appended. The result is refused with LimitExceeded above 50.
func MergeTags(existing, add []Tag, kc TagKeyCase) ([]Tag, error) {
	out := append([]Tag(nil), existing...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if kc.same(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	if len(out) > MaxTagsPerEntity {
		// AWS's sentence names no number (as IAM-compatible services that copy its answers word
		// them).
		return nil, awserr.LimitExceeded("The number of tags has reached the maximum limit.")
	}
	return out, nil
}

// RemoveTags applies UntagX semantics: keys are matched as kc compares them; absent keys are
// ignored.
func RemoveTags(existing []Tag, keys []string, kc TagKeyCase) []Tag {
	out := make([]Tag, 0, len(existing))
	for _, t := range existing {
		drop := false
		for _, k := range keys {
			if kc.same(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}
