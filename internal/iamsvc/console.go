package iamsvc

import (
	"context"
	"errors"
	"sync"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
)

// Console sign-in: the checks AWS's sign-in page makes before it hands out a console session
// (package console). They are not API operations: nobody is signed in yet, so there is no
// caller to authorize. Passwords are the login profiles' (and, for the root user, a record of
// the same shape), argon2id-hashed.

// kindRootPassword is the root user's console password, a loginProfile stored under the name
// "root" (one per account).
const kindRootPassword = "root-password"

// ErrSignInFailed is the one answer to a wrong account, user, password or missing login
// profile, so the sign-in form never tells which of them exists.
var ErrSignInFailed = errors.New("your authentication information is incorrect")

// ErrPasswordExpired is returned, once the password is proven right, for a password past the
// policy's MaxPasswordAge under HardExpiry: only an administrator can set a new one.
var ErrPasswordExpired = errors.New("your password has expired; contact your administrator")

// Reasons a signed-in user must choose a new password before the console opens.
const (
	MustChangeReset   = "reset"   // PasswordResetRequired
	MustChangeExpired = "expired" // older than the policy's MaxPasswordAge
)

// SignIn is a password that proved right: whose it is, and what remains to do (the MFA code,
// a new password).
type SignIn struct {
	Account string
	Root    bool
	// The IAM user (empty for the root user).
	UserName, UserID, UserPath string
	// MFASerial is the user's enabled virtual MFA device, "" when there is none.
	MFASerial string
	// MustChange is MustChangeReset, MustChangeExpired or "".
	MustChange string
}

// maxRootPasswordLen is AWS's limit for the root user's password.
const maxRootPasswordLen = 128

// CheckRootPassword returns why pw cannot be a root password ("" when it can): AWS's rules for
// the root user, 8 to 128 characters of at least three of the four classes.
func CheckRootPassword(pw string) string {
	if len(pw) > maxRootPasswordLen {
		return "Password should have a maximum length of 128"
	}
	return iam.CheckPassword(nil, pw)
}

// SetRootPassword gives the account's root user a console password (replacing any).
func (s *Service) SetRootPassword(ctx context.Context, account, pw string) error {
	if msg := CheckRootPassword(pw); msg != "" {
		return passwordViolation(msg)
	}
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.Account(ctx, account); err != nil {
			return err
		}
		var lp loginProfile
		err := readRecord(ctx, tx, account, kindRootPassword, "root", &lp, store.ErrNotFound)
		create := errors.Is(err, store.ErrNotFound)
		if err != nil && !create {
			return err
		}
		if create {
			lp.CreateDate = s.now()
		}
		if err := setPassword(&lp, nil, pw, s.now()); err != nil {
			return err
		}
		return writeRecord(ctx, tx, create, account, kindRootPassword, "root", "", lp)
	})
}

// dummyHash is verified against when there is no password to check, so a missing account or
// user costs the same time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := iam.HashPassword("iamd console sign-in: no such principal")
	return h
})

// ConsoleSignIn checks a console password: the root user's when userName is "", else the IAM
// user's login profile. account is an account id or alias. Every failure before the password is
// proven is ErrSignInFailed (or a store error).
func (s *Service) ConsoleSignIn(ctx context.Context, account, userName, password string) (SignIn, error) {
	var in SignIn
	var lp loginProfile
	var policy *iam.PasswordPolicy
	found := false
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		acct, err := resolveAccount(ctx, tx, account)
		if err != nil || acct == "" {
			return err
		}
		in.Account, in.Root = acct, userName == ""
		if in.Root {
			err := readRecord(ctx, tx, acct, kindRootPassword, "root", &lp, store.ErrNotFound)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			found = err == nil
			return err
		}
		u, err := tx.User(ctx, acct, userName)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		in.UserName, in.UserID, in.UserPath = u.UserName, u.UserID, u.Path
		err = readRecord(ctx, tx, acct, kindLoginProfile, u.UserID, &lp, store.ErrNotFound)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		if policy, err = passwordPolicy(ctx, tx, acct); err != nil {
			return err
		}
		devices, err := tx.RecordsByOwner(ctx, acct, kindMFA, u.UserID)
		if err != nil {
			return err
		}
		ds, err := decodeRecords[mfaDevice](devices)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Serial != "" && (in.MFASerial == "" || d.Serial < in.MFASerial) {
				in.MFASerial = d.Serial // the same device every time, whatever the store's order
			}
		}
		return nil
	})
	if err != nil {
		return SignIn{}, err
	}
	if !found {
		iam.VerifyPassword(dummyHash(), password)
		return SignIn{}, ErrSignInFailed
	}
	if ok, err := iam.VerifyPassword(lp.Hash, password); err != nil || !ok {
		return SignIn{}, ErrSignInFailed
	}
	if in.Root {
		return in, nil
	}
	changed := lp.PasswordChanged
	if changed.IsZero() {
		changed = lp.CreateDate
	}
	switch {
	case policy != nil && policy.MaxPasswordAge > 0 && !s.now().Before(changed.AddDate(0, 0, int(policy.MaxPasswordAge))):
		if policy.HardExpiry {
			return SignIn{}, ErrPasswordExpired
		}
		in.MustChange = MustChangeExpired
	case lp.PasswordResetRequired:
		in.MustChange = MustChangeReset
	}
	return in, nil
}

// resolveAccount finds the account an id or alias names; "" when none does.
func resolveAccount(ctx context.Context, tx store.Tx, account string) (string, error) {
	if account == "" {
		return "", nil
	}
	if iam.IsAccountID(account) {
		_, err := tx.Account(ctx, account)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		return account, err
	}
	// An installation hosts a handful of accounts: asking each for the alias is cheap.
	accounts, err := tx.Accounts(ctx)
	if err != nil {
		return "", err
	}
	for _, a := range accounts {
		_, err := tx.Record(ctx, a.ID, kindAlias, account)
		if err == nil {
			return a.ID, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

// ConsoleSetPassword sets the new password a sign-in had to choose (in proved the old one):
// checked against the account's password policy and its reuse history, as ChangePassword
// checks it; the reset flag is cleared. Violations are PasswordPolicyViolation errors.
func (s *Service) ConsoleSetPassword(ctx context.Context, in SignIn, pw string) error {
	if in.Root {
		return s.SetRootPassword(ctx, in.Account, pw)
	}
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := tx.UserByID(ctx, in.Account, in.UserID)
		if err != nil {
			return err
		}
		var lp loginProfile
		if err := readRecord(ctx, tx, in.Account, kindLoginProfile, u.UserID, &lp, noSuchLoginProfile(u.UserName)); err != nil {
			return err
		}
		policy, err := passwordPolicy(ctx, tx, in.Account)
		if err != nil {
			return err
		}
		if err := setPassword(&lp, policy, pw, s.now()); err != nil {
			return err
		}
		lp.PasswordResetRequired = false
		return writeRecord(ctx, tx, false, in.Account, kindLoginProfile, u.UserID, u.UserID, lp)
	})
}

// ConsoleSignedIn records a completed sign-in: the user's PasswordLastUsed (GetUser, the
// credential report). Last use is reported, not relied on.
func (s *Service) ConsoleSignedIn(ctx context.Context, in SignIn) error {
	if in.Root {
		return nil
	}
	return s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := tx.UserByID(ctx, in.Account, in.UserID)
		if err != nil {
			return err
		}
		u.PasswordLastUsed = s.now()
		return tx.UpdateUser(ctx, u)
	})
}

// PasswordViolation returns the message of a PasswordPolicyViolation error, or false.
func PasswordViolation(err error) (string, bool) {
	e, ok := awserr.As(err)
	if !ok || e.Code != "PasswordPolicyViolation" {
		return "", false
	}
	return e.Message, true
}

// ResolveAccount returns the account an id or alias names, "" when none does: what AWS's
// sign-in page and its switch-role form accept.
func (s *Service) ResolveAccount(ctx context.Context, idOrAlias string) (string, error) {
	var acct string
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		var err error
		acct, err = resolveAccount(ctx, tx, idOrAlias)
		return err
	})
	return acct, err
}

// RoleMaxSessionDuration returns a role's MaxSessionDuration in seconds, 0 when there is no
// such role. The console's switch role asks for sessions that long, as AWS's does; whether the
// caller may assume the role is AssumeRole's to decide.
func (s *Service) RoleMaxSessionDuration(ctx context.Context, account, name string) (int32, error) {
	var d int32
	err := s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		r, err := tx.Role(ctx, account, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		d = r.MaxSessionDuration
		return err
	})
	return d, err
}
