package sts

import (
	"time"

	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/session"
)

// MaxConsoleSession is the longest console session, as AWS's console signs users out after
// 12 hours.
const MaxConsoleSession = 12 * time.Hour

// ConsoleSession issues the temporary credentials of a console sign-in that package iamsvc
// has checked (password, MFA): the root user's (user nil) or an IAM user's, with the MFA facts
// when a code was given. They carry the principal's permissions, as GetSessionToken's do, and
// are marked as the console's, which lifts GetSessionToken's limits on calling IAM (AWS's
// console sessions have none). d is capped at MaxConsoleSession.
func (s *Service) ConsoleSession(account string, user *iam.User, mfaAt time.Time, d time.Duration) (*stsapi.Credentials, error) {
	sess := &session.Session{Account: account, Origin: session.RootSession, Console: true}
	if user != nil {
		sess.Origin = session.UserSession
		sess.EntityID, sess.EntityName, sess.EntityPath = user.UserID, user.UserName, user.Path
	}
	if !mfaAt.IsZero() {
		sess.MFA, sess.MFAAuthTime = true, mfaAt.UTC()
	}
	if d <= 0 || d > MaxConsoleSession {
		d = MaxConsoleSession
	}
	return s.issue(sess, d)
}

// MaxFederatedConsoleSession is the longest console session the federation endpoint's
// SessionDuration asks for (AWS's getSigninToken: 900 seconds to 12 hours).
const MaxFederatedConsoleSession = 12 * time.Hour

// FederatedConsoleSession issues the credentials of a console session that a custom identity
// broker asked for with a role session's credentials and a SessionDuration (the federation
// endpoint, package console): the same session (role, session name, policies, tags, source
// identity, MFA) under new keys, lasting d, which may outlast the credentials given, as AWS's
// getSigninToken makes "a console session that is longer than one hour". src must be a role
// session whose credentials the caller proved; d is capped at MaxFederatedConsoleSession.
func (s *Service) FederatedConsoleSession(src *session.Session, d time.Duration) (*stsapi.Credentials, error) {
	sess := *src
	if d <= 0 || d > MaxFederatedConsoleSession {
		d = MaxFederatedConsoleSession
	}
	return s.issue(&sess, d)
}
