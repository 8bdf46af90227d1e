package authz

import (
	"context"
	"errors"
	"reflect"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Mode says how an operation is authorized.
type Mode uint8

const (
	// Checked operations are allowed only when the policies allow the Request Resolve returns.
	Checked Mode = iota
	// Unchecked operations need no permission (AWS: GetCallerIdentity, GetSessionToken).
	Unchecked
	// ByService operations are authorized inside the service, which needs facts only it has
	// (AssumeRole evaluates the role's trust policy).
	ByService
)

// ModeOf returns how service's operation op is authorized.
func ModeOf(service, op string) Mode {
	if service == "sts" {
		switch op {
		case "GetCallerIdentity", "GetSessionToken":
			return Unchecked
		case "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML":
			return ByService
		}
	}
	return Checked
}

// Resolve returns the authorization request for a decoded input of service's operation op.
//
// The resource follows the entity the input names, as AWS's Service Authorization Reference
// lists it for IAM: the user, role, group, instance profile or policy ARN (with the entity's
// path, read from the store), the caller's own user for operations whose UserName defaults to
// the caller, and "*" for account-wide operations. Request tags and the policy ARNs being
// attached or set as a boundary become condition keys.
func (a *Authorizer) Resolve(ctx context.Context, p *authn.Principal, service, op string, in any) (Request, error) {
	req := Request{Action: service + ":" + op, Resource: "*"}
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return req, nil
	}
	str := func(name string) string {
		f := v.FieldByName(name)
		if f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	has := func(name string) bool { return v.FieldByName(name).IsValid() }
	if service == "sts" {
		if op == "GetFederationToken" {
			req.Resource = iam.FederatedUserARN(p.Account(), str("Name"))
		}
		return req, nil
	}
	account := p.Account()
	var err error
	switch {
	case str("UserName") != "":
		req.Resource, err = a.entityARN(ctx, &req, account, iam.KindUser, str("UserName"), createPath(op, "CreateUser", str("Path")))
	case has("UserName") && p.UserName() != "":
		// An optional UserName left out means the calling user (GetUser, CreateAccessKey, …).
		req.Resource, err = a.entityARN(ctx, &req, account, iam.KindUser, p.UserName(), "")
	case str("RoleName") != "":
		req.Resource, err = a.entityARN(ctx, &req, account, iam.KindRole, str("RoleName"), createPath(op, "CreateRole", str("Path")))
	case str("GroupName") != "":
		req.Resource, err = a.entityARN(ctx, &req, account, iam.KindGroup, str("GroupName"), createPath(op, "CreateGroup", str("Path")))
	case str("InstanceProfileName") != "":
		path := createPath(op, "CreateInstanceProfile", str("Path"))
		if path == "" {
			path = "/"
		}
		req.Resource = iam.InstanceProfileARN(account, path, str("InstanceProfileName"))
	case str("PolicyArn") != "":
		req.Resource = str("PolicyArn")
	case op == "CreatePolicy":
		path := str("Path")
		if path == "" {
			path = "/"
		}
		req.Resource = iam.PolicyARN(account, path, str("PolicyName"))
	case listOf[op] != "":
		// Account-wide listings name the kind's ARN prefix, under the requested path.
		prefix := str("PathPrefix")
		if prefix == "" {
			prefix = "/"
		}
		req.Resource = "arn:aws:iam::" + account + ":" + listOf[op] + prefix
	case str("OpenIDConnectProviderArn") != "":
		req.Resource = str("OpenIDConnectProviderArn")
	case str("SAMLProviderArn") != "":
		req.Resource = str("SAMLProviderArn")
	}
	if err != nil {
		return req, err
	}
	if arn := str("PolicyArn"); arn != "" && req.Resource != arn {
		req.Keys = append(req.Keys, Key{Name: "iam:PolicyARN", Values: []string{arn}})
	}
	if b := str("PermissionsBoundary"); b != "" {
		req.Keys = append(req.Keys, Key{Name: "iam:PermissionsBoundary", Values: []string{b}})
	}
	if f := v.FieldByName("Tags"); f.IsValid() && f.Kind() == reflect.Slice && f.Len() > 0 {
		keys := make([]string, 0, f.Len())
		for i := 0; i < f.Len(); i++ {
			t := f.Index(i)
			if t.Kind() != reflect.Struct {
				break
			}
			k, val := t.FieldByName("Key"), t.FieldByName("Value")
			if !k.IsValid() || !val.IsValid() {
				break
			}
			keys = append(keys, k.String())
			req.Keys = append(req.Keys, Key{Name: "aws:RequestTag/" + k.String(), Values: []string{val.String()}})
		}
		req.Keys = append(req.Keys, Key{Name: "aws:TagKeys", Values: keys})
	}
	if f := v.FieldByName("TagKeys"); f.IsValid() && f.Kind() == reflect.Slice && f.Len() > 0 {
		if keys, ok := f.Interface().([]string); ok {
			req.Keys = append(req.Keys, Key{Name: "aws:TagKeys", Values: keys})
		}
	}
	return req, nil
}

// listOf maps the account-wide list operations to the resource kind AWS names in their ARN.
var listOf = map[string]string{
	"ListUsers":            "user",
	"ListRoles":            "role",
	"ListGroups":           "group",
	"ListPolicies":         "policy",
	"ListInstanceProfiles": "instance-profile",
}

// createPath is the path of the entity an operation creates (its Path parameter, "/" by
// default), or "" for operations on existing entities.
func createPath(op, createOp, path string) string {
	if op != createOp {
		return ""
	}
	if path == "" {
		return "/"
	}
	return path
}

// entityARN returns the ARN of a user, role or group. For an existing entity the stored path is
// used and its tags become aws:ResourceTag/* and iam:ResourceTag/*; for one being created (path
// given) or one that does not exist, the ARN is built with the given path or "/".
func (a *Authorizer) entityARN(ctx context.Context, req *Request, account string, kind iam.PrincipalKind, name, path string) (string, error) {
	build := func(path string) string {
		switch kind {
		case iam.KindRole:
			return iam.RoleARN(account, path, name)
		case iam.KindGroup:
			return iam.GroupARN(account, path, name)
		}
		return iam.UserARN(account, path, name)
	}
	if path != "" {
		return build(path), nil
	}
	var arn string
	var tags []iam.Tag
	err := a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		switch kind {
		case iam.KindUser:
			u, err := tx.User(ctx, account, name)
			arn, tags = u.Arn, u.Tags
			return err
		case iam.KindRole:
			r, err := tx.Role(ctx, account, name)
			arn, tags = r.Arn, r.Tags
			return err
		default:
			g, err := tx.Group(ctx, account, name)
			arn = g.Arn
			return err
		}
	})
	if errors.Is(err, store.ErrNotFound) {
		return build("/"), nil
	}
	if err != nil {
		return "", err
	}
	for _, t := range tags {
		req.Keys = append(req.Keys,
			Key{Name: "aws:ResourceTag/" + t.Key, Values: []string{t.Value}},
			Key{Name: "iam:ResourceTag/" + t.Key, Values: []string{t.Value}})
	}
	return arn, nil
}
