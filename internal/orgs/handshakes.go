package orgs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/store"
)

type HandshakePartyIn struct {
	Id   string
	Type string
}

type InviteAccountToOrganizationInput struct {
	Target HandshakePartyIn
	Notes  string
	Tags   []Tag
}
type InviteAccountToOrganizationOutput struct{ Handshake *Handshake }

type HandshakeIDInput struct{ HandshakeId string }
type HandshakeOutput struct{ Handshake *Handshake }

type AcceptHandshakeInput HandshakeIDInput
type DeclineHandshakeInput HandshakeIDInput
type CancelHandshakeInput HandshakeIDInput
type DescribeHandshakeInput HandshakeIDInput

type HandshakeFilter struct {
	ActionType        string
	ParentHandshakeId string
}

type ListHandshakesInput struct {
	Filter     *HandshakeFilter
	NextToken  string
	MaxResults *int32
}
type ListHandshakesOutput struct {
	Handshakes []Handshake
	NextToken  *string `json:",omitempty"`
}

type ListHandshakesForAccountInput ListHandshakesInput
type ListHandshakesForOrganizationInput ListHandshakesInput

func (in *InviteAccountToOrganizationInput) validate() error {
	switch in.Target.Type {
	case "ACCOUNT":
		if !validAccountID(in.Target.Id) {
			return invalidInput("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type for the handshake's target.")
		}
	case "EMAIL":
	default:
		return invalidInput("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type for the handshake's target.")
	}
	if len(in.Notes) > 1024 {
		return invalidInput("MAX_LENGTH_EXCEEDED", "You provided a value that exceeds the maximum allowed length.")
	}
	return checkTags(in.Tags)
}

func (o *org) handshakeOut(h *handshake) *Handshake {
	mgmt := o.account(o.Management)
	out := &Handshake{Id: h.ID, Arn: o.handshakeARN(h.ID), State: h.State, Action: "INVITE",
		RequestedTimestamp: ts(h.Requested), ExpirationTimestamp: ts(h.Expires),
		Parties: []HandshakeParty{{Id: o.ID, Type: "ORGANIZATION"}, {Id: h.Account, Type: "ACCOUNT"}},
		Resources: []HandshakeResource{
			{Value: o.ID, Type: "ORGANIZATION", Resources: []HandshakeResource{
				{Value: mgmt.Email, Type: "MASTER_EMAIL"},
				{Value: mgmt.Name, Type: "MASTER_NAME"},
				{Value: o.FeatureSet, Type: "ORGANIZATION_FEATURE_SET"},
			}},
			{Value: h.Account, Type: "ACCOUNT"},
		}}
	if h.Notes != "" {
		out.Resources = append(out.Resources, HandshakeResource{Value: h.Notes, Type: "NOTES"})
	}
	return out
}

func (o *org) handshake(id string) *handshake {
	for i := range o.Handshakes {
		if o.Handshakes[i].ID == id {
			return &o.Handshakes[i]
		}
	}
	return nil
}

// expire marks open handshakes past their expiry EXPIRED.
func (o *org) expire(s *Service) {
	now := s.now()
	for i := range o.Handshakes {
		if h := &o.Handshakes[i]; h.State == "OPEN" && !now.Before(h.Expires) {
			h.State = "EXPIRED"
		}
	}
}

// InviteAccountToOrganization invites a hosted account (by id) to join.
func (s *Service) InviteAccountToOrganization(ctx context.Context, in *InviteAccountToOrganizationInput) (*InviteAccountToOrganizationOutput, error) {
	var out *Handshake
	err := s.write(ctx, func(tx store.Tx, o *org, _ *authn.Principal) error {
		if in.Target.Type == "EMAIL" {
			// iamd's accounts have no mail address of their own: only the id names one.
			return invalidInput("INVALID_EMAIL_ADDRESS_TARGET", "iamd invites hosted accounts by their id (Target Type ACCOUNT).")
		}
		id := in.Target.Id
		if _, err := tx.Account(ctx, id); errors.Is(err, store.ErrNotFound) {
			return accountNotFound()
		} else if err != nil {
			return err
		}
		if o.account(id) != nil {
			return reasonErr("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.")
		}
		if len(o.Accounts) >= s.cfg.MaxAccounts {
			return reasonErr("HandshakeConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You have reached the limit on the number of accounts in your organization.")
		}
		o.expire(s)
		now := s.now()
		recent := o.HandshakesToday[:0]
		for _, t := range o.HandshakesToday {
			if now.Sub(t) < 24*60*60*1e9 {
				recent = append(recent, t)
			}
		}
		if len(recent) >= maxHandshakesPerDay {
			return reasonErr("HandshakeConstraintViolationException", "HANDSHAKE_RATE_LIMIT_EXCEEDED", "You have reached the limit on the number of handshakes that you can send in one day.")
		}
		o.HandshakesToday = append(recent, now)
		for _, h := range o.Handshakes {
			if h.Account == id && h.State == "OPEN" {
				return orgErr("DuplicateHandshakeException", "A handshake with the same action and target already exists.")
			}
		}
		h := handshake{ID: newHandshakeID(), Account: id, State: "OPEN", Notes: in.Notes, Requested: now, Expires: now.Add(handshakeDuration)}
		o.Handshakes = append(o.Handshakes, h)
		b, _ := json.Marshal(handshakeRec{Organization: o.ID, Management: o.Management})
		if err := tx.CreateRecord(ctx, store.Record{Account: id, Kind: kindHandshake, Name: h.ID, Data: b}); err != nil {
			return err
		}
		out = o.handshakeOut(&h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &InviteAccountToOrganizationOutput{Handshake: out}, nil
}

// invited runs fn on a handshake addressed to the caller's account, in a write transaction.
func (s *Service) invited(ctx context.Context, id string, fn func(tx store.Tx, o *org, h *handshake, p *authn.Principal) error) (*Handshake, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var out *Handshake
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		r, err := tx.Record(ctx, p.Account(), kindHandshake, id)
		if errors.Is(err, store.ErrNotFound) {
			return handshakeNotFound()
		} else if err != nil {
			return err
		}
		var hr handshakeRec
		if err := json.Unmarshal(r.Data, &hr); err != nil {
			return err
		}
		o, err := loadOrg(ctx, tx, hr.Management)
		if errors.Is(err, errNoOrg) {
			return handshakeNotFound()
		} else if err != nil {
			return err
		}
		o.expire(s)
		h := o.handshake(id)
		if h == nil || o.ID != hr.Organization {
			return handshakeNotFound()
		}
		if err := fn(tx, o, h, p); err != nil {
			return err
		}
		out = o.handshakeOut(h)
		return save(ctx, tx, o)
	})
	return out, err
}

func invalidTransition(state string) error {
	return orgErr("InvalidHandshakeTransitionException", "You can't perform the operation on the handshake in its current state ("+state+").")
}

// AcceptHandshake joins the caller's account to the inviting organization.
func (s *Service) AcceptHandshake(ctx context.Context, in *AcceptHandshakeInput) (*HandshakeOutput, error) {
	h, err := s.invited(ctx, in.HandshakeId, func(tx store.Tx, o *org, h *handshake, p *authn.Principal) error {
		if h.State != "OPEN" {
			return invalidTransition(h.State)
		}
		if _, err := membership(ctx, tx, p.Account()); err == nil {
			return reasonErr("HandshakeConstraintViolationException", "ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.")
		} else if !errors.Is(err, errNoOrg) {
			return err
		}
		if len(o.Accounts) >= s.cfg.MaxAccounts {
			return reasonErr("HandshakeConstraintViolationException", "ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You have reached the limit on the number of accounts in your organization.")
		}
		name, err := accountName(ctx, tx, p.Account())
		if err != nil {
			return err
		}
		h.State = "ACCEPTED"
		o.Accounts = append(o.Accounts, account{ID: p.Account(), Name: name, Email: email(p.Account()), Parent: o.RootID,
			JoinedMethod: "INVITED", Joined: s.now(), State: "ACTIVE"})
		o.attachDefaults(p.Account())
		return putMembership(ctx, tx, o, p.Account())
	})
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{Handshake: h}, nil
}

// DeclineHandshake declines an invitation.
func (s *Service) DeclineHandshake(ctx context.Context, in *DeclineHandshakeInput) (*HandshakeOutput, error) {
	h, err := s.invited(ctx, in.HandshakeId, func(_ store.Tx, _ *org, h *handshake, _ *authn.Principal) error {
		if h.State != "OPEN" {
			return invalidTransition(h.State)
		}
		h.State = "DECLINED"
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{Handshake: h}, nil
}

// CancelHandshake withdraws an invitation (the management account's).
func (s *Service) CancelHandshake(ctx context.Context, in *CancelHandshakeInput) (*HandshakeOutput, error) {
	var out *Handshake
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		o.expire(s)
		h := o.handshake(in.HandshakeId)
		if h == nil {
			return handshakeNotFound()
		}
		if h.State != "OPEN" {
			return invalidTransition(h.State)
		}
		h.State = "CANCELED"
		out = o.handshakeOut(h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{Handshake: out}, nil
}

// DescribeHandshake returns a handshake of the caller's organization, or one addressed to the
// caller's account.
func (s *Service) DescribeHandshake(ctx context.Context, in *DescribeHandshakeInput) (*HandshakeOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var out *Handshake
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if o, err := load(ctx, tx, p.Account()); err == nil && o.Management == p.Account() {
			o.expire(s)
			if h := o.handshake(in.HandshakeId); h != nil {
				out = o.handshakeOut(h)
				return nil
			}
		}
		hs, err := s.addressed(ctx, tx, p.Account())
		if err != nil {
			return err
		}
		for i := range hs {
			if hs[i].Id == in.HandshakeId {
				out = &hs[i]
				return nil
			}
		}
		return handshakeNotFound()
	})
	if err != nil {
		return nil, err
	}
	return &HandshakeOutput{Handshake: out}, nil
}

// addressed lists the handshakes sent to account.
func (s *Service) addressed(ctx context.Context, tx store.Tx, account string) ([]Handshake, error) {
	var out []Handshake
	opt := store.ListOptions{MaxItems: 1000}
	for {
		pg, err := tx.Records(ctx, account, kindHandshake, opt)
		if err != nil {
			return nil, err
		}
		for _, r := range pg.Items {
			var hr handshakeRec
			if json.Unmarshal(r.Data, &hr) != nil {
				continue
			}
			o, err := loadOrg(ctx, tx, hr.Management)
			if errors.Is(err, errNoOrg) {
				continue
			} else if err != nil {
				return nil, err
			}
			o.expire(s)
			if h := o.handshake(r.Name); h != nil && o.ID == hr.Organization {
				out = append(out, *o.handshakeOut(h))
			}
		}
		if !pg.IsTruncated {
			return out, nil
		}
		opt.Marker = pg.Marker
	}
}

func filterHandshakes(hs []Handshake, f *HandshakeFilter) []Handshake {
	if f == nil || f.ActionType == "" {
		return hs
	}
	return slices.DeleteFunc(hs, func(h Handshake) bool { return h.Action != f.ActionType })
}

// ListHandshakesForAccount lists the handshakes sent to the caller's account, in an
// organization or not.
func (s *Service) ListHandshakesForAccount(ctx context.Context, in *ListHandshakesForAccountInput) (*ListHandshakesOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	out := &ListHandshakesOutput{}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		hs, err := s.addressed(ctx, tx, p.Account())
		if err != nil {
			return err
		}
		out.Handshakes, out.NextToken, err = page(filterHandshakes(hs, in.Filter), in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListHandshakesForOrganization lists the organization's invitations.
func (s *Service) ListHandshakesForOrganization(ctx context.Context, in *ListHandshakesForOrganizationInput) (*ListHandshakesOutput, error) {
	out := &ListHandshakesOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		o.expire(s)
		var all []Handshake
		for i := range o.Handshakes {
			all = append(all, *o.handshakeOut(&o.Handshakes[i]))
		}
		var err error
		out.Handshakes, out.NextToken, err = page(filterHandshakes(all, in.Filter), in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
