package console

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The federation endpoint, as AWS documents it for custom identity brokers ("Enable custom
// identity broker access to the AWS console"): a broker that has authenticated a person gets
// temporary credentials for them (AssumeRole, or GetFederationToken), exchanges them here for a
// sign-in token (Action=getSigninToken), and sends the person to a login URL with that token
// (Action=login, with Destination and Issuer). iamd serves it at /federation (AWS's path: a
// broker swaps https://signin.aws.amazon.com for iamd's URL) and at /console/federation, by GET
// and by POST (parameters in a form body), as AWS does.

// FederationPath is AWS's federation endpoint's path.
const FederationPath = "/federation"

// Bounds of getSigninToken's SessionDuration, and the life of a sign-in token.
const (
	minSessionDuration = 900 * time.Second
	maxSessionDuration = 12 * time.Hour
	signinTokenTTL     = 15 * time.Minute
)

// signinTokenAD binds sealed sign-in tokens to their use.
const signinTokenAD = "iamd console sign-in token\x00"

// signinToken is what a sign-in token seals: the credentials, the SessionDuration asked for
// (seconds, 0 for none), and when the token was made.
type signinToken struct {
	ID       string `json:"i"`
	Key      string `json:"k"`
	Token    string `json:"t"`
	Duration int64  `json:"d,omitempty"`
	Issued   int64  `json:"n"`
}

// federation serves both actions (the Action parameter, case as AWS's examples vary).
func (c *Console) federation(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		federationError(w, http.StatusBadRequest, "The request could not be read.")
		return
	}
	switch strings.ToLower(r.Form.Get("Action")) {
	case "getsignintoken":
		c.getSigninToken(w, r)
	case "login":
		c.federationLogin(w, r)
	default:
		federationError(w, http.StatusBadRequest, "Action must be getSigninToken or login.")
	}
}

func federationError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}

// getSigninToken exchanges temporary credentials (Session, JSON of sessionId, sessionKey and
// sessionToken) for a sign-in token: {"SigninToken": …}. SessionDuration (900 to 43,200
// seconds) sets the console session's length for a role session's credentials; without it the
// session ends with the credentials. The credentials are checked now, and again at login.
func (c *Console) getSigninToken(w http.ResponseWriter, r *http.Request) {
	var s struct {
		ID    string `json:"sessionId"`
		Key   string `json:"sessionKey"`
		Token string `json:"sessionToken"`
	}
	if err := json.Unmarshal([]byte(r.Form.Get("Session")), &s); err != nil || s.ID == "" || s.Key == "" {
		federationError(w, http.StatusBadRequest, "Session must be JSON of the temporary credentials: sessionId, sessionKey, sessionToken.")
		return
	}
	var d time.Duration
	if v := r.Form.Get("SessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if d = time.Duration(n) * time.Second; err != nil || d < minSessionDuration || d > maxSessionDuration {
			federationError(w, http.StatusBadRequest, "SessionDuration must be a number of seconds from 900 to 43200.")
			return
		}
	}
	creds := Credentials{AccessKeyID: s.ID, SecretAccessKey: s.Key, SessionToken: s.Token}
	if _, _, err := c.cfg.Authority.Federate(r.Context(), creds, d, false); err != nil {
		c.federationRefused(w, err)
		return
	}
	payload, _ := json.Marshal(signinToken{ID: s.ID, Key: s.Key, Token: s.Token, Duration: int64(d / time.Second), Issued: c.now().Unix()})
	token := base64.RawURLEncoding.EncodeToString(c.cfg.Seal(append([]byte(signinTokenAD), payload...)))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"SigninToken": token})
}

// federationRefused answers credentials the Authority refused (400, its reason), or a fault.
func (c *Console) federationRefused(w http.ResponseWriter, err error) {
	var fr FederationRefused
	if errors.As(err, &fr) {
		federationError(w, http.StatusBadRequest, string(fr))
		return
	}
	c.cfg.Logger.Error("console: federation", "err", err)
	federationError(w, http.StatusInternalServerError, "Something went wrong. Please try again.")
}

// openSigninToken returns a sign-in token's content if iamd sealed it less than 15 minutes ago.
func (c *Console) openSigninToken(s string) (signinToken, bool) {
	var t signinToken
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return t, false
	}
	plain, err := c.cfg.Open(raw)
	if err != nil || !strings.HasPrefix(string(plain), signinTokenAD) {
		return t, false
	}
	if json.Unmarshal(plain[len(signinTokenAD):], &t) != nil {
		return t, false
	}
	age := c.now().Sub(time.Unix(t.Issued, 0))
	return t, age >= -time.Minute && age <= signinTokenTTL
}

type redirectPage struct {
	To  string
	Out bool // signed out (back to the broker), rather than signing in
}

// federationLogin signs the browser in with a sign-in token (Action=login, SigninToken) and
// sends it to Destination (a console page of this iamd; anything else is the dashboard).
// Issuer, the broker's sign-in page, is where sign-out leads and where the sign-in page points
// when the session has ended.
func (c *Console) federationLogin(w http.ResponseWriter, r *http.Request) {
	t, ok := c.openSigninToken(r.Form.Get("SigninToken"))
	if !ok {
		c.render(w, r, http.StatusForbidden, "message.html", &pageData{Title: "Sign-in failed",
			Page: messagePage{Text: "The sign-in link is not valid, or more than 15 minutes old. Ask your identity broker for a new one."}})
		return
	}
	creds := Credentials{AccessKeyID: t.ID, SecretAccessKey: t.Key, SessionToken: t.Token}
	id, cc, err := c.cfg.Authority.Federate(r.Context(), creds, time.Duration(t.Duration)*time.Second, true)
	if err != nil {
		var fr FederationRefused
		if !errors.As(err, &fr) {
			c.fault(w, r, "federation login", err)
			return
		}
		c.render(w, r, http.StatusForbidden, "message.html", &pageData{Title: "Sign-in failed",
			Page: messagePage{Text: "The credentials behind this sign-in link are no longer valid: " + string(fr)}})
		return
	}
	if old, ok := c.current(r); ok {
		c.sessions.end(old.key)
	}
	sess := &session{id: id, stage: stageSignedIn, creds: cc, expires: cc.Expires, issuer: issuerURL(r.Form.Get("Issuer"))}
	if max := c.now().Add(maxSessionDuration); sess.expires.IsZero() || sess.expires.After(max) {
		sess.expires = max
	}
	c.setCookie(w, r, c.sessions.start(sess, c.now()), sess.expires)
	if sess.issuer != "" {
		http.SetCookie(w, &http.Cookie{Name: issuerCookie, Value: url.QueryEscape(sess.issuer), Path: Prefix, HttpOnly: true,
			Secure: c.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: 30 * 24 * 3600})
	}
	c.cfg.Logger.Info("console federated sign-in", "principal", id.ARN(), "remote", clientKey(r))
	// The session cookie is SameSite=Strict, and a browser that arrives from the broker's site
	// does not send it on redirects of that navigation: the next page is loaded by this page,
	// from this site (a meta refresh; the CSP allows no script), where it is sent.
	to := destination(r, r.Form.Get("Destination"))
	w.Header().Set("Refresh", "0; url="+to)
	c.render(w, r, http.StatusOK, "redirect.html", &pageData{Title: "Signing in", Page: redirectPage{To: to}})
}

// issuerCookie remembers a federated sign-in's Issuer for the sign-in page, once the session
// has ended.
const issuerCookie = "iamd-console-issuer"

// issuerURL is Issuer when it is an http(s) URL, else "".
func issuerURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2048 {
		return ""
	}
	return u.String()
}

// destination is the console page Destination names: a path under /console, or a URL of this
// host under it; AWS's console URLs and anything else lead to the dashboard (never off iamd).
func destination(r *http.Request, d string) string {
	u, err := url.Parse(d)
	if err != nil || d == "" {
		return Prefix
	}
	if u.IsAbs() && (u.Host != r.Host || (u.Scheme != "http" && u.Scheme != "https")) {
		return Prefix
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, Prefix+"/") && p != Prefix || strings.Contains(p, "..") || strings.HasPrefix(p, "//") {
		return Prefix
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}
