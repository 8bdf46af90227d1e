package console

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// cookieName is the console session's cookie. Its value is 32 random bytes; the server keeps
// the session under the value's SHA-256, so the table holds nothing a cookie can be made from.
const cookieName = "iamd-console"

// Stages of a sign-in.
const (
	stageMFA         = iota + 1 // the password was right; the MFA code is due
	stageNewPassword            // a new password is due
	stageSignedIn
)

// pendingTTL is how long a sign-in may wait between its steps.
const pendingTTL = 5 * time.Minute

// maxMFATries is how many wrong codes a pending sign-in may give before it starts over.
const maxMFATries = 5

// maxSessions bounds the table; a sign-in beyond it drops the sessions nearest their end.
const maxSessions = 100_000

// session is one browser's sign-in, pending or complete.
type session struct {
	key     [32]byte // SHA-256 of the cookie value
	csrf    string   // the token every state-changing form carries
	stage   int
	id      Identity
	expires time.Time
	// mfaAt is when the MFA code was accepted (zero without one); mfaTries counts wrong codes.
	mfaAt    time.Time
	mfaTries int
	// creds are the principal's temporary credentials, once signed in.
	creds Credentials
	// created is a new user's credentials, shown once (the page after CreateUser, its CSV).
	created *createdCreds
	// mfa is a virtual MFA device being assigned: its QR code and seed, shown until it is
	// enabled or another page is opened.
	mfa *mfaSetup
	// role is the role switched to, nil when acting as the signed-in principal; recent are the
	// roles switched to, newest first (AWS's console keeps five).
	role   *roleSession
	recent []roleRef
	// notice is shown once, on the next page (a role session that ended).
	notice string
	// issuer is a federated sign-in's Issuer: sign-out leads there.
	issuer string
}

// account is the account the console acts in: the switched-to role's, else the principal's.
func (s *session) account() string {
	if s.role != nil {
		return s.role.Account
	}
	return s.id.Account
}

// actingCreds are the credentials the console's calls are signed with.
func (s *session) actingCreds() Credentials {
	if s.role != nil {
		return s.role.creds
	}
	return s.creds
}

// roleSession is a role switched to (switchrole.go).
type roleSession struct {
	roleRef
	ARN     string // the assumed-role session's ARN
	creds   Credentials
	expires time.Time
}

// roleRef is a role as the switch-role form names it, and as the history of recent roles keeps
// it.
type roleRef struct {
	Account, RoleName, DisplayName, Color string
}

type createdCreds struct {
	UserName, Password, AccessKeyID, SecretAccessKey, SignInURL string
	// KeyOnly is a new access key of an existing user rather than a new user.
	KeyOnly bool
}

// sessions is the server-side table. Sessions live in the node's memory: a restart signs
// everyone out, and several nodes behind one name need sticky routing for the console.
type sessions struct {
	mu sync.Mutex
	m  map[[32]byte]*session
}

func newSessions() *sessions { return &sessions{m: make(map[[32]byte]*session)} }

// start stores a new session and returns the cookie value naming it.
func (s *sessions) start(sess *session, now time.Time) string {
	value := randomToken(32)
	sess.key = sha256.Sum256([]byte(value))
	sess.csrf = randomToken(32)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxSessions {
		s.sweep(now)
	}
	s.m[sess.key] = sess
	return value
}

// sweep drops expired sessions, and when that frees too little, those nearest their end.
// Called with mu held.
func (s *sessions) sweep(now time.Time) {
	for k, v := range s.m {
		if !now.Before(v.expires) {
			delete(s.m, k)
		}
	}
	for len(s.m) >= maxSessions*9/10 {
		var oldest *session
		n := 0
		for _, v := range s.m { // a sample is enough to find a session near its end
			if oldest == nil || v.expires.Before(oldest.expires) {
				oldest = v
			}
			if n++; n == 64 {
				break
			}
		}
		delete(s.m, oldest.key)
	}
}

// get returns a copy of the session a cookie value names, if it is current. Changes go
// through update, under the table's lock, so concurrent requests of one browser do not race.
func (s *sessions) get(value string, now time.Time) (session, bool) {
	if value == "" {
		return session{}, false
	}
	key := sha256.Sum256([]byte(value))
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[key]
	if sess == nil {
		return session{}, false
	}
	if !now.Before(sess.expires) {
		delete(s.m, key)
		return session{}, false
	}
	if sess.role != nil && !now.Before(sess.role.expires) {
		// A role session ends by itself: the console is the principal's again.
		sess.notice = "Your session as " + sess.role.DisplayName + " ended; you are back as yourself."
		sess.role = nil
	}
	return *sess, true
}

// update runs f on the stored session key names; false when it is gone.
func (s *sessions) update(key [32]byte, f func(*session)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[key]
	if sess == nil {
		return false
	}
	f(sess)
	return true
}

// end deletes a session.
func (s *sessions) end(key [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
}

// current returns (a copy of) the request's session, if any.
func (c *Console) current(r *http.Request) (session, bool) {
	ck, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, false
	}
	return c.sessions.get(ck.Value, c.now())
}

// setCookie sends the session cookie: HttpOnly, SameSite=Strict, Secure under TLS, scoped to
// the console's path, lasting no longer than the session.
func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: value, Path: Prefix, HttpOnly: true,
		Secure: c.secure(r), SameSite: http.SameSiteStrictMode, Expires: expires,
		MaxAge: int(expires.Sub(c.now()).Seconds())})
}

// clearCookie removes the session cookie from the browser.
func (c *Console) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: Prefix, HttpOnly: true,
		Secure: c.secure(r), SameSite: http.SameSiteStrictMode, MaxAge: -1})
}
