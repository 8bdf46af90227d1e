package iamsvc

import (
	"context"
	"errors"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

func noSuchProfile(name string) error {
	return awserr.NoSuchEntity("Instance Profile " + name + " cannot be found.")
}

// profileOut converts a stored instance profile; its roles are listed the way AWS lists them
// there: identity and trust policy, without boundary, tags or last use.
func profileOut(p iam.InstanceProfile, tags bool) iamapi.InstanceProfile {
	out := iamapi.InstanceProfile{Path: p.Path, InstanceProfileName: p.InstanceProfileName, InstanceProfileId: p.InstanceProfileID,
		Arn: p.Arn, CreateDate: p.CreateDate, Roles: make([]iamapi.Role, len(p.Roles))}
	for i, r := range p.Roles {
		out.Roles[i] = roleOut(r, false)
		out.Roles[i].MaxSessionDuration, out.Roles[i].Description = nil, ""
	}
	if tags {
		out.Tags = tagsOut(p.Tags)
	}
	return out
}

func getProfile(ctx context.Context, tx store.Tx, account, name string) (iam.InstanceProfile, error) {
	p, err := tx.InstanceProfile(ctx, account, name)
	return p, notFound(err, noSuchProfile(name))
}

// CreateInstanceProfile creates an empty instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, in *iamapi.CreateInstanceProfileInput) (*iamapi.CreateInstanceProfileOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := iam.ValidateTags(tagsIn(in.Tags), iam.ExactTagKeys); err != nil {
		return nil, err
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	account := c.Account()
	p := iam.InstanceProfile{Account: account, InstanceProfileID: iam.NewID(iam.PrefixInstanceProfile), InstanceProfileName: in.InstanceProfileName,
		Path: path, Arn: iam.InstanceProfileARN(account, path, in.InstanceProfileName), CreateDate: s.now(), Tags: tagsIn(in.Tags)}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		return exists(tx.CreateInstanceProfile(ctx, p), "Instance Profile "+in.InstanceProfileName+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	out := profileOut(p, true)
	return &iamapi.CreateInstanceProfileOutput{InstanceProfile: &out}, nil
}

// GetInstanceProfile returns a profile with its role.
func (s *Service) GetInstanceProfile(ctx context.Context, in *iamapi.GetInstanceProfileInput) (*iamapi.GetInstanceProfileOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var p iam.InstanceProfile
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if p, err = getProfile(ctx, tx, c.Account(), in.InstanceProfileName); err != nil {
			return err
		}
		return renderProfileTrust(ctx, tx, &p)
	})
	if err != nil {
		return nil, err
	}
	out := profileOut(p, true)
	out.Tags = tagList(p.Tags) // GetInstanceProfile sends Tags even when there are none
	return &iamapi.GetInstanceProfileOutput{InstanceProfile: &out}, nil
}

// DeleteInstanceProfile deletes a profile that holds no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, in *iamapi.DeleteInstanceProfileInput) (*iamapi.DeleteInstanceProfileOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		p, err := getProfile(ctx, tx, c.Account(), in.InstanceProfileName)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return deleteConflict("remove roles from instance profile")
		}
		return notFound(tx.DeleteInstanceProfile(ctx, c.Account(), in.InstanceProfileName), noSuchProfile(in.InstanceProfileName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteInstanceProfileOutput{}, nil
}

// renderProfileTrust renders the trust policies of the roles a profile holds (renderTrust).
func renderProfileTrust(ctx context.Context, tx store.Tx, p *iam.InstanceProfile) error {
	for i := range p.Roles {
		if err := renderTrust(ctx, tx, &p.Roles[i]); err != nil {
			return err
		}
	}
	return nil
}

// renderProfilesTrust renders the trust policies in a page of profiles (renderTrust).
func renderProfilesTrust(ctx context.Context, tx store.Tx, page *store.Page[iam.InstanceProfile]) error {
	for i := range page.Items {
		if err := renderProfileTrust(ctx, tx, &page.Items[i]); err != nil {
			return err
		}
	}
	return nil
}

func profilesOut(page store.Page[iam.InstanceProfile]) ([]iamapi.InstanceProfile, *bool, string) {
	out := make([]iamapi.InstanceProfile, len(page.Items))
	for i, p := range page.Items {
		out[i] = profileOut(p, false)
	}
	return out, ptr(page.IsTruncated), page.Marker
}

// ListInstanceProfiles lists the account's profiles by name, filtered by path prefix.
func (s *Service) ListInstanceProfiles(ctx context.Context, in *iamapi.ListInstanceProfilesInput) (*iamapi.ListInstanceProfilesOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var page store.Page[iam.InstanceProfile]
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if page, err = tx.InstanceProfiles(ctx, c.Account(), store.ListOptions{PathPrefix: in.PathPrefix, Marker: in.Marker, MaxItems: maxItems(in.MaxItems)}); err != nil {
			return invalidMarker(err)
		}
		return renderProfilesTrust(ctx, tx, &page)
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListInstanceProfilesOutput{}
	out.InstanceProfiles, out.IsTruncated, out.Marker = profilesOut(page)
	return out, nil
}

// ListInstanceProfilesForRole lists the profiles that hold a role.
func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *iamapi.ListInstanceProfilesForRoleInput) (*iamapi.ListInstanceProfilesForRoleOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var page store.Page[iam.InstanceProfile]
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if _, err := getRole(ctx, tx, c.Account(), in.RoleName); err != nil {
			return err
		}
		if page, err = tx.InstanceProfilesForRole(ctx, c.Account(), in.RoleName, store.ListOptions{Marker: in.Marker, MaxItems: maxItems(in.MaxItems)}); err != nil {
			return invalidMarker(err)
		}
		return renderProfilesTrust(ctx, tx, &page)
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListInstanceProfilesForRoleOutput{}
	out.InstanceProfiles, out.IsTruncated, out.Marker = profilesOut(page)
	return out, nil
}

// AddRoleToInstanceProfile puts a role in a profile; a profile holds one role at most.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *iamapi.AddRoleToInstanceProfileInput) (*iamapi.AddRoleToInstanceProfileOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		p, err := getProfile(ctx, tx, account, in.InstanceProfileName)
		if err != nil {
			return err
		}
		r, err := getRole(ctx, tx, account, in.RoleName)
		if err != nil {
			return err
		}
		if iam.IsServiceLinked(r.Path) {
			return unmodifiableRole(r.RoleName) // AWS's model lists UnmodifiableEntity here
		}
		if len(p.Roles) > 0 {
			return quota("InstanceSessionsPerInstanceProfile", 1)
		}
		err = tx.AddRoleToInstanceProfile(ctx, account, in.InstanceProfileName, in.RoleName)
		if errors.Is(err, store.ErrConflict) {
			return quota("InstanceSessionsPerInstanceProfile", 1)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.AddRoleToInstanceProfileOutput{}, nil
}

// RemoveRoleFromInstanceProfile takes the role out of a profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *iamapi.RemoveRoleFromInstanceProfileInput) (*iamapi.RemoveRoleFromInstanceProfileOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := getProfile(ctx, tx, account, in.InstanceProfileName); err != nil {
			return err
		}
		r, err := getRole(ctx, tx, account, in.RoleName)
		if err != nil {
			return err
		}
		if iam.IsServiceLinked(r.Path) {
			return unmodifiableRole(r.RoleName) // a service put it there; the service takes it out
		}
		return notFound(tx.RemoveRoleFromInstanceProfile(ctx, account, in.InstanceProfileName, in.RoleName), noSuchRole(in.RoleName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.RemoveRoleFromInstanceProfileOutput{}, nil
}

// profileTags reaches instance profiles for the tag operations.
var profileTags = tagged[iam.InstanceProfile]{
	load: getProfile,
	save: func(ctx context.Context, tx store.Tx, _ string, p iam.InstanceProfile) error {
		return tx.UpdateInstanceProfile(ctx, p)
	},
	tags: func(p *iam.InstanceProfile) *[]iam.Tag { return &p.Tags },
	keys: iam.ExactTagKeys,
}

// TagInstanceProfile adds or replaces tags of a profile.
func (s *Service) TagInstanceProfile(ctx context.Context, in *iamapi.TagInstanceProfileInput) (*iamapi.TagInstanceProfileOutput, error) {
	if err := profileTags.tag(ctx, s, in.InstanceProfileName, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagInstanceProfileOutput{}, nil
}

// UntagInstanceProfile removes tags of a profile; absent keys are ignored.
func (s *Service) UntagInstanceProfile(ctx context.Context, in *iamapi.UntagInstanceProfileInput) (*iamapi.UntagInstanceProfileOutput, error) {
	if err := profileTags.untag(ctx, s, in.InstanceProfileName, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagInstanceProfileOutput{}, nil
}

// ListInstanceProfileTags lists a profile's tags.
func (s *Service) ListInstanceProfileTags(ctx context.Context, in *iamapi.ListInstanceProfileTagsInput) (*iamapi.ListInstanceProfileTagsOutput, error) {
	p, err := profileTags.list(ctx, s, in.InstanceProfileName, in.Marker, in.MaxItems)
	return (*iamapi.ListInstanceProfileTagsOutput)(p), err
}
