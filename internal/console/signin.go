package console

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// maxForm bounds a console form's body.
const maxForm = 64 << 10

// Messages of the sign-in page. msgFailed is AWS's, and the only answer to a wrong account,
// user name or password, or a user without a console password.
const (
	msgFailed   = "Your authentication information is incorrect. Please try again."
	msgExpired  = "Your password has expired and can only be reset by your administrator."
	msgThrottle = "Too many failed sign-in attempts. Wait %d seconds and try again."
	msgForm     = "The sign-in form expired. Please try again."
	msgMFA      = "The MFA code is not valid. Please try again."
)

// signInPage is the data of the sign-in form.
type signInPage struct {
	Account  string
	IAMUser  bool // the IAM user form rather than the root user's
	UserName string
	Message  string
	// Issuer is the sign-in page of the broker this browser last came through (federation).
	Issuer string
}

// home is /console: the dashboard when signed in, the next step of a sign-in under way, else
// the sign-in form (AWS's sign-in URL shape, /console?account=ALIAS, fills in the account).
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	sess, ok := c.current(r)
	switch {
	case ok && sess.stage == stageSignedIn:
		c.dashboard(w, r, sess)
	case ok && sess.stage == stageMFA:
		http.Redirect(w, r, Prefix+"/signin/mfa", http.StatusSeeOther)
	case ok && sess.stage == stageNewPassword:
		http.Redirect(w, r, Prefix+"/signin/password", http.StatusSeeOther)
	default:
		acct := r.URL.Query().Get("account")
		c.signInForm(w, r, http.StatusOK, signInPage{Account: acct, IAMUser: acct != "" || r.URL.Query().Get("root") == ""})
	}
}

func (c *Console) signInForm(w http.ResponseWriter, r *http.Request, status int, p signInPage) {
	if len(p.Account) > 64 {
		p.Account = ""
	}
	if ck, err := r.Cookie(issuerCookie); err == nil {
		if v, err := url.QueryUnescape(ck.Value); err == nil {
			p.Issuer = issuerURL(v)
		}
	}
	c.render(w, r, status, "signin.html", &pageData{Title: "Sign in", CSRF: c.signInCSRF(w, r), Page: p})
}

// clientKey is the rate limiter's key for the request's client: its address without the port.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// throttled takes a token from both limiters; when either is empty it answers the request and
// returns false.
func (c *Console) throttled(w http.ResponseWriter, r *http.Request, userKey string, retry func(msg string)) (release func(), ok bool) {
	now := c.now()
	ipOK, ipWait := c.perIP.take(clientKey(r), now)
	userOK, userWait := c.perUser.take(userKey, now)
	if ipOK && userOK {
		return func() { c.perIP.give(clientKey(r)); c.perUser.give(userKey) }, true
	}
	if ipOK {
		c.perIP.give(clientKey(r))
	}
	if userOK {
		c.perUser.give(userKey)
	}
	wait := max(ipWait, userWait)
	w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
	retry(fmt.Sprintf(msgThrottle, int(wait.Seconds())+1))
	return nil, false
}

// signIn checks the password form (POST /console/signin).
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad form.", http.StatusBadRequest)
		return
	}
	p := signInPage{Account: strings.TrimSpace(r.PostFormValue("account")), IAMUser: r.PostFormValue("kind") != "root"}
	if p.IAMUser {
		p.UserName = strings.TrimSpace(r.PostFormValue("username"))
	}
	if !c.checkSignInCSRF(r) {
		p.Message = msgForm
		c.signInForm(w, r, http.StatusForbidden, p)
		return
	}
	password := r.PostFormValue("password")
	if p.Account == "" || p.IAMUser && p.UserName == "" || password == "" {
		p.Message = msgFailed
		c.signInForm(w, r, http.StatusUnauthorized, p)
		return
	}
	release, ok := c.throttled(w, r, strings.ToLower(p.Account)+"\x00"+strings.ToLower(p.UserName), func(msg string) {
		p.Message = msg
		c.signInForm(w, r, http.StatusTooManyRequests, p)
	})
	if !ok {
		return
	}
	id, err := c.cfg.Authority.SignIn(r.Context(), p.Account, p.UserName, password)
	switch {
	case errors.Is(err, ErrSignInFailed):
		c.cfg.Logger.Info("console sign-in failed", "remote", clientKey(r))
		p.Message = msgFailed
		c.signInForm(w, r, http.StatusUnauthorized, p)
		return
	case errors.Is(err, ErrPasswordExpired):
		release()
		p.Message = msgExpired
		c.signInForm(w, r, http.StatusUnauthorized, p)
		return
	case err != nil:
		release()
		c.fault(w, r, "sign-in", err)
		return
	}
	release()
	// A session this browser held before (a sign-in under way, another principal's) ends.
	if old, ok := c.current(r); ok {
		c.sessions.end(old.key)
	}
	sess := &session{id: id}
	switch {
	case id.MFASerial != "":
		sess.stage = stageMFA
	case id.MustChange != "":
		sess.stage = stageNewPassword
	default:
		c.complete(w, r, sess)
		return
	}
	sess.expires = c.now().Add(pendingTTL)
	c.setCookie(w, r, c.sessions.start(sess, c.now()), sess.expires)
	next := Prefix + "/signin/mfa"
	if sess.stage == stageNewPassword {
		next = Prefix + "/signin/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// complete ends a sign-in: the principal's credentials are issued and the session starts
// under a new cookie (a cookie known before sign-in is worth nothing after it).
func (c *Console) complete(w http.ResponseWriter, r *http.Request, pending *session) {
	if pending.key != ([32]byte{}) {
		c.sessions.end(pending.key)
	}
	d := c.cfg.SessionDuration
	creds, err := c.cfg.Authority.Issue(r.Context(), pending.id, pending.mfaAt, d)
	if err != nil {
		c.fault(w, r, "issuing console credentials", err)
		return
	}
	sess := &session{id: pending.id, stage: stageSignedIn, mfaAt: pending.mfaAt, creds: creds,
		expires: c.now().Add(d)}
	if !creds.Expires.IsZero() && creds.Expires.Before(sess.expires) {
		sess.expires = creds.Expires
	}
	c.setCookie(w, r, c.sessions.start(sess, c.now()), sess.expires)
	c.cfg.Logger.Info("console sign-in", "principal", pending.id.ARN(), "mfa", !pending.mfaAt.IsZero(), "remote", clientKey(r))
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

// pending wraps the handlers of a sign-in's later steps: they need a session at that stage.
func (c *Console) pending(stage int, h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := c.current(r)
		if !ok || sess.stage != stage {
			http.Redirect(w, r, Prefix, http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil || !tokenEqual(r.PostFormValue("csrf"), sess.csrf) {
				c.csrfRefused(w, r)
				return
			}
		}
		h(w, r, sess)
	}
}

type mfaPage struct {
	Principal, Serial, Message string
}

func (c *Console) mfaForm(w http.ResponseWriter, r *http.Request, sess session) {
	c.render(w, r, http.StatusOK, "mfa.html", &pageData{Title: "Multi-factor authentication", CSRF: sess.csrf,
		Page: mfaPage{Principal: sess.id.ARN(), Serial: sess.id.MFASerial}})
}

// mfaSubmit checks the MFA code; wrong codes count against the limiters and, past
// maxMFATries, send the browser back to the password.
func (c *Console) mfaSubmit(w http.ResponseWriter, r *http.Request, sess session) {
	code := strings.TrimSpace(r.PostFormValue("code"))
	again := func(status int, msg string) {
		c.render(w, r, status, "mfa.html", &pageData{Title: "Multi-factor authentication", CSRF: sess.csrf,
			Page: mfaPage{Principal: sess.id.ARN(), Serial: sess.id.MFASerial, Message: msg}})
	}
	release, ok := c.throttled(w, r, strings.ToLower(sess.id.Account)+"\x00"+strings.ToLower(sess.id.UserName), func(msg string) {
		again(http.StatusTooManyRequests, msg)
	})
	if !ok {
		return
	}
	at, err := c.cfg.Authority.CheckMFA(r.Context(), sess.id, code)
	if errors.Is(err, ErrMFAFailed) {
		tries := 0
		c.sessions.update(sess.key, func(s *session) { s.mfaTries++; tries = s.mfaTries })
		if tries >= maxMFATries {
			c.sessions.end(sess.key)
			c.clearCookie(w, r)
			c.signInForm(w, r, http.StatusUnauthorized, signInPage{Account: sess.id.Account, IAMUser: !sess.id.Root, UserName: sess.id.UserName, Message: msgFailed})
			return
		}
		again(http.StatusUnauthorized, msgMFA)
		return
	}
	release()
	if err != nil {
		c.fault(w, r, "checking an MFA code", err)
		return
	}
	sess.mfaAt = at
	if sess.id.MustChange != "" {
		c.sessions.update(sess.key, func(s *session) { s.mfaAt, s.stage = at, stageNewPassword })
		http.Redirect(w, r, Prefix+"/signin/password", http.StatusSeeOther)
		return
	}
	c.complete(w, r, &sess)
}

type passwordPage struct {
	Principal, Reason, Message string
}

func (c *Console) passwordForm(w http.ResponseWriter, r *http.Request, sess session) {
	c.render(w, r, http.StatusOK, "password.html", &pageData{Title: "Choose a new password", CSRF: sess.csrf,
		Page: passwordPage{Principal: sess.id.ARN(), Reason: sess.id.MustChange}})
}

// passwordSubmit sets the new password a sign-in must choose, checked by the account's
// password policy.
func (c *Console) passwordSubmit(w http.ResponseWriter, r *http.Request, sess session) {
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	again := func(msg string) {
		c.render(w, r, http.StatusBadRequest, "password.html", &pageData{Title: "Choose a new password", CSRF: sess.csrf,
			Page: passwordPage{Principal: sess.id.ARN(), Reason: sess.id.MustChange, Message: msg}})
	}
	if pw != confirm {
		again("The passwords do not match.")
		return
	}
	err := c.cfg.Authority.SetPassword(r.Context(), sess.id, pw)
	var violation PolicyViolation
	if errors.As(err, &violation) {
		again(string(violation))
		return
	}
	if err != nil {
		c.fault(w, r, "setting a new password", err)
		return
	}
	c.complete(w, r, &sess)
}

// signOut ends the session (POST /console/signout) and shows the sign-in form of its account.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	sess, ok := c.current(r)
	if !ok {
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil || !tokenEqual(r.PostFormValue("csrf"), sess.csrf) {
		c.csrfRefused(w, r)
		return
	}
	c.sessions.end(sess.key)
	c.clearCookie(w, r)
	if sess.issuer != "" {
		// A federated sign-in goes back to its broker's sign-in page: by this page, for the
		// CSP's form-action 'self' forbids a form's redirect to another site.
		w.Header().Set("Refresh", "0; url="+sess.issuer)
		c.render(w, r, http.StatusOK, "redirect.html", &pageData{Title: "Signed out", Page: redirectPage{To: sess.issuer, Out: true}})
		return
	}
	http.Redirect(w, r, Prefix+"?account="+url.QueryEscape(sess.id.Account), http.StatusSeeOther)
}

// signedIn wraps the pages of a signed-in session; their state changes need the session's
// CSRF token.
func (c *Console) signedIn(h func(http.ResponseWriter, *http.Request, session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := c.current(r)
		if !ok || sess.stage != stageSignedIn {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, Prefix, http.StatusSeeOther)
				return
			}
			c.csrfRefused(w, r)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil || !tokenEqual(r.PostFormValue("csrf"), sess.csrf) {
				c.csrfRefused(w, r)
				return
			}
		}
		// A new user's secret is shown on its page only, an MFA device's seed on its: any
		// other page forgets them.
		if sess.created != nil && !strings.HasPrefix(r.URL.Path, Prefix+"/users/~created") {
			c.sessions.update(sess.key, func(s *session) { s.created = nil })
			sess.created = nil
		}
		if sess.mfa != nil && !strings.HasSuffix(r.URL.Path, "/mfa") && !strings.HasSuffix(r.URL.Path, "/mfa/enable") {
			c.sessions.update(sess.key, func(s *session) { s.mfa = nil })
			sess.mfa = nil
		}
		h(w, r, sess)
	}
}

// csrfRefused answers a state change without its session's token.
func (c *Console) csrfRefused(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusForbidden, "message.html", &pageData{Title: "Request refused",
		Page: messagePage{Text: "The request was refused: its form token is missing or does not belong to this session. Reload the page and try again."}})
}

// fault answers an internal error without its details (they go to the log).
func (c *Console) fault(w http.ResponseWriter, r *http.Request, what string, err error) {
	c.cfg.Logger.Error("console: "+what, "err", err)
	c.render(w, r, http.StatusInternalServerError, "message.html", &pageData{Title: "Error",
		Page: messagePage{Text: "Something went wrong. Please try again."}})
}

type messagePage struct{ Text string }
