package iamsvc

import (
	"context"
	"errors"
	"net/http"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// loginProfile is a user's console password, stored as a record named by the user's unique id
// (so a rename keeps it). Previous holds earlier hashes, newest first, for the policy's
// PasswordReusePrevention.
type loginProfile struct {
	Hash                  string
	Previous              []string `json:",omitempty"`
	CreateDate            time.Time
	PasswordResetRequired bool
	PasswordChanged       time.Time // when the password was last set, for MaxPasswordAge
}

// maxReuse is the largest PasswordReusePrevention AWS accepts.
const maxReuse = 24

func noSuchLoginProfile(user string) error {
	return awserr.NoSuchEntity("Login Profile for User " + user + " cannot be found.")
}

func noSuchPasswordPolicy(account string) error {
	return awserr.NoSuchEntity("The Password Policy with domain name " + account + " cannot be found.")
}

func passwordViolation(msg string) error {
	return awserr.New(http.StatusBadRequest, "PasswordPolicyViolation", msg)
}

// passwordPolicy reads the account's policy; nil when none is set.
func passwordPolicy(ctx context.Context, tx store.Tx, account string) (*iam.PasswordPolicy, error) {
	var p iam.PasswordPolicy
	err := readRecord(ctx, tx, account, kindSetting, settingPasswordPolicy, &p, store.ErrNotFound)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// setPassword checks pw against the policy and the reuse history, then hashes it into lp.
func setPassword(lp *loginProfile, policy *iam.PasswordPolicy, pw string, now time.Time) error {
	if msg := iam.CheckPassword(policy, pw); msg != "" {
		return passwordViolation(msg)
	}
	if policy != nil && policy.PasswordReusePrevention > 0 && lp.Hash != "" {
		history := append([]string{lp.Hash}, lp.Previous...)
		if len(history) > int(policy.PasswordReusePrevention) {
			history = history[:policy.PasswordReusePrevention]
		}
		for _, h := range history {
			if ok, err := iam.VerifyPassword(h, pw); err == nil && ok {
				return passwordViolation("Password should not be one of your previous passwords.")
			}
		}
	}
	hash, err := iam.HashPassword(pw)
	if err != nil {
		return err
	}
	if lp.Hash != "" {
		lp.Previous = append([]string{lp.Hash}, lp.Previous...)
		if len(lp.Previous) > maxReuse {
			lp.Previous = lp.Previous[:maxReuse]
		}
	}
	lp.Hash, lp.PasswordChanged = hash, now
	return nil
}

func loginProfileOut(name string, lp loginProfile) *iamapi.LoginProfile {
	return &iamapi.LoginProfile{UserName: name, CreateDate: lp.CreateDate, PasswordResetRequired: ptr(lp.PasswordResetRequired)}
}

// CreateLoginProfile gives a user a console password.
func (s *Service) CreateLoginProfile(ctx context.Context, in *iamapi.CreateLoginProfileInput) (*iamapi.CreateLoginProfileOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	name, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	if root {
		return nil, awserr.Validation("Must specify userName when calling with non-User credentials")
	}
	if in.Password == "" {
		return nil, awserr.Validation("Password is required to create a login profile.")
	}
	account := p.Account()
	lp := loginProfile{CreateDate: s.now(), PasswordResetRequired: in.PasswordResetRequired != nil && *in.PasswordResetRequired}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, account, name)
		if err != nil {
			return err
		}
		policy, err := passwordPolicy(ctx, tx, account)
		if err != nil {
			return err
		}
		if err := setPassword(&lp, policy, in.Password, lp.CreateDate); err != nil {
			return err
		}
		err = writeRecord(ctx, tx, true, account, kindLoginProfile, u.UserID, u.UserID, lp)
		return exists(err, "Login Profile for user "+u.UserName+" already exists.")
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateLoginProfileOutput{LoginProfile: loginProfileOut(name, lp)}, nil
}

// GetLoginProfile reports whether a user has a console password, and since when.
func (s *Service) GetLoginProfile(ctx context.Context, in *iamapi.GetLoginProfileInput) (*iamapi.GetLoginProfileOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	name, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	if root {
		return nil, noSuchLoginProfile(p.Account())
	}
	var u iam.User
	var lp loginProfile
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		if u, err = getUser(ctx, tx, p.Account(), name); err != nil {
			return err
		}
		return readRecord(ctx, tx, p.Account(), kindLoginProfile, u.UserID, &lp, noSuchLoginProfile(u.UserName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetLoginProfileOutput{LoginProfile: loginProfileOut(u.UserName, lp)}, nil
}

// UpdateLoginProfile sets a user's password (subject to the policy) or its reset flag.
func (s *Service) UpdateLoginProfile(ctx context.Context, in *iamapi.UpdateLoginProfileInput) (*iamapi.UpdateLoginProfileOutput, error) {
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
		var lp loginProfile
		if err := readRecord(ctx, tx, account, kindLoginProfile, u.UserID, &lp, noSuchLoginProfile(u.UserName)); err != nil {
			return err
		}
		if in.Password != "" {
			policy, err := passwordPolicy(ctx, tx, account)
			if err != nil {
				return err
			}
			if err := setPassword(&lp, policy, in.Password, s.now()); err != nil {
				return err
			}
		}
		if in.PasswordResetRequired != nil {
			lp.PasswordResetRequired = *in.PasswordResetRequired
		}
		return writeRecord(ctx, tx, false, account, kindLoginProfile, u.UserID, u.UserID, lp)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateLoginProfileOutput{}, nil
}

// DeleteLoginProfile removes a user's console password.
func (s *Service) DeleteLoginProfile(ctx context.Context, in *iamapi.DeleteLoginProfileInput) (*iamapi.DeleteLoginProfileOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	name, root, err := callerUser(p, in.UserName)
	if err != nil {
		return nil, err
	}
	if root {
		return nil, noSuchLoginProfile(p.Account())
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, p.Account(), name)
		if err != nil {
			return err
		}
		return notFound(tx.DeleteRecord(ctx, p.Account(), kindLoginProfile, u.UserID), noSuchLoginProfile(u.UserName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteLoginProfileOutput{}, nil
}

// ChangePassword changes the calling IAM user's own password; the old one must match.
func (s *Service) ChangePassword(ctx context.Context, in *iamapi.ChangePasswordInput) (*iamapi.ChangePasswordOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if k := p.Kind(); k != authn.User && k != authn.UserSession {
		return nil, awserr.New(http.StatusBadRequest, "InvalidUserType", "Only IAM Users can change their own password.")
	}
	account := p.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, account, p.UserName())
		if err != nil {
			return err
		}
		var lp loginProfile
		if err := readRecord(ctx, tx, account, kindLoginProfile, u.UserID, &lp, noSuchLoginProfile(u.UserName)); err != nil {
			return err
		}
		if ok, err := iam.VerifyPassword(lp.Hash, in.OldPassword); err != nil || !ok {
			return firstErr(err, awserr.AccessDenied("The old password is incorrect."))
		}
		policy, err := passwordPolicy(ctx, tx, account)
		if err != nil {
			return err
		}
		if err := setPassword(&lp, policy, in.NewPassword, s.now()); err != nil {
			return err
		}
		lp.PasswordResetRequired = false
		return writeRecord(ctx, tx, false, account, kindLoginProfile, u.UserID, u.UserID, lp)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ChangePasswordOutput{}, nil
}

// UpdateAccountPasswordPolicy replaces the account's password policy; parameters left out take
// AWS's defaults (they do not keep their previous values).
func (s *Service) UpdateAccountPasswordPolicy(ctx context.Context, in *iamapi.UpdateAccountPasswordPolicyInput) (*iamapi.UpdateAccountPasswordPolicyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	b := func(v *bool) bool { return v != nil && *v }
	n := func(v *int32, def int32) int32 {
		if v == nil {
			return def
		}
		return *v
	}
	pol := iam.PasswordPolicy{
		MinimumPasswordLength:      n(in.MinimumPasswordLength, iam.DefaultMinimumPasswordLength),
		RequireSymbols:             b(in.RequireSymbols),
		RequireNumbers:             b(in.RequireNumbers),
		RequireUppercaseCharacters: b(in.RequireUppercaseCharacters),
		RequireLowercaseCharacters: b(in.RequireLowercaseCharacters),
		AllowUsersToChangePassword: b(in.AllowUsersToChangePassword),
		MaxPasswordAge:             n(in.MaxPasswordAge, 0),
		PasswordReusePrevention:    n(in.PasswordReusePrevention, 0),
		HardExpiry:                 b(in.HardExpiry),
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		cur, err := passwordPolicy(ctx, tx, p.Account())
		if err != nil {
			return err
		}
		return writeRecord(ctx, tx, cur == nil, p.Account(), kindSetting, settingPasswordPolicy, "", pol)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateAccountPasswordPolicyOutput{}, nil
}

// GetAccountPasswordPolicy returns the policy; MaxPasswordAge, PasswordReusePrevention and
// HardExpiry appear only when set, as in AWS's answers.
func (s *Service) GetAccountPasswordPolicy(ctx context.Context, in *iamapi.GetAccountPasswordPolicyInput) (*iamapi.GetAccountPasswordPolicyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var pol *iam.PasswordPolicy
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		pol, err = passwordPolicy(ctx, tx, p.Account())
		return err
	})
	if err != nil {
		return nil, err
	}
	if pol == nil {
		return nil, noSuchPasswordPolicy(p.Account())
	}
	out := &iamapi.PasswordPolicy{
		MinimumPasswordLength: ptr(pol.MinimumPasswordLength), RequireSymbols: ptr(pol.RequireSymbols),
		RequireNumbers: ptr(pol.RequireNumbers), RequireUppercaseCharacters: ptr(pol.RequireUppercaseCharacters),
		RequireLowercaseCharacters: ptr(pol.RequireLowercaseCharacters), AllowUsersToChangePassword: ptr(pol.AllowUsersToChangePassword),
		ExpirePasswords: ptr(pol.MaxPasswordAge > 0),
	}
	if pol.MaxPasswordAge > 0 {
		out.MaxPasswordAge = ptr(pol.MaxPasswordAge)
		out.HardExpiry = ptr(pol.HardExpiry)
	}
	if pol.PasswordReusePrevention > 0 {
		out.PasswordReusePrevention = ptr(pol.PasswordReusePrevention)
	}
	return &iamapi.GetAccountPasswordPolicyOutput{PasswordPolicy: out}, nil
}

// DeleteAccountPasswordPolicy removes the policy; AWS's default rules apply again.
func (s *Service) DeleteAccountPasswordPolicy(ctx context.Context, in *iamapi.DeleteAccountPasswordPolicyInput) (*iamapi.DeleteAccountPasswordPolicyOutput, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		// Delete words the absence unlike Get, as AWS's documentation quotes it.
		return notFound(tx.DeleteRecord(ctx, p.Account(), kindSetting, settingPasswordPolicy),
			awserr.NoSuchEntity("The account policy with name PasswordPolicy cannot be found."))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteAccountPasswordPolicyOutput{}, nil
}
