package iamsvc

import (
	"context"
	"errors"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

func groupOut(g iam.Group) iamapi.Group {
	return iamapi.Group{Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupID, Arn: g.Arn, CreateDate: g.CreateDate}
}

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, in *iamapi.CreateGroupInput) (*iamapi.CreateGroupOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	account := c.Account()
	var g iam.Group
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		n, err := tx.CountGroups(ctx, account)
		if err != nil {
			return err
		}
		if n >= iam.MaxGroupsPerAccount {
			return quota("GroupsPerAccount", iam.MaxGroupsPerAccount)
		}
		g = iam.Group{Account: account, GroupID: iam.NewID(iam.PrefixGroup), GroupName: in.GroupName, Path: path,
			Arn: iam.GroupARN(account, path, in.GroupName), CreateDate: s.now()}
		return exists(tx.CreateGroup(ctx, g), "Group with name "+in.GroupName+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	out := groupOut(g)
	return &iamapi.CreateGroupOutput{Group: &out}, nil
}

// GetGroup returns a group and a page of its members.
func (s *Service) GetGroup(ctx context.Context, in *iamapi.GetGroupInput) (*iamapi.GetGroupOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var g iam.Group
	var page store.Page[iam.User]
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		if g, err = getGroup(ctx, tx, c.Account(), in.GroupName); err != nil {
			return err
		}
		page, err = tx.GroupMembers(ctx, c.Account(), in.GroupName, store.ListOptions{Marker: in.Marker, MaxItems: maxItems(in.MaxItems)})
		return invalidMarker(err)
	})
	if err != nil {
		return nil, err
	}
	out := groupOut(g)
	res := &iamapi.GetGroupOutput{Group: &out, Users: make([]iamapi.User, len(page.Items)), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}
	for i, u := range page.Items {
		res.Users[i] = userOut(u, false)
	}
	return res, nil
}

// ListGroups lists the account's groups by name, filtered by path prefix.
func (s *Service) ListGroups(ctx context.Context, in *iamapi.ListGroupsInput) (*iamapi.ListGroupsOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var page store.Page[iam.Group]
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		page, err = tx.Groups(ctx, c.Account(), store.ListOptions{PathPrefix: in.PathPrefix, Marker: in.Marker, MaxItems: maxItems(in.MaxItems)})
		return invalidMarker(err)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupsOutput{Groups: groupsOut(page.Items), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

func groupsOut(gs []iam.Group) []iamapi.Group {
	out := make([]iamapi.Group, len(gs))
	for i, g := range gs {
		out[i] = groupOut(g)
	}
	return out
}

// UpdateGroup renames or moves a group; members and policies stay with it.
func (s *Service) UpdateGroup(ctx context.Context, in *iamapi.UpdateGroupInput) (*iamapi.UpdateGroupOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		g, err := getGroup(ctx, tx, account, in.GroupName)
		if err != nil {
			return err
		}
		if in.NewGroupName != "" {
			g.GroupName = in.NewGroupName
		}
		if in.NewPath != "" {
			g.Path = in.NewPath
		}
		g.Arn = iam.GroupARN(account, g.Path, g.GroupName)
		return exists(tx.UpdateGroup(ctx, g), "Group with name "+in.NewGroupName+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateGroupOutput{}, nil
}

// DeleteGroup deletes a group without members or policies.
func (s *Service) DeleteGroup(ctx context.Context, in *iamapi.DeleteGroupInput) (*iamapi.DeleteGroupOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := getGroup(ctx, tx, account, in.GroupName); err != nil {
			return err
		}
		members, err := tx.GroupMembers(ctx, account, in.GroupName, store.ListOptions{MaxItems: 1})
		if err != nil || len(members.Items) > 0 {
			return firstErr(err, deleteConflict("remove users from group"))
		}
		inline, err := tx.InlinePolicies(ctx, account, iam.KindGroup, in.GroupName)
		if err != nil || len(inline) > 0 {
			return firstErr(err, deleteConflict("delete policies"))
		}
		if n, err := tx.CountAttachedPolicies(ctx, account, iam.KindGroup, in.GroupName); err != nil || n > 0 {
			return firstErr(err, deleteConflict("detach all policies"))
		}
		return notFound(tx.DeleteGroup(ctx, account, in.GroupName), noSuchGroup(in.GroupName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteGroupOutput{}, nil
}

// isMember reports whether user is in group; a user is in at most ten groups.
func isMember(ctx context.Context, tx store.Tx, account, group, user string) (bool, error) {
	page, err := tx.GroupsForUser(ctx, account, user, store.ListOptions{MaxItems: 1000})
	if err != nil {
		return false, err
	}
	for _, g := range page.Items {
		if equalFold(g.GroupName, group) {
			return true, nil
		}
	}
	return false, nil
}

// AddUserToGroup adds a user to a group (again is a no-op), within the groups-per-user quota.
func (s *Service) AddUserToGroup(ctx context.Context, in *iamapi.AddUserToGroupInput) (*iamapi.AddUserToGroupOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := getGroup(ctx, tx, account, in.GroupName); err != nil {
			return err
		}
		if _, err := getUser(ctx, tx, account, in.UserName); err != nil {
			return err
		}
		member, err := isMember(ctx, tx, account, in.GroupName, in.UserName)
		if err != nil || member {
			return err
		}
		n, err := tx.CountGroupsForUser(ctx, account, in.UserName)
		if err != nil {
			return err
		}
		if n >= iam.MaxGroupsPerUser {
			return quota("GroupsPerUser", iam.MaxGroupsPerUser)
		}
		return tx.AddUserToGroup(ctx, account, in.GroupName, in.UserName)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.AddUserToGroupOutput{}, nil
}

// RemoveUserFromGroup removes a member; a user not in the group is reported as not found.
func (s *Service) RemoveUserFromGroup(ctx context.Context, in *iamapi.RemoveUserFromGroupInput) (*iamapi.RemoveUserFromGroupOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := getGroup(ctx, tx, account, in.GroupName); err != nil {
			return err
		}
		if _, err := getUser(ctx, tx, account, in.UserName); err != nil {
			return err
		}
		// Removing a user who is not a member succeeds, as it does on AWS (inferred: AWS
		// documents no error for it, and the group and user were both found above).
		err := tx.RemoveUserFromGroup(ctx, account, in.GroupName, in.UserName)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.RemoveUserFromGroupOutput{}, nil
}

// ListGroupsForUser lists the groups a user is in.
func (s *Service) ListGroupsForUser(ctx context.Context, in *iamapi.ListGroupsForUserInput) (*iamapi.ListGroupsForUserOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var page store.Page[iam.Group]
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if _, err := getUser(ctx, tx, c.Account(), in.UserName); err != nil {
			return err
		}
		var err error
		page, err = tx.GroupsForUser(ctx, c.Account(), in.UserName, store.ListOptions{Marker: in.Marker, MaxItems: maxItems(in.MaxItems)})
		return invalidMarker(err)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupsForUserOutput{Groups: groupsOut(page.Items), IsTruncated: ptr(page.IsTruncated), Marker: page.Marker}, nil
}

// PutUserPermissionsBoundary sets a user's permissions boundary.
func (s *Service) PutUserPermissionsBoundary(ctx context.Context, in *iamapi.PutUserPermissionsBoundaryInput) (*iamapi.PutUserPermissionsBoundaryOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account(), in.UserName)
		if err != nil {
			return err
		}
		if err := checkBoundary(ctx, tx, c.Account(), iam.KindUser, in.PermissionsBoundary); err != nil {
			return err
		}
		u.PermissionsBoundary = in.PermissionsBoundary
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.PutUserPermissionsBoundaryOutput{}, nil
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
func (s *Service) DeleteUserPermissionsBoundary(ctx context.Context, in *iamapi.DeleteUserPermissionsBoundaryInput) (*iamapi.DeleteUserPermissionsBoundaryOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account(), in.UserName)
		if err != nil {
			return err
		}
		u.PermissionsBoundary = ""
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteUserPermissionsBoundaryOutput{}, nil
}
