package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
)

// csp allows the console's own stylesheet and scripts and nothing else: no inline script or
// style, no framing, forms and fetches (the editor's validation) only back to iamd, no
// plugins, no base-URI games. QR codes are data: images.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets what every console answer carries. Pages hold secrets (a new access
// key's) and per-session tokens, so nothing is cached.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// sameOrigin refuses state changes a browser says come from another site: Sec-Fetch-Site when
// the browser sends it, else Origin against Host. Requests with neither (old browsers, curl)
// pass on to the CSRF token, which every state change checks anyway.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return true
	case "":
	default:
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// randomToken returns n random bytes, URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenEqual compares tokens in constant time.
func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// preCookie holds the random value the sign-in form's CSRF token is bound to: no session exists
// before sign-in, and none is made for whoever fetches the form.
const preCookie = "iamd-console-signin"

// signInToken is the sign-in form's CSRF token for a pre-cookie value: an HMAC under a
// process key, so a cross-site page can neither read nor compute it (double-submit, signed).
func (c *Console) signInToken(pre string) string {
	m := hmac.New(sha256.New, c.csrfKey[:])
	m.Write([]byte("iamd console sign-in\x00" + pre))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signInCSRF returns the pre-cookie (setting a new one when absent) and its form token.
func (c *Console) signInCSRF(w http.ResponseWriter, r *http.Request) string {
	pre := ""
	if ck, err := r.Cookie(preCookie); err == nil && len(ck.Value) == 22 {
		pre = ck.Value
	} else {
		pre = randomToken(16)
		http.SetCookie(w, &http.Cookie{Name: preCookie, Value: pre, Path: Prefix, HttpOnly: true,
			Secure: c.secure(r), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	}
	return c.signInToken(pre)
}

// checkSignInCSRF checks the sign-in form's token against its pre-cookie.
func (c *Console) checkSignInCSRF(r *http.Request) bool {
	ck, err := r.Cookie(preCookie)
	if err != nil || ck.Value == "" {
		return false
	}
	return tokenEqual(r.PostFormValue("csrf"), c.signInToken(ck.Value))
}
