package authn

import (
	"context"
	"errors"
	"strings"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/sigv4"
)

// Errors of ResolveCredentials: the caller's own credential, not a fault of iamd.
var (
	// ErrNoSuchCredential: the long-term access key id is unknown or inactive.
	ErrNoSuchCredential = errors.New("authn: no active access key with this id")
	// ErrInvalidToken: temporary credentials whose session token is missing, does not open,
	// belongs to another key id or has expired, or whose user or role no longer exists; or a
	// long-term key id given with a session token.
	ErrInvalidToken = errors.New("authn: the session token is missing, invalid or expired")
)

// ResolveCredentials finds the principal and the secret access key behind credentials whose
// signature another party verifies: a gateway in front of iamd that holds no secrets (the
// versitygw private IAM protocol, internal/vgw) asks for the signing key of each request it
// receives. accessKeyID is a long-term key (sessionToken empty) or the key id of temporary
// credentials (with their session token). region is the region the principal's requests are
// made in (aws:RequestedRegion), "" when unknown. Unlike Authenticate, it records no use of the
// key: NoteUse does, once the gateway has verified the request.
//
// Failures: ErrNoSuchCredential, ErrInvalidToken, or the store's error.
func (a *Authenticator) ResolveCredentials(ctx context.Context, accessKeyID, sessionToken, region string) (*Principal, string, error) {
	temporary := sessionToken != "" || strings.HasPrefix(accessKeyID, "ASIA")
	res := &resolved{}
	secret, err := a.secret(context.WithValue(ctx, resolvedKey{}, res), sigv4.Credential{AccessKeyID: accessKeyID, SessionToken: sessionToken})
	if err != nil {
		var se *sigv4.Error
		if !errors.As(err, &se) {
			return nil, "", err
		}
		if temporary {
			return nil, "", ErrInvalidToken
		}
		return nil, "", ErrNoSuchCredential
	}
	if s := res.session; s != nil {
		name, err := a.sessionEntity(ctx, s)
		if err != nil {
			var se *sigv4.Error
			if errors.As(err, &se) {
				return nil, "", ErrInvalidToken
			}
			return nil, "", err
		}
		p := sessionPrincipal(s, region)
		if p.userName != "" {
			p.userName = name
		}
		return p, secret, nil
	}
	e := res.key
	k := &e.key
	if k.UserName == "" {
		return &Principal{kind: Root, account: k.Account, arn: e.rootARN, userID: k.Account,
			accessKeyID: k.AccessKeyID, region: region}, secret, nil
	}
	u := e.user
	return &Principal{kind: User, account: k.Account, arn: u.Arn, userID: u.UserID, entityID: u.UserID, userName: u.UserName,
		accessKeyID: k.AccessKeyID, region: region}, secret, nil
}

// NoteUse records, for GetAccessKeyLastUsed, that p's long-term access key made a request to
// service in region which another party authenticated (see ResolveCredentials). Temporary
// credentials have no key of their own to record.
//
// A key's first use in a minute is written before NoteUse returns, not with the next batch as
// Authenticate's are: a gateway's clients read GetAccessKeyLastUsed right after an S3 call
// (versitygw's conformance tests do). That is at most one store write per key and minute.
func (a *Authenticator) NoteUse(ctx context.Context, p *Principal, service, region string) {
	if p == nil || p.session != nil || p.accessKeyID == "" || service == "" || region == "" {
		return
	}
	now := a.cfg.Now().UTC()
	a.usage.Note(p.accessKeyID, now, iam.AccessKeyLastUsed{LastUsedDate: now, ServiceName: service, Region: region})
	if a.usage.Pending() == 0 {
		return
	}
	if err := a.usage.Flush(ctx, now); err != nil {
		a.cfg.Logger.Warn("recording access key use failed", "err", err)
	}
}

// RoleARN is the ARN of the role behind an assumed-role session ("" for any other principal):
// a resource policy that names the role applies to all its sessions.
func (p *Principal) RoleARN() string {
	if p.kind != AssumedRole || p.session == nil {
		return ""
	}
	s := p.session
	return iam.RoleARN(s.Account, s.EntityPath, s.EntityName)
}
