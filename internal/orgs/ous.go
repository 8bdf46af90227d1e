package orgs

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/store"
)

func jsonOf(v any) ([]byte, error) { return json.Marshal(v) }

type CreateOrganizationalUnitInput struct {
	ParentId string
	Name     string
	Tags     []Tag
}
type CreateOrganizationalUnitOutput struct{ OrganizationalUnit *OrganizationalUnit }

type UpdateOrganizationalUnitInput struct{ OrganizationalUnitId, Name string }
type UpdateOrganizationalUnitOutput struct{ OrganizationalUnit *OrganizationalUnit }

type DeleteOrganizationalUnitInput struct{ OrganizationalUnitId string }
type DeleteOrganizationalUnitOutput struct{}

type DescribeOrganizationalUnitInput struct{ OrganizationalUnitId string }
type DescribeOrganizationalUnitOutput struct{ OrganizationalUnit *OrganizationalUnit }

type ListOrganizationalUnitsForParentInput struct {
	ParentId   string
	NextToken  string
	MaxResults *int32
}
type ListOrganizationalUnitsForParentOutput struct {
	OrganizationalUnits []OrganizationalUnit
	NextToken           *string `json:",omitempty"`
}

type ListChildrenInput struct {
	ParentId   string
	ChildType  string
	NextToken  string
	MaxResults *int32
}
type ListChildrenOutput struct {
	Children  []Child
	NextToken *string `json:",omitempty"`
}

type ListParentsInput struct {
	ChildId    string
	NextToken  string
	MaxResults *int32
}
type ListParentsOutput struct {
	Parents   []Parent
	NextToken *string `json:",omitempty"`
}

type MoveAccountInput struct{ AccountId, SourceParentId, DestinationParentId string }
type MoveAccountOutput struct{}

func checkOUName(name string) error {
	if name == "" || len(name) > 128 {
		return invalidInput("INVALID_INPUT", "The organizational unit name must be 1 to 128 characters long.")
	}
	return nil
}

func (in *CreateOrganizationalUnitInput) validate() error {
	if err := checkOUName(in.Name); err != nil {
		return err
	}
	return checkTags(in.Tags)
}

func (in *UpdateOrganizationalUnitInput) validate() error {
	if in.Name == "" {
		return nil
	}
	return checkOUName(in.Name)
}

func (o *org) ouOut(u *ou) *OrganizationalUnit {
	return &OrganizationalUnit{Id: u.ID, Arn: o.ouARN(u.ID), Name: u.Name}
}

// CreateOrganizationalUnit adds an OU under the root or another OU.
func (s *Service) CreateOrganizationalUnit(ctx context.Context, in *CreateOrganizationalUnitInput) (*CreateOrganizationalUnitOutput, error) {
	var out *OrganizationalUnit
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if !o.isParent(in.ParentId) {
			return parentNotFound()
		}
		for _, u := range o.OUs {
			if u.Parent == in.ParentId && u.Name == in.Name {
				return orgErr("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
			}
		}
		if len(o.OUs) >= maxOUs {
			return constraint("OU_NUMBER_LIMIT_EXCEEDED", "You have reached the maximum number of OUs in your organization.")
		}
		if o.depth(in.ParentId)+1 > maxOUDepth {
			return constraint("OU_DEPTH_LIMIT_EXCEEDED", "You have reached the maximum depth of nested OUs in your organization.")
		}
		u := ou{ID: o.newOUID(), Name: in.Name, Parent: in.ParentId}
		o.OUs = append(o.OUs, u)
		o.attachDefaults(u.ID)
		o.setTags(u.ID, in.Tags)
		out = o.ouOut(&u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CreateOrganizationalUnitOutput{OrganizationalUnit: out}, nil
}

// UpdateOrganizationalUnit renames an OU.
func (s *Service) UpdateOrganizationalUnit(ctx context.Context, in *UpdateOrganizationalUnitInput) (*UpdateOrganizationalUnitOutput, error) {
	var out *OrganizationalUnit
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		u := o.ou(in.OrganizationalUnitId)
		if u == nil {
			return ouNotFound()
		}
		if in.Name != "" && in.Name != u.Name {
			for _, v := range o.OUs {
				if v.Parent == u.Parent && v.Name == in.Name {
					return orgErr("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
				}
			}
			u.Name = in.Name
		}
		out = o.ouOut(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateOrganizationalUnitOutput{OrganizationalUnit: out}, nil
}

// DeleteOrganizationalUnit deletes an OU that holds no account and no OU.
func (s *Service) DeleteOrganizationalUnit(ctx context.Context, in *DeleteOrganizationalUnitInput) (*DeleteOrganizationalUnitOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if o.ou(in.OrganizationalUnitId) == nil {
			return ouNotFound()
		}
		for _, u := range o.OUs {
			if u.Parent == in.OrganizationalUnitId {
				return ouNotEmpty()
			}
		}
		for _, a := range o.Accounts {
			if a.Parent == in.OrganizationalUnitId {
				return ouNotEmpty()
			}
		}
		o.OUs = slices.DeleteFunc(o.OUs, func(u ou) bool { return u.ID == in.OrganizationalUnitId })
		o.detachAll(in.OrganizationalUnitId)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DeleteOrganizationalUnitOutput{}, nil
}

func ouNotEmpty() error {
	return orgErr("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
}

// DescribeOrganizationalUnit returns an OU.
func (s *Service) DescribeOrganizationalUnit(ctx context.Context, in *DescribeOrganizationalUnitInput) (*DescribeOrganizationalUnitOutput, error) {
	var out *OrganizationalUnit
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		u := o.ou(in.OrganizationalUnitId)
		if u == nil {
			return ouNotFound()
		}
		out = o.ouOut(u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DescribeOrganizationalUnitOutput{OrganizationalUnit: out}, nil
}

// ListOrganizationalUnitsForParent lists the OUs directly under a parent.
func (s *Service) ListOrganizationalUnitsForParent(ctx context.Context, in *ListOrganizationalUnitsForParentInput) (*ListOrganizationalUnitsForParentOutput, error) {
	out := &ListOrganizationalUnitsForParentOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		if !o.isParent(in.ParentId) {
			return parentNotFound()
		}
		var all []OrganizationalUnit
		for i := range o.OUs {
			if o.OUs[i].Parent == in.ParentId {
				all = append(all, *o.ouOut(&o.OUs[i]))
			}
		}
		var err error
		out.OrganizationalUnits, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListChildren lists the accounts or the OUs directly under a parent.
func (s *Service) ListChildren(ctx context.Context, in *ListChildrenInput) (*ListChildrenOutput, error) {
	out := &ListChildrenOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		if !o.isParent(in.ParentId) {
			return parentNotFound()
		}
		var all []Child
		switch in.ChildType {
		case "ACCOUNT":
			for _, a := range o.Accounts {
				if a.Parent == in.ParentId {
					all = append(all, Child{Id: a.ID, Type: "ACCOUNT"})
				}
			}
		case "ORGANIZATIONAL_UNIT":
			for _, u := range o.OUs {
				if u.Parent == in.ParentId {
					all = append(all, Child{Id: u.ID, Type: "ORGANIZATIONAL_UNIT"})
				}
			}
		default:
			return invalidInput("INVALID_ENUM", "You specified an invalid value.")
		}
		var err error
		out.Children, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListParents lists the one parent of an account or OU.
func (s *Service) ListParents(ctx context.Context, in *ListParentsInput) (*ListParentsOutput, error) {
	out := &ListParentsOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		var parent string
		if a := o.account(in.ChildId); a != nil {
			parent = a.Parent
		} else if u := o.ou(in.ChildId); u != nil {
			parent = u.Parent
		} else {
			return childNotFound()
		}
		typ := "ORGANIZATIONAL_UNIT"
		if parent == o.RootID {
			typ = "ROOT"
		}
		var err error
		out.Parents, out.NextToken, err = page([]Parent{{Id: parent, Type: typ}}, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MoveAccount moves an account from its parent to another root or OU.
func (s *Service) MoveAccount(ctx context.Context, in *MoveAccountInput) (*MoveAccountOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		a := o.account(in.AccountId)
		if a == nil {
			return accountNotFound()
		}
		if !o.isParent(in.SourceParentId) {
			return orgErr("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
		}
		if !o.isParent(in.DestinationParentId) {
			return orgErr("DestinationParentNotFoundException", "We can't find a destination root or OU with the ParentId that you specified.")
		}
		if a.Parent != in.SourceParentId {
			return accountNotFound()
		}
		if a.Parent == in.DestinationParentId {
			return orgErr("DuplicateAccountException", "That account is already present in the specified destination.")
		}
		a.Parent = in.DestinationParentId
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &MoveAccountOutput{}, nil
}

// ---- tags ----

func checkTags(tags []Tag) error {
	if len(tags) > maxTags {
		return constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
	}
	seen := map[string]bool{}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return invalidInput("INVALID_INPUT", "Tag keys must be 1 to 128 characters and values at most 256.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return invalidInput("INVALID_SYSTEM_TAGS_PARAMETER", "The tag key can't start with aws:.")
		}
		if seen[t.Key] {
			return invalidInput("DUPLICATE_TAG_KEY", "Tags can't contain the same key twice.")
		}
		seen[t.Key] = true
	}
	return nil
}

// setTags merges tags into a resource's (a tag given again replaces its value).
func (o *org) setTags(id string, tags []Tag) error {
	if len(tags) == 0 {
		return nil
	}
	if o.Tags == nil {
		o.Tags = map[string][]tag{}
	}
	cur := o.Tags[id]
	for _, t := range tags {
		i := slices.IndexFunc(cur, func(c tag) bool { return c.Key == t.Key })
		if i >= 0 {
			cur[i].Value = t.Value
		} else {
			cur = append(cur, tag(t))
		}
	}
	if len(cur) > maxTags {
		return constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
	}
	o.Tags[id] = cur
	return nil
}

type TagResourceInput struct {
	ResourceId string
	Tags       []Tag
}
type TagResourceOutput struct{}

type UntagResourceInput struct {
	ResourceId string
	TagKeys    []string
}
type UntagResourceOutput struct{}

type ListTagsForResourceInput struct {
	ResourceId string
	NextToken  string
}
type ListTagsForResourceOutput struct {
	Tags      []Tag
	NextToken *string `json:",omitempty"`
}

func (in *TagResourceInput) validate() error { return checkTags(in.Tags) }

// taggable reports whether id names a root, OU, account or customer policy of o.
func (o *org) taggable(id string) bool {
	if o.isParent(id) || o.account(id) != nil {
		return true
	}
	p := o.policy(id)
	return p != nil && !p.AWSManaged
}

// TagResource tags a root, OU, account or policy.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if !o.taggable(in.ResourceId) {
			return targetNotFound()
		}
		return o.setTags(in.ResourceId, in.Tags)
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags by key.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if !o.taggable(in.ResourceId) {
			return targetNotFound()
		}
		if o.Tags == nil {
			return nil
		}
		o.Tags[in.ResourceId] = slices.DeleteFunc(o.Tags[in.ResourceId], func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource lists a resource's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	out := &ListTagsForResourceOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		if !o.taggable(in.ResourceId) {
			return targetNotFound()
		}
		var all []Tag
		for _, t := range o.Tags[in.ResourceId] {
			all = append(all, Tag(t))
		}
		var err error
		out.Tags, out.NextToken, err = page(all, in.NextToken, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
