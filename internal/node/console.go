package node

import (
	"context"
	"errors"
	"time"

	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/console"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamsvc"
	"github.com/iamd/iamd/internal/sts"
)

// consoleAuthority is the console's Authority over the node's services: iamsvc checks
// passwords and MFA codes, sts issues the session's credentials.
type consoleAuthority struct {
	iam *iamsvc.Service
	sts *sts.Service
}

func signInOf(id console.Identity) iamsvc.SignIn {
	return iamsvc.SignIn{Account: id.Account, Root: id.Root, UserName: id.UserName, UserID: id.UserID,
		UserPath: id.UserPath, MFASerial: id.MFASerial, MustChange: id.MustChange}
}

func (a consoleAuthority) SignIn(ctx context.Context, account, user, password string) (console.Identity, error) {
	in, err := a.iam.ConsoleSignIn(ctx, account, user, password)
	switch {
	case errors.Is(err, iamsvc.ErrSignInFailed):
		return console.Identity{}, console.ErrSignInFailed
	case errors.Is(err, iamsvc.ErrPasswordExpired):
		return console.Identity{}, console.ErrPasswordExpired
	case err != nil:
		return console.Identity{}, err
	}
	return console.Identity{Account: in.Account, Root: in.Root, UserName: in.UserName, UserID: in.UserID,
		UserPath: in.UserPath, MFASerial: in.MFASerial, MustChange: in.MustChange}, nil
}

func (a consoleAuthority) CheckMFA(ctx context.Context, id console.Identity, code string) (time.Time, error) {
	if id.MFASerial == "" {
		return time.Time{}, console.ErrMFAFailed
	}
	at, err := a.iam.CheckMFA(ctx, id.Account, id.UserName, id.MFASerial, code)
	if e, ok := awserr.As(err); ok && e.Code == "AccessDenied" {
		return time.Time{}, console.ErrMFAFailed
	}
	return at, err
}

func (a consoleAuthority) SetPassword(ctx context.Context, id console.Identity, password string) error {
	err := a.iam.ConsoleSetPassword(ctx, signInOf(id), password)
	if msg, ok := iamsvc.PasswordViolation(err); ok {
		return console.PolicyViolation(msg)
	}
	return err
}

func (a consoleAuthority) Issue(ctx context.Context, id console.Identity, mfaAt time.Time, d time.Duration) (console.Credentials, error) {
	var user *iam.User
	if !id.Root {
		user = &iam.User{Account: id.Account, UserID: id.UserID, UserName: id.UserName, Path: id.UserPath}
	}
	c, err := a.sts.ConsoleSession(id.Account, user, mfaAt, d)
	if err != nil {
		return console.Credentials{}, err
	}
	// Last use is reported, never relied on: a failed write does not fail the sign-in.
	_ = a.iam.ConsoleSignedIn(ctx, signInOf(id))
	return console.Credentials{AccessKeyID: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Expires: c.Expiration}, nil
}

func (a consoleAuthority) ResolveAccount(ctx context.Context, idOrAlias string) (string, error) {
	return a.iam.ResolveAccount(ctx, idOrAlias)
}

func (a consoleAuthority) RoleMaxSession(ctx context.Context, account, roleName string) (time.Duration, error) {
	s, err := a.iam.RoleMaxSessionDuration(ctx, account, roleName)
	return time.Duration(s) * time.Second, err
}
