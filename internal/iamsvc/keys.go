package iamsvc

import (
	"context"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// keyOwnerCheck makes sure the user (or root, when root) exists before its keys are touched.
func keyOwnerCheck(ctx context.Context, tx store.Tx, account, user string, root bool) error {
	if root {
		return nil
	}
	_, err := getUser(ctx, tx, account, user)
	return err
}

// ownKey reads key id and checks that it belongs to the user (root: the root user) of account;
// a key of anyone else is reported as missing.
func ownKey(ctx context.Context, tx store.Tx, account, user string, root bool, id string) (iam.AccessKey, error) {
	k, err := tx.AccessKey(ctx, id)
	if err != nil {
		return k, notFound(err, noSuchKey(id))
	}
	if k.Account != account || (root && k.UserName != "") || (!root && !strings.EqualFold(k.UserName, user)) {
		return iam.AccessKey{}, noSuchKey(id)
	}
	return k, nil
}

// CreateAccessKey creates a long-term key for a user (or, for root callers without UserName, a
// root key). The secret is returned once and stored only sealed, bound to the key id.
func (s *Service) CreateAccessKey(ctx context.Context, in *iamapi.CreateAccessKeyInput) (*iamapi.CreateAccessKeyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	account := p.Account()
	secret := iam.NewSecretAccessKey()
	var k iam.AccessKey
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := keyOwnerCheck(ctx, tx, account, user, root); err != nil {
			return err
		}
		n, err := tx.CountAccessKeys(ctx, account, user)
		if err != nil {
			return err
		}
		if n >= iam.MaxAccessKeysPerUser {
			return quota("AccessKeysPerUser", iam.MaxAccessKeysPerUser)
		}
		id, err := iam.NewAccessKeyID(iam.PrefixAccessKey, account)
		if err != nil {
			return err
		}
		k = iam.AccessKey{Account: account, AccessKeyID: id, UserName: user, Status: iam.StatusActive,
			SecretSealed: s.cfg.Keyring.Seal([]byte(secret), authn.SecretAD(id)), CreateDate: s.now()}
		if err := tx.CreateAccessKey(ctx, k); err != nil {
			return notFound(err, noSuchUser(user))
		}
		if !root {
			// Report the name as stored, whatever case the request used.
			u, err := getUser(ctx, tx, account, user)
			k.UserName = u.UserName
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateAccessKeyOutput{AccessKey: &iamapi.AccessKey{UserName: k.UserName, AccessKeyId: k.AccessKeyID,
		Status: k.Status, SecretAccessKey: secret, CreateDate: k.CreateDate}}, nil
}

// ListAccessKeys lists a user's (or the root user's) keys, without secrets.
func (s *Service) ListAccessKeys(ctx context.Context, in *iamapi.ListAccessKeysInput) (*iamapi.ListAccessKeysOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	var keys []iam.AccessKey
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if err := keyOwnerCheck(ctx, tx, p.Account(), user, root); err != nil {
			return err
		}
		var err error
		keys, err = tx.AccessKeys(ctx, p.Account(), user)
		return err
	})
	if err != nil {
		return nil, err
	}
	page, trunc, next, err := pageSlice(keys, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListAccessKeysOutput{AccessKeyMetadata: make([]iamapi.AccessKeyMetadata, len(page)), IsTruncated: ptr(trunc), Marker: next}
	for i, k := range page {
		out.AccessKeyMetadata[i] = iamapi.AccessKeyMetadata{UserName: k.UserName, AccessKeyId: k.AccessKeyID, Status: k.Status, CreateDate: k.CreateDate}
	}
	return out, nil
}

// UpdateAccessKey activates or deactivates a key. Authentication reads the status from the
// store on every request, so the change applies to the next request.
func (s *Service) UpdateAccessKey(ctx context.Context, in *iamapi.UpdateAccessKeyInput) (*iamapi.UpdateAccessKeyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := keyOwnerCheck(ctx, tx, p.Account(), user, root); err != nil {
			return err
		}
		if _, err := ownKey(ctx, tx, p.Account(), user, root, in.AccessKeyId); err != nil {
			return err
		}
		return notFound(tx.UpdateAccessKeyStatus(ctx, p.Account(), in.AccessKeyId, in.Status), noSuchKey(in.AccessKeyId))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAccessKeyOutput{}, nil
}

// DeleteAccessKey deletes a key.
func (s *Service) DeleteAccessKey(ctx context.Context, in *iamapi.DeleteAccessKeyInput) (*iamapi.DeleteAccessKeyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	user, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := keyOwnerCheck(ctx, tx, p.Account(), user, root); err != nil {
			return err
		}
		if _, err := ownKey(ctx, tx, p.Account(), user, root, in.AccessKeyId); err != nil {
			return err
		}
		return notFound(tx.DeleteAccessKey(ctx, p.Account(), in.AccessKeyId), noSuchKey(in.AccessKeyId))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteAccessKeyOutput{}, nil
}

// unknownKeyDenied is GetAccessKeyLastUsed's answer for a key the account does not hold: the
// operation models no NoSuchEntity, and AWS words it as a denial on the key (the wording is
// inferred from answers recorded by others, not documented).
func unknownKeyDenied(caller, id string) error {
	return awserr.AccessDenied("User: " + caller + " is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key " + id + ".")
}

// GetAccessKeyLastUsed reports when and where a key of the account was last used; a key never
// used reports ServiceName and Region "N/A", as AWS does.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, in *iamapi.GetAccessKeyLastUsedInput) (*iamapi.GetAccessKeyLastUsedOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var k iam.AccessKey
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		k, err = tx.AccessKey(ctx, in.AccessKeyId)
		if err != nil {
			return notFound(err, unknownKeyDenied(p.ARN(), in.AccessKeyId))
		}
		if k.Account != p.Account() {
			return unknownKeyDenied(p.ARN(), in.AccessKeyId)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Noted to the instant; AWS reports it in whole seconds (GetAccessKeyLastUsed's example).
	used := &iamapi.AccessKeyLastUsed{LastUsedDate: k.LastUsed.LastUsedDate.Truncate(time.Second), ServiceName: k.LastUsed.ServiceName, Region: k.LastUsed.Region}
	if k.LastUsed.LastUsedDate.IsZero() {
		used.ServiceName, used.Region = "N/A", "N/A"
	}
	return &iamapi.GetAccessKeyLastUsedOutput{UserName: k.UserName, AccessKeyLastUsed: used}, nil
}
