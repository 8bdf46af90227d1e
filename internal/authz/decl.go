package authz

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Mode says how an operation is authorized.
type Mode uint8

const (
	// Checked operations are allowed only when the policies allow the Request their
	// declaration resolves.
	Checked Mode = iota
	// Unchecked operations need no permission (AWS: GetCallerIdentity, GetSessionToken).
	Unchecked
	// ByService operations are authorized inside the service, which needs facts only it has
	// (AssumeRole evaluates the role's trust policy).
	ByService
)

// Auth says how an operation's caller is authenticated.
type Auth uint8

const (
	// Signed operations need a SigV4 signature: every AWS operation but two.
	Signed Auth = iota
	// Unsigned operations may be called without a signature (AssumeRoleWithWebIdentity and
	// AssumeRoleWithSAML, whose token or assertion is the caller's identity); one that is
	// signed is verified all the same.
	Unsigned
	// Bearer operations carry a credential of the service's own that the service checks (an
	// enrolled instance's credential fetch); SigV4 plays no part.
	Bearer
)

// Decl is one operation's declaration: how its caller is authenticated and how the call is
// authorized. It is the one place that says so: the server reads Auth and Mode from it, and
// Resolve builds the Request from the typed input through it. A table of them per service
// (iam, sts here; iamd's own operations in package instance) covers every operation.
type Decl struct {
	Auth Auth
	Mode Mode
	// resolve fills the Request of a Checked operation from its input; it reports false when
	// the input is not of the operation's type.
	resolve func(r *Resolver, in any) bool
}

// On declares a Checked operation whose Request f builds from the operation's typed input.
// The declaration refuses an input of another type, so a row cannot read the wrong operation's
// fields, and the compiler checks every field a row reads.
func On[In any](f func(r *Resolver, in *In)) Decl {
	return Decl{resolve: func(r *Resolver, in any) bool {
		i, ok := in.(*In)
		if ok {
			f(r, i)
		}
		return ok
	}}
}

// Resolve returns the authorization request of a Checked operation declared by d for its
// decoded input: the action, the resource ARN as AWS's Service Authorization Reference names
// it (with the entity's path read from the store where it exists), the condition keys the
// operation supplies, and the further actions the call needs (Request.Dependent).
func (a *Authorizer) Resolve(ctx context.Context, p *authn.Principal, action string, d Decl, in any) (Request, error) {
	req := Request{Action: action, Resource: "*"}
	if d.resolve == nil {
		return req, nil
	}
	r := &Resolver{a: a, ctx: ctx, p: p, account: p.Account(), req: &req}
	if !d.resolve(r, in) {
		return req, fmt.Errorf("authz: %s declared for another input than %T", action, in)
	}
	return req, r.err
}

// Resolver builds one call's Request; a declaration calls its methods in the order AWS lists
// the resource and keys. The first store error stops it: later calls do nothing.
type Resolver struct {
	a       *Authorizer
	ctx     context.Context
	p       *authn.Principal
	account string // whose entities the names name: the caller's
	req     *Request
	// boundary is the permissions boundary of the user or role the call targets.
	boundary string
	err      error
}

// Account is the caller's account.
func (r *Resolver) Account() string { return r.account }

// Principal is the caller.
func (r *Resolver) Principal() *authn.Principal { return r.p }

// ARN is an IAM resource ARN of the caller's account: arn:aws:iam::ACCOUNT:resource.
func (r *Resolver) ARN(resource string) string { return arnOf(r.account, resource) }

// Resource sets the request's resource; "" leaves it "*".
func (r *Resolver) Resource(arn string) {
	if arn != "" {
		r.req.Resource = arn
	}
}

// Key adds a condition key with its values.
func (r *Resolver) Key(name string, values ...string) {
	r.req.Keys = append(r.req.Keys, Key{Name: name, Values: values})
}

// User targets the user name of the caller's account (its stored path and tags).
func (r *Resolver) User(name string) { r.entity(iam.KindUser, name) }

// UserOrCaller targets the user name, or, without one, the calling IAM user; root acts on its
// own credentials, and other callers must name a user (the service answers ValidationError),
// so the resource is then the caller itself.
func (r *Resolver) UserOrCaller(name string) {
	switch k := r.p.Kind(); {
	case name != "":
		r.entity(iam.KindUser, name)
	case k == authn.User || k == authn.UserSession:
		r.entity(iam.KindUser, r.p.UserName())
	default:
		r.req.Resource = r.p.ARN()
	}
}

// ShownUser names the targeted user in a denial as AWS's denials of the access key operations
// do: "user NAME" rather than its ARN, and without a name (the caller's own keys) "user null"
// + the caller's name. A caller that is no IAM user keeps the ARN. (Operations that name the
// caller's own user plainly get that from UserOrCaller.)
func (r *Resolver) ShownUser(name string) {
	if name == "" {
		if k := r.p.Kind(); k != authn.User && k != authn.UserSession {
			return
		}
		name = "null" + r.p.UserName()
	}
	r.req.Shown = "user " + name
}

// Shown sets how a denial names the resource when AWS names it otherwise than by its ARN.
func (r *Resolver) Shown(s string) { r.req.Shown = s }

// Role targets the role name of the caller's account.
func (r *Resolver) Role(name string) { r.entity(iam.KindRole, name) }

// Group targets the group name of the caller's account.
func (r *Resolver) Group(name string) { r.entity(iam.KindGroup, name) }

// Boundary adds iam:PermissionsBoundary: the boundary of the user or role targeted.
func (r *Resolver) Boundary() { r.NewBoundary(r.boundary) }

// NewBoundary adds iam:PermissionsBoundary for a boundary being set; "" adds nothing.
func (r *Resolver) NewBoundary(arn string) {
	if arn != "" {
		r.Key("iam:PermissionsBoundary", arn)
	}
}

// Tags adds aws:RequestTag/* and aws:TagKeys for tags given with the call and, when there are
// some and action is not "", the dependent action creating a tagged entity needs (iam:TagUser
// for CreateUser). The keys named by carry (prefixes) go along to the dependent request.
func (r *Resolver) Tags(action string, tags []iam.Tag, carry ...string) {
	if len(tags) == 0 {
		return
	}
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Key
		r.Key("aws:RequestTag/"+t.Key, t.Value)
	}
	r.Key("aws:TagKeys", names...)
	if action == "" {
		return
	}
	dep := Request{Action: action, Resource: r.req.Resource}
	for _, k := range r.req.Keys {
		if strings.HasPrefix(k.Name, "aws:RequestTag/") || k.Name == "aws:TagKeys" || hasAnyPrefix(k.Name, carry) {
			dep.Keys = append(dep.Keys, k)
		}
	}
	r.req.Dependent = append(r.req.Dependent, dep)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// TagKeys adds aws:TagKeys for the keys of tags being removed.
func (r *Resolver) TagKeys(keys []string) {
	if len(keys) > 0 {
		r.Key("aws:TagKeys", keys...)
	}
}

// Rename adds, for a call that renames or moves its target, the same action on the target's
// new ARN: AWS requires permission on both the source and the target. Empty values keep the
// current path or name; both empty is no move.
func (r *Resolver) Rename(newPath, newName string) {
	if newPath != "" || newName != "" {
		r.req.Dependent = append(r.req.Dependent, Request{Action: r.req.Action, Resource: renamed(r.req.Resource, newPath, newName)})
	}
}

// PassRole adds iam:PassRole on role, handed to service (a role of "" passes nothing).
func (r *Resolver) PassRole(role, service string) {
	if role == "" || r.err != nil {
		return
	}
	dep := Request{Action: "iam:PassRole", Keys: []Key{
		{Name: "iam:PassedToService", Values: []string{service}},
		{Name: "iam:AssociatedResourceArn", Values: []string{"arn:aws:ec2:*:" + r.account + ":instance/*"}},
	}}
	sub := &Resolver{a: r.a, ctx: r.ctx, p: r.p, account: r.account, req: &dep}
	sub.entity(iam.KindRole, role)
	dep.Shown = "" // a denied PassRole names the role by its ARN
	if r.err = sub.err; r.err == nil {
		r.req.Dependent = append(r.req.Dependent, dep)
	}
}

// entity targets a user's, role's or group's ARN. For an existing entity the stored path is
// used, its tags become aws:ResourceTag/* and iam:ResourceTag/*, and its boundary is kept for
// Boundary. A missing entity's ARN is built with the path "/". A denial names the entity as
// AWS's do, by its kind and the name asked for ("on resource: role NAME").
func (r *Resolver) entity(kind iam.EntityKind, name string) {
	if r.err != nil {
		return
	}
	r.req.Shown = string(kind) + " " + name
	var arn string
	var tags []iam.Tag
	account := r.account
	ctx := r.ctx
	err := r.a.cfg.Store.Read(ctx, func(tx store.Tx) error {
		switch kind {
		case iam.KindUser:
			u, err := tx.User(ctx, account, name)
			arn, tags, r.boundary = u.Arn, u.Tags, u.PermissionsBoundary
			return err
		case iam.KindRole:
			ro, err := tx.Role(ctx, account, name)
			arn, tags, r.boundary = ro.Arn, ro.Tags, ro.PermissionsBoundary
			return err
		default:
			g, err := tx.Group(ctx, account, name)
			arn = g.Arn
			return err
		}
	})
	if errors.Is(err, store.ErrNotFound) {
		r.boundary = ""
		switch kind {
		case iam.KindRole:
			r.req.Resource = iam.RoleARN(account, "/", name)
		case iam.KindGroup:
			r.req.Resource = iam.GroupARN(account, "/", name)
		default:
			r.req.Resource = iam.UserARN(account, "/", name)
		}
		return
	}
	if err != nil {
		r.err = err
		return
	}
	r.req.Resource = arn
	for _, t := range tags {
		r.req.Keys = append(r.req.Keys,
			Key{Name: "aws:ResourceTag/" + t.Key, Values: []string{t.Value}},
			Key{Name: "iam:ResourceTag/" + t.Key, Values: []string{t.Value}})
	}
}

// Policy targets a managed policy by ARN, its tags as aws:ResourceTag/*. A denial names it as
// AWS's do: "on resource: policy ARN".
func (r *Resolver) Policy(arn string) {
	if r.err != nil || arn == "" {
		return
	}
	r.req.Resource = arn
	r.req.Shown = "policy " + arn
	var tags []iam.Tag
	err := r.a.cfg.Store.Read(r.ctx, func(tx store.Tx) error {
		mp, err := tx.Policy(r.ctx, arn)
		tags = mp.Tags
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		r.err = err
		return
	}
	for _, t := range tags {
		r.Key("aws:ResourceTag/"+t.Key, t.Value)
	}
}

// Profile targets an instance profile (stored path, tags) and returns the name of the role it
// holds ("" for none).
func (r *Resolver) Profile(name string) string {
	if r.err != nil {
		return ""
	}
	account := r.account
	r.req.Shown = "instance profile " + name
	var ip iam.InstanceProfile
	err := r.a.cfg.Store.Read(r.ctx, func(tx store.Tx) error {
		var err error
		ip, err = tx.InstanceProfile(r.ctx, account, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		r.req.Resource = iam.InstanceProfileARN(account, "/", name)
		return ""
	}
	if err != nil {
		r.err = err
		return ""
	}
	r.req.Resource = ip.Arn
	for _, t := range ip.Tags {
		r.Key("aws:ResourceTag/"+t.Key, t.Value)
	}
	if len(ip.Roles) > 0 {
		return ip.Roles[0].RoleName
	}
	return ""
}

func arnOf(account, resource string) string { return "arn:aws:iam::" + account + ":" + resource }

// renamed is the ARN an IAM entity's ARN (arn:aws:iam::ACCOUNT:TYPE/PATH/NAME) becomes with a
// new path and name; an empty one keeps the current.
func renamed(current, newPath, newName string) string {
	typeEnd := strings.IndexByte(current, '/')
	nameStart := strings.LastIndexByte(current, '/') + 1
	if typeEnd < 0 {
		return current
	}
	path, name := current[typeEnd:nameStart], current[nameStart:]
	if newPath != "" {
		path = newPath
	}
	if newName != "" {
		name = newName
	}
	return current[:typeEnd] + path + name
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// oidcHostPath is an OIDC provider URL without its scheme, as its ARN names it.
func oidcHostPath(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host + strings.TrimSuffix(u.Path, "/")
	}
	return strings.TrimPrefix(raw, "https://")
}
