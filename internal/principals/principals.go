// Package principals binds the IAM users and roles a resource policy names (a role's trust
// policy) to their unique ids when the policy is stored, and renders the policy as IAM does from
// then on: a principal that was renamed shows its current ARN, and one that was deleted shows its
// old unique id (AIDA…, AROA…) in place of the ARN. Evaluation uses the rendered document, so a
// user or role deleted and re-created under the same name is another principal, as on AWS, and
// the policy no longer admits it.
package principals

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// parseEntity reads the ARN of an IAM user or role.
func parseEntity(s string) (iam.EntityARN, bool) {
	e, ok := iam.ParseEntityARN(s)
	return e, ok && (e.Type == "user" || e.Type == "role")
}

// lookup finds the entity ref names, by name; ok is false when it does not exist.
func lookup(ctx context.Context, tx store.Tx, ref iam.EntityARN) (id, currentARN string, ok bool, err error) {
	switch ref.Type {
	case "user":
		u, err := tx.User(ctx, ref.Account, ref.Name)
		if errors.Is(err, store.ErrNotFound) {
			return "", "", false, nil
		}
		return u.UserID, u.Arn, err == nil, err
	default:
		r, err := tx.Role(ctx, ref.Account, ref.Name)
		if errors.Is(err, store.ErrNotFound) {
			return "", "", false, nil
		}
		return r.RoleID, r.Arn, err == nil, err
	}
}

// byID finds the entity with a unique id in account; ok is false when it no longer exists.
func byID(ctx context.Context, tx store.Tx, account, id string) (currentARN string, ok bool, err error) {
	var e error
	switch {
	case strings.HasPrefix(id, iam.PrefixUser):
		var u iam.User
		u, e = tx.UserByID(ctx, account, id)
		currentARN = u.Arn
	case strings.HasPrefix(id, iam.PrefixRole):
		var r iam.Role
		r, e = tx.RoleByID(ctx, account, id)
		currentARN = r.Arn
	default:
		return "", false, nil
	}
	if errors.Is(e, store.ErrNotFound) {
		return "", false, nil
	}
	return currentARN, e == nil, e
}

// Bind resolves the IAM user and role ARNs in doc's "AWS" principals to unique ids. A user or role
// of an account this installation hosts must exist, with the path the ARN gives, as IAM requires
// of principals when a policy is saved (MalformedPolicyDocument "Invalid principal in policy"
// otherwise); ARNs of accounts iamd does not host are left unbound, since no caller of theirs can
// reach iamd. doc must already have been validated.
func Bind(ctx context.Context, tx store.Tx, doc string) ([]iam.PrincipalID, error) {
	var out []iam.PrincipalID
	hosted := map[string]bool{}
	for _, p := range policy.AWSPrincipals([]byte(doc)) {
		ref, ok := parseEntity(p.Value)
		if !ok || bound(out, p.Value) {
			continue
		}
		h, seen := hosted[ref.Account]
		if !seen {
			_, err := tx.Account(ctx, ref.Account)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			h = err == nil
			hosted[ref.Account] = h
		}
		if !h {
			continue
		}
		id, current, ok, err := lookup(ctx, tx, ref)
		if err != nil {
			return nil, err
		}
		if !ok || current != p.Value {
			return nil, awserr.MalformedPolicyDocument("Invalid principal in policy: \"AWS\":" + strconv.Quote(p.Value))
		}
		out = append(out, iam.PrincipalID{ARN: p.Value, ID: id})
	}
	return out, nil
}

func bound(ids []iam.PrincipalID, a string) bool {
	for _, b := range ids {
		if b.ARN == a {
			return true
		}
	}
	return false
}

// Render returns doc as IAM shows it now: each bound principal is written as the current ARN of
// the entity it was bound to (a renamed user shows its new name), or as its unique id when that
// entity no longer exists. Everything else in doc is left byte for byte as stored.
func Render(ctx context.Context, tx store.Tx, doc string, ids []iam.PrincipalID) (string, error) {
	if len(ids) == 0 {
		return doc, nil
	}
	// What each bound ARN is written as now; absent when unchanged.
	now := map[string]string{}
	for _, b := range ids {
		ref, ok := parseEntity(b.ARN)
		if !ok {
			continue
		}
		current, ok, err := byID(ctx, tx, ref.Account, b.ID)
		if err != nil {
			return "", err
		}
		switch {
		case !ok:
			now[b.ARN] = b.ID
		case current != b.ARN:
			now[b.ARN] = current
		}
	}
	if len(now) == 0 {
		return doc, nil
	}
	var sb strings.Builder
	last := 0
	for _, p := range policy.AWSPrincipals([]byte(doc)) {
		v, ok := now[p.Value]
		if !ok {
			continue
		}
		sb.WriteString(doc[last:p.Start])
		sb.WriteString(strconv.Quote(v))
		last = p.End
	}
	sb.WriteString(doc[last:])
	return sb.String(), nil
}

// TrustPolicy is r's trust policy as IAM shows it and evaluates it now (Render).
func TrustPolicy(ctx context.Context, tx store.Tx, r iam.Role) (string, error) {
	return Render(ctx, tx, r.AssumeRolePolicyDocument, r.TrustPrincipals)
}
