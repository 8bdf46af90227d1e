package node

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/console"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamsvc"
	"github.com/iamd/iamd/internal/session"
	"github.com/iamd/iamd/internal/sts"
)

// consoleAuthority is the console's Authority over the node's services: iamsvc checks
// passwords and MFA codes, sts issues the session's credentials.
type consoleAuthority struct {
	iam   *iamsvc.Service
	sts   *sts.Service
	authn *authn.Authenticator
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

// Federate checks credentials a custom identity broker brings to the federation endpoint, as
// AWS's getSigninToken takes them: temporary credentials of a role session (AssumeRole,
// AssumeRoleWithSAML, AssumeRoleWithWebIdentity) or of a federated user (GetFederationToken),
// proven by their secret. A SessionDuration is for role sessions only ("Do not use the
// SessionDuration HTTP parameter if you got the temporary credentials with
// GetFederationToken"), and at most one hour for role-chained credentials. With issue, a
// SessionDuration reissues the session to last that long; without one, the console session is
// the credentials as given.
func (a consoleAuthority) Federate(ctx context.Context, c console.Credentials, d time.Duration, issue bool) (console.Identity, console.Credentials, error) {
	refuse := func(msg string) (console.Identity, console.Credentials, error) {
		return console.Identity{}, console.Credentials{}, console.FederationRefused(msg)
	}
	if c.SessionToken == "" {
		return refuse("The credentials must be temporary: an access key id, its secret and a session token.")
	}
	p, secret, err := a.authn.ResolveCredentials(ctx, c.AccessKeyID, c.SessionToken, "")
	if errors.Is(err, authn.ErrInvalidToken) || errors.Is(err, authn.ErrNoSuchCredential) ||
		err == nil && subtle.ConstantTimeCompare([]byte(secret), []byte(c.SecretAccessKey)) != 1 {
		return refuse("The security token included in the request is invalid.")
	}
	if err != nil {
		return console.Identity{}, console.Credentials{}, err
	}
	s := p.Session()
	if s == nil || s.Console {
		return refuse("The security token included in the request is invalid.")
	}
	switch s.Origin {
	case session.AssumedRole:
		if d > time.Hour && s.ChainDepth > 0 {
			return refuse("SessionDuration cannot exceed one hour for credentials of role chaining.")
		}
	case session.FederatedUser:
		if d > 0 {
			return refuse("SessionDuration cannot be used with credentials from GetFederationToken.")
		}
	default:
		return refuse("The credentials must be those of a role session (AssumeRole) or of a federated user (GetFederationToken).")
	}
	id := console.Identity{Account: s.Account, Federated: true, PrincipalARN: p.ARN()}
	out := console.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: s.Expires}
	if !issue || d == 0 {
		return id, out, nil
	}
	cr, err := a.sts.FederatedConsoleSession(s, d)
	if err != nil {
		return console.Identity{}, console.Credentials{}, err
	}
	return id, console.Credentials{AccessKeyID: cr.AccessKeyId, SecretAccessKey: cr.SecretAccessKey, SessionToken: cr.SessionToken, Expires: cr.Expiration}, nil
}
