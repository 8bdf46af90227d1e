package vgw

import (
	"context"
	"errors"
	"strings"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// principalExists reports whether principal, a string a bucket policy's "AWS" principal gives,
// names something of account that exists now — the check the gateway makes before it stores a
// bucket policy, as S3 refuses "Invalid principal in policy". The forms, all of account:
//
//   - everyone
//     ACCOUNT, arn:aws:iam::ACCOUNT:root             the account
//     arn:aws:iam::ACCOUNT:user/PATH/NAME            a user, by its exact current ARN (path included)
//     arn:aws:iam::ACCOUNT:role/PATH/NAME            a role, likewise
//     arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION a session of an existing role, any session name
//     a session could have
//     arn:aws:sts::ACCOUNT:federated-user/NAME       a federated user (GetFederationToken) by a name
//     it could have
//
// Anything else names nothing the gateway can see: another account (whose credentials it
// never accepts), a wildcard inside an ARN, a group, an access key id.
func principalExists(ctx context.Context, tx store.Tx, account, principal string) (bool, error) {
	switch {
	case principal == "*", principal == account:
		return true, nil
	}
	if rest, ok := strings.CutPrefix(principal, "arn:aws:iam::"+account+":"); ok {
		if rest == "root" {
			return true, nil
		}
		e, ok := iam.ParseEntityARN(principal)
		if !ok || e.Account != account || strings.ContainsAny(principal, "*?") {
			return false, nil
		}
		switch e.Type {
		case "user":
			u, err := tx.User(ctx, account, e.Name)
			return found(err, u.Arn == principal)
		case "role":
			r, err := tx.Role(ctx, account, e.Name)
			return found(err, r.Arn == principal)
		}
		return false, nil
	}
	rest, ok := strings.CutPrefix(principal, "arn:aws:sts::"+account+":")
	if !ok {
		return false, nil
	}
	if name, ok := strings.CutPrefix(rest, "federated-user/"); ok {
		return validName(name, 2, 32), nil
	}
	rest, ok = strings.CutPrefix(rest, "assumed-role/")
	if !ok {
		return false, nil
	}
	role, sess, ok := strings.Cut(rest, "/")
	if !ok || !validName(sess, 2, 64) || !validName(role, 1, 64) {
		return false, nil
	}
	r, err := tx.Role(ctx, account, role)
	// Role names are unique whatever their case; the ARN a session signs as has the role's own.
	return found(err, r.RoleName == role)
}

// found turns a store lookup into an answer: not found is false, other errors are errors.
func found(err error, match bool) (bool, error) {
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return match, nil
}

// validName: between lo and hi of [A-Za-z0-9_+=,.@-], the characters of role and session
// names.
func validName(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_+=,.@-", c) >= 0) {
			return false
		}
	}
	return true
}
