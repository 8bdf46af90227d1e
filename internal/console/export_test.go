package console

import (
	"context"
	"net/http"
	"time"
)

type noAuthority struct{}

func (noAuthority) SignIn(context.Context, string, string, string) (Identity, error) {
	return Identity{}, ErrSignInFailed
}
func (noAuthority) CheckMFA(context.Context, Identity, string) (time.Time, error) {
	return time.Time{}, ErrMFAFailed
}
func (noAuthority) SetPassword(context.Context, Identity, string) error { return nil }
func (noAuthority) Issue(context.Context, Identity, time.Time, time.Duration) (Credentials, error) {
	return Credentials{}, ErrSignInFailed
}

func (noAuthority) ResolveAccount(context.Context, string) (string, error) { return "", nil }
func (noAuthority) RoleMaxSession(context.Context, string, string) (time.Duration, error) {
	return 0, nil
}

func (noAuthority) Federate(context.Context, Credentials, time.Duration, bool) (Identity, Credentials, error) {
	return Identity{}, Credentials{}, FederationRefused("no")
}

// PostPatterns lists the console's state-changing routes.
func PostPatterns() []string {
	c, err := New(Config{Authority: noAuthority{}, API: http.NotFoundHandler(),
		Seal: func(b []byte) []byte { return b }, Open: func(b []byte) ([]byte, error) { return b, nil }})
	if err != nil {
		panic(err)
	}
	return c.posts
}
