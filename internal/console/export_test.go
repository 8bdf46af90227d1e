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

// PostPatterns lists the console's state-changing routes.
func PostPatterns() []string {
	c, err := New(Config{Authority: noAuthority{}, API: http.NotFoundHandler()})
	if err != nil {
		panic(err)
	}
	return c.posts
}
