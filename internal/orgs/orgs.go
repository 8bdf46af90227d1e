// Package orgs is AWS Organizations over the accounts one iamd hosts: organizations, their root
// and organizational units, member accounts (created, with their OrganizationAccountAccessRole, or
// invited through handshakes), service control, resource control and tag policies and their
// attachments, trusted service access and delegated administrators, as the Organizations API
// (JSON 1.1, AWSOrganizationsV20161128) exposes them. It also tells authorization where an
// account stands (Membership: the organization's id, the account's path, the SCP and RCP chains
// from the root down to the account), which internal/authz enforces on every request, and it
// keeps IAM's centralized root access features, which IAM's and STS's operations read.
//
// An organization is one record of its management account (kind "organization"), written
// whole in the transaction that changes it; each member account has a membership record
// pointing to it, and an invited account a handshake record. No schema change was needed.
package orgs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/store"
)

// Config is what the service needs.
type Config struct {
	Store store.Store
	Now   func() time.Time
	// MaxAccounts is the quota of accounts in an organization; 0 means DefaultMaxAccounts.
	MaxAccounts int
}

// DefaultMaxAccounts is AWS's default quota of accounts per organization (adjustable there by
// support, here by configuration).
const DefaultMaxAccounts = 10

// AWS's other quotas.
const (
	maxOUs              = 2000
	maxOUDepth          = 5 // OUs under the root
	maxPoliciesPerType  = 1000
	maxAttachedPerType  = 5 // SCPs or RCPs on one root, OU or account
	maxSCPSize          = 5120
	maxTagPolicySize    = 10000
	maxTags             = 50
	handshakeDuration   = 15 * 24 * time.Hour
	maxHandshakesPerDay = 20
)

// Service implements the Organizations operations.
type Service struct {
	cfg   Config
	decls map[string]authz.Decl
}

// New returns the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxAccounts == 0 {
		cfg.MaxAccounts = DefaultMaxAccounts
	}
	s := &Service{cfg: cfg, decls: make(map[string]authz.Decl, len(ops))}
	for name, o := range ops {
		s.decls[name] = o.decl(s)
	}
	return s
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }

// Record kinds and names.
const (
	kindOrg        = "organization"
	nameOrg        = "organization"
	nameMembership = "membership"
	kindHandshake  = "organization-handshake"
)

// Policy types.
const (
	typeSCP = "SERVICE_CONTROL_POLICY"
	typeRCP = "RESOURCE_CONTROL_POLICY"
	typeTag = "TAG_POLICY"
)

// AWS managed policies: attached to every root, OU and account when their type is enabled.
const (
	fullAWSAccessID    = "p-FullAWSAccess"
	rcpFullAWSAccessID = "p-RCPFullAWSAccess"
)

var managedPolicies = []orgPolicy{
	{ID: fullAWSAccessID, Name: "FullAWSAccess", Type: typeSCP, AWSManaged: true,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	{ID: rcpFullAWSAccessID, Name: "RCPFullAWSAccess", Type: typeRCP, AWSManaged: true,
		Description: "Allows access to every operation",
		Content:     `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
}

// org is an organization as stored.
type org struct {
	ID              string
	Management      string
	FeatureSet      string
	RootID          string
	Created         time.Time
	PolicyTypes     []string // enabled in the root
	OUs             []ou
	Accounts        []account
	Policies        []orgPolicy // customer managed; the AWS managed ones are managedPolicies
	Attachments     []attachment
	CreateStatuses  []createStatus
	Handshakes      []handshake
	ServiceAccess   []serviceAccess
	Delegated       []delegated
	RootAccess      []string            // IAM's centralized root access features
	Tags            map[string][]tag    `json:",omitempty"` // by resource id
	Closed          map[string]struct{} `json:",omitempty"` // accounts closed (kept, suspended)
	HandshakesToday []time.Time         `json:",omitempty"`
}

type ou struct{ ID, Name, Parent string }

type account struct {
	ID, Name, Email, Parent string
	JoinedMethod            string // INVITED or CREATED
	Joined                  time.Time
	State                   string // ACTIVE, PENDING_CLOSURE, SUSPENDED (Status); CLOSED (State)
}

type orgPolicy struct {
	ID, Name, Description, Type, Content string
	AWSManaged                           bool `json:",omitempty"`
}

type attachment struct{ Policy, Target string }

type createStatus struct {
	ID, AccountName, State, AccountID, FailureReason string
	Requested, Completed                             time.Time
}

type handshake struct {
	ID, Account, State, Notes string
	Requested, Expires        time.Time
}

type serviceAccess struct {
	Service string
	Date    time.Time
}

type delegated struct {
	Account, Service string
	Date             time.Time
}

type tag struct{ Key, Value string }

// membershipRec is the record that places an account in an organization.
type membershipRec struct {
	Organization, Management string
}

// handshakeRec is the invited account's pointer to a handshake of an organization.
type handshakeRec struct {
	Organization, Management string
}

// ---- loading and saving ----

// membership returns the organization account belongs to, errNoOrg outside one.
func membership(ctx context.Context, tx store.Tx, account string) (membershipRec, error) {
	var m membershipRec
	r, err := tx.Record(ctx, account, kindOrg, nameMembership)
	if errors.Is(err, store.ErrNotFound) {
		return m, errNoOrg
	}
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(r.Data, &m)
}

var errNoOrg = errors.New("orgs: not in an organization")

// load reads the organization of account.
func load(ctx context.Context, tx store.Tx, account string) (*org, error) {
	m, err := membership(ctx, tx, account)
	if err != nil {
		return nil, err
	}
	return loadOrg(ctx, tx, m.Management)
}

func loadOrg(ctx context.Context, tx store.Tx, management string) (*org, error) {
	r, err := tx.Record(ctx, management, kindOrg, nameOrg)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNoOrg
	}
	if err != nil {
		return nil, err
	}
	o := new(org)
	return o, json.Unmarshal(r.Data, o)
}

func save(ctx context.Context, tx store.Tx, o *org) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return tx.UpdateRecord(ctx, store.Record{Account: o.Management, Kind: kindOrg, Name: nameOrg, Data: b})
}

func putMembership(ctx context.Context, tx store.Tx, o *org, account string) error {
	b, _ := json.Marshal(membershipRec{Organization: o.ID, Management: o.Management})
	return tx.CreateRecord(ctx, store.Record{Account: account, Kind: kindOrg, Name: nameMembership, Data: b})
}

// ---- the caller ----

func caller(ctx context.Context) (*authn.Principal, error) {
	p, ok := authn.FromContext(ctx)
	if !ok || p == nil || p.Account() == "" {
		return nil, errors.New("orgs: no authenticated principal in context")
	}
	return p, nil
}

// role is what the caller's account is to its organization.
type role uint8

const (
	member role = iota
	delegatedAdmin
	management
)

func (o *org) roleOf(account string) role {
	if account == o.Management {
		return management
	}
	for _, d := range o.Delegated {
		if d.Account == account {
			return delegatedAdmin
		}
	}
	return member
}

// read runs fn on the caller's organization in a read transaction; need is the least role the
// caller's account must have.
func (s *Service) read(ctx context.Context, need role, fn func(o *org, p *authn.Principal) error) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	return s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		o, err := load(ctx, tx, p.Account())
		if err != nil {
			return wordErr(err)
		}
		if o.roleOf(p.Account()) < need {
			return accessDenied()
		}
		return fn(o, p)
	})
}

// write runs fn on the caller's organization in a write transaction and saves it when fn
// succeeds; only the management account may.
func (s *Service) write(ctx context.Context, fn func(tx store.Tx, o *org, p *authn.Principal) error) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		o, err := load(ctx, tx, p.Account())
		if err != nil {
			return wordErr(err)
		}
		if o.roleOf(p.Account()) != management {
			return accessDenied()
		}
		if err := fn(tx, o, p); err != nil {
			return err
		}
		return save(ctx, tx, o)
	})
}

func wordErr(err error) error {
	if errors.Is(err, errNoOrg) {
		return notInUse()
	}
	return err
}

// ---- ids and ARNs ----

const idChars = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = idChars[int(b[i])%len(idChars)]
	}
	return string(b)
}

func newOrgID() string  { return "o-" + randomID(10) }
func newRootID() string { return "r-" + randomID(4) }
func (o *org) newOUID() string {
	return "ou-" + strings.TrimPrefix(o.RootID, "r-") + "-" + randomID(8)
}
func newPolicyID() string    { return "p-" + randomID(8) }
func newHandshakeID() string { return "h-" + randomID(10) }
func newCreateID() string    { return "car-" + randomID(32) }

func (o *org) arn(resource string) string {
	return "arn:aws:organizations::" + o.Management + ":" + resource
}
func (o *org) orgARN() string             { return o.arn("organization/" + o.ID) }
func (o *org) accountARN(a string) string { return o.arn("account/" + o.ID + "/" + a) }
func (o *org) rootARN() string            { return o.arn("root/" + o.ID + "/" + o.RootID) }
func (o *org) ouARN(id string) string     { return o.arn("ou/" + o.ID + "/" + id) }
func (o *org) handshakeARN(id string) string {
	return o.arn("handshake/" + o.ID + "/invite/" + id)
}
func (o *org) policyARN(p *orgPolicy) string {
	t := strings.ToLower(p.Type)
	if p.AWSManaged {
		return "arn:aws:organizations::aws:policy/" + t + "/" + p.ID
	}
	return o.arn("policy/" + o.ID + "/" + t + "/" + p.ID)
}

// targetARN is the ARN of a root, OU or account id.
func (o *org) targetARN(id string) string {
	switch {
	case id == o.RootID:
		return o.rootARN()
	case strings.HasPrefix(id, "ou-"):
		return o.ouARN(id)
	}
	return o.accountARN(id)
}

// email is the address iamd gives an account it knows none for: iamd has no mail, but
// Organizations names every account by one.
func email(account string) string { return "account-" + account + "@iamd.invalid" }

// ---- lookups ----

func (o *org) account(id string) *account {
	for i := range o.Accounts {
		if o.Accounts[i].ID == id {
			return &o.Accounts[i]
		}
	}
	return nil
}

func (o *org) ou(id string) *ou {
	for i := range o.OUs {
		if o.OUs[i].ID == id {
			return &o.OUs[i]
		}
	}
	return nil
}

// isParent reports whether id is the root or an OU.
func (o *org) isParent(id string) bool { return id == o.RootID || o.ou(id) != nil }

func (o *org) policy(id string) *orgPolicy {
	for i := range managedPolicies {
		if managedPolicies[i].ID == id {
			p := managedPolicies[i]
			return &p
		}
	}
	for i := range o.Policies {
		if o.Policies[i].ID == id {
			return &o.Policies[i]
		}
	}
	return nil
}

// allPolicies lists the AWS managed policies and the organization's own.
func (o *org) allPolicies() []orgPolicy {
	return append(slices.Clone(managedPolicies), o.Policies...)
}

func (o *org) enabled(t string) bool { return slices.Contains(o.PolicyTypes, t) }

// chain is the targets from the root down to id: the root, each OU, and id itself.
func (o *org) chain(id string) []string {
	var out []string
	for cur := id; cur != "" && cur != o.RootID; {
		out = append(out, cur)
		if a := o.account(cur); a != nil {
			cur = a.Parent
		} else if u := o.ou(cur); u != nil {
			cur = u.Parent
		} else {
			break
		}
	}
	out = append(out, o.RootID)
	slices.Reverse(out)
	return out
}

// depth is how many OUs deep id is (the root's children are at 1).
func (o *org) depth(id string) int { return len(o.chain(id)) - 1 }

// path is the organization path of an account: o-…/r-…/ou-…/…/ down to its parent.
func (o *org) path(accountID string) string {
	c := o.chain(accountID)
	var b strings.Builder
	b.WriteString(o.ID + "/")
	for _, id := range c[:len(c)-1] {
		b.WriteString(id + "/")
	}
	return b.String()
}

func (o *org) attached(policyID, target string) bool {
	return slices.Contains(o.Attachments, attachment{policyID, target})
}

// attachedOfType counts the policies of type t attached to target.
func (o *org) attachedOfType(t, target string) int {
	n := 0
	for _, a := range o.Attachments {
		if a.Target == target {
			if p := o.policy(a.Policy); p != nil && p.Type == t {
				n++
			}
		}
	}
	return n
}

// attachDefaults attaches the AWS managed policies of the enabled types to a new target.
func (o *org) attachDefaults(target string) {
	if o.enabled(typeSCP) {
		o.Attachments = append(o.Attachments, attachment{fullAWSAccessID, target})
	}
	if o.enabled(typeRCP) {
		o.Attachments = append(o.Attachments, attachment{rcpFullAWSAccessID, target})
	}
}

// detachAll removes every attachment to target.
func (o *org) detachAll(target string) {
	o.Attachments = slices.DeleteFunc(o.Attachments, func(a attachment) bool { return a.Target == target })
	delete(o.Tags, target)
}

// ---- the view authorization needs ----

// Membership is internal/authz's Config.Organization: the organization of account with its
// path and control-policy chains, nil outside one.
func (s *Service) Membership(ctx context.Context, account string) (*authz.Membership, error) {
	var m *authz.Membership
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		m = nil
		o, err := load(ctx, tx, account)
		if errors.Is(err, errNoOrg) {
			return nil
		}
		if err != nil {
			return err
		}
		if o.account(account) == nil {
			return nil
		}
		ra := o.rootAccess(account)
		m = &authz.Membership{OrgID: o.ID, Management: o.Management, Path: o.path(account), AllFeatures: o.FeatureSet == "ALL",
			IAMTrusted: ra.Trusted, RootAccess: ra.Features}
		for _, d := range o.Delegated {
			if d.Service == iamPrincipal {
				m.IAMAdmin = d.Account
			}
		}
		if o.roleOf(account) != member {
			m.Resources = o.resources()
		}
		if o.enabled(typeSCP) {
			m.SCPs = o.controlChain(typeSCP, account)
		}
		if o.enabled(typeRCP) {
			m.RCPs = o.controlChain(typeRCP, account)
		}
		if _, closed := o.Closed[account]; closed {
			// A closed account is suspended: nothing its principals do is allowed.
			m.SCPs = append(m.SCPs, []authz.OrgPolicy{{ARN: o.accountARN(account), Document: denyAll}})
		}
		return nil
	})
	return m, err
}

const denyAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`

func (o *org) controlChain(t, account string) [][]authz.OrgPolicy {
	c := o.chain(account)
	out := make([][]authz.OrgPolicy, len(c))
	for l, target := range c {
		out[l] = []authz.OrgPolicy{}
		for _, a := range o.Attachments {
			if a.Target != target {
				continue
			}
			if p := o.policy(a.Policy); p != nil && p.Type == t {
				out[l] = append(out[l], authz.OrgPolicy{ARN: o.policyARN(p), Document: p.Content})
			}
		}
	}
	return out
}

// ---- IAM's centralized root access ----

// iamPrincipal is IAM's service principal, for trusted access and delegation.
const iamPrincipal = "iam.amazonaws.com"

// RootAccess is where an account stands for IAM's centralized root access.
type RootAccess struct {
	OrgID string
	// Management: the account is the organization's management account; Delegated: IAM's
	// delegated administrator.
	Management, Delegated bool
	// Trusted: IAM's trusted access is enabled in the organization.
	Trusted  bool
	Features []string
}

func (o *org) rootAccess(account string) *RootAccess {
	ra := &RootAccess{OrgID: o.ID, Management: account == o.Management, Features: slices.Clone(o.RootAccess)}
	for _, d := range o.Delegated {
		if d.Account == account && d.Service == iamPrincipal {
			ra.Delegated = true
		}
	}
	for _, sa := range o.ServiceAccess {
		if sa.Service == iamPrincipal {
			ra.Trusted = true
		}
	}
	return ra
}

// SetRootAccess turns one of IAM's root access features on or off for the organization of
// account, which must be its management account or IAM's delegated administrator (IAM checks
// first, with the account's authz.Membership), and returns the features enabled after.
func (s *Service) SetRootAccess(ctx context.Context, account, feature string, on bool) ([]string, error) {
	var ra *RootAccess
	err := s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		o, err := load(ctx, tx, account)
		if err != nil {
			return err
		}
		has := slices.Contains(o.RootAccess, feature)
		switch {
		case on && !has:
			o.RootAccess = append(o.RootAccess, feature)
			slices.Sort(o.RootAccess)
		case !on && has:
			o.RootAccess = slices.DeleteFunc(o.RootAccess, func(f string) bool { return f == feature })
		}
		ra = o.rootAccess(account)
		if on == has {
			return nil
		}
		return save(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return ra.Features, nil
}

// ---- errors, in Organizations' words ----

func orgErr(code, msg string) *awserr.Error { return awserr.New(http.StatusBadRequest, code, msg) }

func reasonErr(code, reason, msg string) *awserr.Error {
	e := orgErr(code, msg)
	e.Reason = reason
	return e
}

func notInUse() error {
	return orgErr("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
}

func accessDenied() error {
	return orgErr("AccessDeniedException", "You don't have permissions to access this resource.")
}

func constraint(reason, msg string) error {
	return reasonErr("ConstraintViolationException", reason, msg)
}

func invalidInput(reason, msg string) error {
	return reasonErr("InvalidInputException", reason, msg)
}

func accountNotFound() error {
	return orgErr("AccountNotFoundException", "You specified an account that doesn't exist.")
}

func ouNotFound() error {
	return orgErr("OrganizationalUnitNotFoundException", "You specified an organizational unit that doesn't exist.")
}

func parentNotFound() error {
	return orgErr("ParentNotFoundException", "You specified parent that doesn't exist.")
}

func policyNotFound() error {
	return orgErr("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
}

func targetNotFound() error {
	return orgErr("TargetNotFoundException", "We can't find a root, OU, account, or email that matches the target ID that you specified.")
}

func rootNotFound() error {
	return orgErr("RootNotFoundException", "We can't find a root with the RootId that you specified.")
}

func childNotFound() error {
	return orgErr("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
}

func handshakeNotFound() error {
	return orgErr("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")
}
