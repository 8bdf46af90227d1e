package iamsvc

import (
	"context"
	"errors"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// userOut converts a stored user. List operations leave tags and the boundary out, as AWS's
// ListUsers does.
func userOut(u iam.User, full bool) iamapi.User {
	out := iamapi.User{Path: u.Path, UserName: u.UserName, UserId: u.UserID, Arn: u.Arn,
		CreateDate: u.CreateDate, PasswordLastUsed: u.PasswordLastUsed}
	if full {
		out.PermissionsBoundary = boundaryOut(u.PermissionsBoundary)
		out.Tags = tagsOut(u.Tags)
	}
	return out
}

// checkBoundary verifies that arn names a managed policy the account may use as the boundary of
// an entity of the kind.
func checkBoundary(ctx context.Context, tx store.Tx, account string, kind iam.EntityKind, arn string) error {
	p, err := visiblePolicy(ctx, tx, account, arn, noSuchBoundary(arn))
	if err != nil {
		return err
	}
	return serviceRolePolicy(p, kind)
}

// CreateUser creates an IAM user.
func (s *Service) CreateUser(ctx context.Context, in *iamapi.CreateUserInput) (*iamapi.CreateUserOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := iam.ValidateTags(tagsIn(in.Tags), iam.FoldTagKeys); err != nil {
		return nil, err
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	account := p.Account()
	var u iam.User
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if in.PermissionsBoundary != "" {
			if err := checkBoundary(ctx, tx, account, iam.KindUser, in.PermissionsBoundary); err != nil {
				return err
			}
		}
		n, err := tx.CountUsers(ctx, account)
		if err != nil {
			return err
		}
		if n >= iam.MaxUsersPerAccount {
			return quota("UsersPerAccount", iam.MaxUsersPerAccount)
		}
		u = iam.User{Account: account, UserID: iam.NewID(iam.PrefixUser), UserName: in.UserName, Path: path,
			Arn: iam.UserARN(account, path, in.UserName), CreateDate: s.now(),
			PermissionsBoundary: in.PermissionsBoundary, Tags: tagsIn(in.Tags)}
		return exists(tx.CreateUser(ctx, u), "User with name "+in.UserName+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	out := userOut(u, true)
	return &iamapi.CreateUserOutput{User: &out}, nil
}

// GetUser returns a user; without UserName, the caller: an IAM user gets its own record and the
// root user a record with the account id as UserId and the root ARN.
func (s *Service) GetUser(ctx context.Context, in *iamapi.GetUserInput) (*iamapi.GetUserOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	name, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	account := p.Account()
	var out iamapi.User
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if root {
			a, err := tx.Account(ctx, account)
			if err != nil {
				return err
			}
			// The root user has no path or name; its creation is in whole seconds, as IAM's are.
			out = iamapi.User{UserId: account, Arn: iam.RootARN(account), CreateDate: a.CreateDate.Truncate(time.Second)}
			return nil
		}
		u, err := getUser(ctx, tx, account, name)
		out = userOut(u, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserOutput{User: &out}, nil
}

// ListUsers lists the account's users by name, filtered by path prefix.
func (s *Service) ListUsers(ctx context.Context, in *iamapi.ListUsersInput) (*iamapi.ListUsersOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var page store.Page[iam.User]
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		page, err = tx.Users(ctx, p.Account(), store.ListOptions{PathPrefix: in.PathPrefix, Marker: in.Marker, MaxItems: maxItems(in.MaxItems)})
		return invalidMarker(err)
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListUsersOutput{Users: make([]iamapi.User, len(page.Items)), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}
	for i, u := range page.Items {
		out.Users[i] = userOut(u, false)
	}
	return out, nil
}

// UpdateUser renames or moves a user; its id, keys, groups and policies stay with it.
func (s *Service) UpdateUser(ctx context.Context, in *iamapi.UpdateUserInput) (*iamapi.UpdateUserOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := p.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, account, in.UserName)
		if err != nil {
			return err
		}
		if in.NewUserName != "" {
			u.UserName = in.NewUserName
		}
		if in.NewPath != "" {
			u.Path = in.NewPath
		}
		u.Arn = iam.UserARN(account, u.Path, u.UserName)
		return exists(tx.UpdateUser(ctx, u), "User with name "+in.NewUserName+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateUserOutput{}, nil
}

// DeleteUser deletes a user that has nothing left attached to it. The checks follow the order
// in which AWS reports what remains.
func (s *Service) DeleteUser(ctx context.Context, in *iamapi.DeleteUserInput) (*iamapi.DeleteUserOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := p.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, account, in.UserName)
		if err != nil {
			return err
		}
		if _, err := tx.Record(ctx, account, kindLoginProfile, u.UserID); !errors.Is(err, store.ErrNotFound) {
			return firstErr(err, deleteConflict("delete login profile"))
		}
		if mfa, err := tx.RecordsByOwner(ctx, account, kindMFA, u.UserID); err != nil || len(mfa) > 0 {
			return firstErr(err, deleteConflict("delete MFA device"))
		}
		if n, err := tx.CountAccessKeys(ctx, account, in.UserName); err != nil || n > 0 {
			return firstErr(err, deleteConflict("delete access keys"))
		}
		for _, c := range []struct{ kind, what string }{
			{kindSigningCert, "delete certificates"},
			{kindSSHKey, "remove referenced objects"},
			{kindServiceCred, "remove referenced objects"},
		} {
			if rs, err := tx.RecordsByOwner(ctx, account, c.kind, u.UserID); err != nil || len(rs) > 0 {
				return firstErr(err, deleteConflict(c.what))
			}
		}
		inline, err := tx.InlinePolicies(ctx, account, iam.KindUser, in.UserName)
		if err != nil || len(inline) > 0 {
			return firstErr(err, deleteConflict("delete policies"))
		}
		if n, err := tx.CountAttachedPolicies(ctx, account, iam.KindUser, in.UserName); err != nil || n > 0 {
			return firstErr(err, deleteConflict("detach all policies"))
		}
		if n, err := tx.CountGroupsForUser(ctx, account, in.UserName); err != nil || n > 0 {
			return firstErr(err, deleteConflict("remove users from group"))
		}
		return notFound(tx.DeleteUser(ctx, account, in.UserName), noSuchUser(in.UserName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteUserOutput{}, nil
}

// firstErr returns err when set, else conflict.
func firstErr(err, conflict error) error {
	if err != nil {
		return err
	}
	return conflict
}

// userTags reaches users for the tag operations.
var userTags = tagged[iam.User]{
	load: getUser,
	save: func(ctx context.Context, tx store.Tx, _ string, u iam.User) error { return tx.UpdateUser(ctx, u) },
	tags: func(u *iam.User) *[]iam.Tag { return &u.Tags },
	keys: iam.FoldTagKeys,
}

// TagUser adds or replaces tags of a user.
func (s *Service) TagUser(ctx context.Context, in *iamapi.TagUserInput) (*iamapi.TagUserOutput, error) {
	if err := userTags.tag(ctx, s, in.UserName, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagUserOutput{}, nil
}

// UntagUser removes tags of a user; absent keys are ignored.
func (s *Service) UntagUser(ctx context.Context, in *iamapi.UntagUserInput) (*iamapi.UntagUserOutput, error) {
	if err := userTags.untag(ctx, s, in.UserName, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagUserOutput{}, nil
}

// ListUserTags lists a user's tags.
func (s *Service) ListUserTags(ctx context.Context, in *iamapi.ListUserTagsInput) (*iamapi.ListUserTagsOutput, error) {
	p, err := userTags.list(ctx, s, in.UserName, in.Marker, in.MaxItems)
	return (*iamapi.ListUserTagsOutput)(p), err
}

// nonNil gives required lists an empty, not absent, element.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
