package orgs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/mail"
	"slices"
	"strings"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/principals"
	"github.com/iamd/iamd/internal/store"
)

type CreateAccountInput struct {
	Email                  string
	AccountName            string
	RoleName               string
	IamUserAccessToBilling string
	Tags                   []Tag
}
type CreateAccountOutput struct{ CreateAccountStatus *CreateAccountStatus }

type DescribeCreateAccountStatusInput struct{ CreateAccountRequestId string }
type DescribeCreateAccountStatusOutput struct{ CreateAccountStatus *CreateAccountStatus }

type ListCreateAccountStatusInput struct {
	States     []string
	NextToken  string
	MaxResults *int32
}
type ListCreateAccountStatusOutput struct {
	CreateAccountStatuses []CreateAccountStatus
	NextToken             *string `json:",omitempty"`
}

type DescribeAccountInput struct{ AccountId string }
type DescribeAccountOutput struct{ Account *Account }

type ListAccountsInput struct {
	NextToken  string
	MaxResults *int32
}
type ListAccountsOutput struct {
	Accounts  []Account
	NextToken *string `json:",omitempty"`
}

type ListAccountsForParentInput struct {
	ParentId   string
	NextToken  string
	MaxResults *int32
}
type ListAccountsForParentOutput struct {
	Accounts  []Account
	NextToken *string `json:",omitempty"`
}

type RemoveAccountFromOrganizationInput struct{ AccountId string }
type RemoveAccountFromOrganizationOutput struct{}

type LeaveOrganizationInput struct{}
type LeaveOrganizationOutput struct{}

type CloseAccountInput struct{ AccountId string }
type CloseAccountOutput struct{}

// DefaultAccessRole is the role CreateAccount makes in a new account for the management account.
const DefaultAccessRole = "OrganizationAccountAccessRole"

func (in *CreateAccountInput) validate() error {
	if _, err := mail.ParseAddress(in.Email); err != nil || len(in.Email) < 6 || len(in.Email) > 64 || strings.ContainsAny(in.Email, "<> ") {
		return invalidInput("INVALID_EMAIL_ADDRESS_TARGET", "You specified an invalid email address for the invited account owner.")
	}
	if in.AccountName == "" || len(in.AccountName) > 50 {
		return invalidInput("INVALID_INPUT", "The account name must be 1 to 50 characters long.")
	}
	if in.RoleName != "" && (iam.ValidateRoleName("RoleName", in.RoleName) != nil || strings.HasPrefix(in.RoleName, "AWSServiceRoleFor")) {
		return invalidInput("INVALID_ROLE_NAME", "You provided a role name that isn't valid. A role name can't begin with the reserved prefix 'AWSServiceRoleFor'.")
	}
	switch in.IamUserAccessToBilling {
	case "", "ALLOW", "DENY":
	default:
		return invalidInput("INVALID_ENUM", "You specified an invalid value.")
	}
	return checkTags(in.Tags)
}

// CreateAccount creates a hosted account in the organization: its root user (with neither
// password nor access key: it is reached through the role, or AssumeRoot, or an operator's
// `iamd account reset-root-key`) and a role the management account may assume, with
// AdministratorAccess. AWS creates accounts asynchronously: the answer is IN_PROGRESS and
// DescribeCreateAccountStatus reports the outcome, which iamd has settled by then.
func (s *Service) CreateAccount(ctx context.Context, in *CreateAccountInput) (*CreateAccountOutput, error) {
	var st createStatus
	err := s.write(ctx, func(tx store.Tx, o *org, _ *authn.Principal) error {
		if len(o.Accounts) >= s.cfg.MaxAccounts {
			return constraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You have reached the limit on the number of accounts in your organization.")
		}
		now := s.now()
		st = createStatus{ID: newCreateID(), AccountName: in.AccountName, Requested: now, Completed: now}
		for _, a := range o.Accounts {
			if strings.EqualFold(a.Email, in.Email) {
				st.State, st.FailureReason = "FAILED", "EMAIL_ALREADY_EXISTS"
				o.CreateStatuses = append(o.CreateStatuses, st)
				return nil
			}
		}
		id, err := newAccountID(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.CreateAccount(ctx, iam.Account{ID: id, CreateDate: now}); err != nil {
			return err
		}
		roleName := in.RoleName
		if roleName == "" {
			roleName = DefaultAccessRole
		}
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + o.Management + `:root"},"Action":"sts:AssumeRole"}]}`
		bound, err := principals.Bind(ctx, tx, trust)
		if err != nil {
			return err
		}
		r := iam.Role{Account: id, RoleID: iam.NewID(iam.PrefixRole), RoleName: roleName, Path: "/",
			Arn: iam.RoleARN(id, "/", roleName), CreateDate: now, AssumeRolePolicyDocument: trust, TrustPrincipals: bound,
			MaxSessionDuration: iam.DefaultMaxSessionDuration}
		if err := tx.CreateRole(ctx, r); err != nil {
			return err
		}
		if err := tx.AttachPolicy(ctx, id, iam.KindRole, roleName, iam.PolicyARN("aws", "/", "AdministratorAccess")); err != nil {
			return err
		}
		o.Accounts = append(o.Accounts, account{ID: id, Name: in.AccountName, Email: in.Email, Parent: o.RootID,
			JoinedMethod: "CREATED", Joined: now, State: "ACTIVE"})
		o.attachDefaults(id)
		if err := o.setTags(id, in.Tags); err != nil {
			return err
		}
		st.State, st.AccountID = "SUCCEEDED", id
		o.CreateStatuses = append(o.CreateStatuses, st)
		return putMembership(ctx, tx, o, id)
	})
	if err != nil {
		return nil, err
	}
	out := statusOut(st)
	out.State, out.CompletedTimestamp, out.AccountId, out.FailureReason = "IN_PROGRESS", nil, "", ""
	return &CreateAccountOutput{CreateAccountStatus: &out}, nil
}

// newAccountID draws 12 digits no hosted account has.
func newAccountID(ctx context.Context, tx store.Tx) (string, error) {
	for {
		v, err := rand.Int(rand.Reader, big.NewInt(9e11))
		if err != nil {
			return "", err
		}
		id := fmt.Sprint(v.Int64() + 1e11)
		if _, err := tx.Account(ctx, id); errors.Is(err, store.ErrNotFound) {
			return id, nil
		} else if err != nil {
			return "", err
		}
	}
}

func statusOut(st createStatus) CreateAccountStatus {
	return CreateAccountStatus{Id: st.ID, AccountName: st.AccountName, State: st.State,
		RequestedTimestamp: ts(st.Requested), CompletedTimestamp: ts(st.Completed), AccountId: st.AccountID, FailureReason: st.FailureReason}
}

// DescribeCreateAccountStatus reports a CreateAccount request.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, in *DescribeCreateAccountStatusInput) (*DescribeCreateAccountStatusOutput, error) {
	var out *CreateAccountStatus
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		for _, st := range o.CreateStatuses {
			if st.ID == in.CreateAccountRequestId {
				v := statusOut(st)
				out = &v
				return nil
			}
		}
		return orgErr("CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified.")
	})
	if err != nil {
		return nil, err
	}
	return &DescribeCreateAccountStatusOutput{CreateAccountStatus: out}, nil
}

// ListCreateAccountStatus lists CreateAccount requests, newest first, optionally by state.
func (s *Service) ListCreateAccountStatus(ctx context.Context, in *ListCreateAccountStatusInput) (*ListCreateAccountStatusOutput, error) {
	out := &ListCreateAccountStatusOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		var all []CreateAccountStatus
		for i := len(o.CreateStatuses) - 1; i >= 0; i-- {
			st := o.CreateStatuses[i]
			if len(in.States) == 0 || slices.Contains(in.States, st.State) {
				all = append(all, statusOut(st))
			}
		}
		var err error
		out.CreateAccountStatuses, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (o *org) accountOut(a *account) Account {
	status, state := a.State, a.State
	if _, closed := o.Closed[a.ID]; closed {
		status, state = "SUSPENDED", "CLOSED"
	}
	return Account{Id: a.ID, Arn: o.accountARN(a.ID), Email: a.Email, Name: a.Name, Status: status, State: state,
		JoinedMethod: a.JoinedMethod, JoinedTimestamp: ts(a.Joined)}
}

// DescribeAccount returns an account of the organization.
func (s *Service) DescribeAccount(ctx context.Context, in *DescribeAccountInput) (*DescribeAccountOutput, error) {
	var out Account
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		a := o.account(in.AccountId)
		if a == nil {
			return accountNotFound()
		}
		out = o.accountOut(a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &DescribeAccountOutput{Account: &out}, nil
}

// ListAccounts lists the organization's accounts.
func (s *Service) ListAccounts(ctx context.Context, in *ListAccountsInput) (*ListAccountsOutput, error) {
	out := &ListAccountsOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		all := make([]Account, 0, len(o.Accounts))
		for i := range o.Accounts {
			all = append(all, o.accountOut(&o.Accounts[i]))
		}
		var err error
		out.Accounts, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListAccountsForParent lists the accounts directly under a root or OU.
func (s *Service) ListAccountsForParent(ctx context.Context, in *ListAccountsForParentInput) (*ListAccountsForParentOutput, error) {
	out := &ListAccountsForParentOutput{}
	err := s.read(ctx, delegatedAdmin, func(o *org, _ *authn.Principal) error {
		if !o.isParent(in.ParentId) {
			return parentNotFound()
		}
		var all []Account
		for i := range o.Accounts {
			if o.Accounts[i].Parent == in.ParentId {
				all = append(all, o.accountOut(&o.Accounts[i]))
			}
		}
		var err error
		out.Accounts, out.NextToken, err = page(all, in.NextToken, in.MaxResults)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// remove takes account out of o: its membership, attachments, tags and delegations.
func (o *org) remove(ctx context.Context, tx store.Tx, id string) error {
	if id == o.Management {
		return orgErr("MasterCannotLeaveOrganizationException", "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.")
	}
	if o.account(id) == nil {
		return accountNotFound()
	}
	for _, d := range o.Delegated {
		if d.Account == id {
			return constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "You can't remove an account that is a delegated administrator. Deregister it first.")
		}
	}
	o.Accounts = slices.DeleteFunc(o.Accounts, func(a account) bool { return a.ID == id })
	o.detachAll(id)
	delete(o.Closed, id)
	return tx.DeleteRecord(ctx, id, kindOrg, nameMembership)
}

// RemoveAccountFromOrganization removes a member account; it becomes a standalone account.
func (s *Service) RemoveAccountFromOrganization(ctx context.Context, in *RemoveAccountFromOrganizationInput) (*RemoveAccountFromOrganizationOutput, error) {
	err := s.write(ctx, func(tx store.Tx, o *org, _ *authn.Principal) error {
		return o.remove(ctx, tx, in.AccountId)
	})
	if err != nil {
		return nil, err
	}
	return &RemoveAccountFromOrganizationOutput{}, nil
}

// LeaveOrganization is a member account's own removal.
func (s *Service) LeaveOrganization(ctx context.Context, _ *LeaveOrganizationInput) (*LeaveOrganizationOutput, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		o, err := load(ctx, tx, p.Account())
		if err != nil {
			return wordErr(err)
		}
		if err := o.remove(ctx, tx, p.Account()); err != nil {
			return err
		}
		return save(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return &LeaveOrganizationOutput{}, nil
}

// CloseAccount closes a member account. AWS keeps a closed account in the organization,
// SUSPENDED, for 90 days; iamd keeps it so until it is removed, and its principals can do
// nothing (a deny at the end of its SCP chain).
func (s *Service) CloseAccount(ctx context.Context, in *CloseAccountInput) (*CloseAccountOutput, error) {
	err := s.write(ctx, func(_ store.Tx, o *org, _ *authn.Principal) error {
		if in.AccountId == o.Management {
			return constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You can't close the management account with the Organizations API.")
		}
		if o.account(in.AccountId) == nil {
			return accountNotFound()
		}
		if _, closed := o.Closed[in.AccountId]; closed {
			return orgErr("AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
		}
		if o.Closed == nil {
			o.Closed = map[string]struct{}{}
		}
		o.Closed[in.AccountId] = struct{}{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &CloseAccountOutput{}, nil
}
