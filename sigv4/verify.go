// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests, as an AWS service
// (other than S3) does: the Authorization header form and the presigned query form, with the
// canonical request rebuilt from exactly the headers the client says it signed, the path
// normalized and encoded twice, the whole body as the payload, the credential scope checked
// against an allowed set of services (any region), a clock-skew window, and a constant-time
// comparison. It knows nothing about where secrets live: the caller passes a SecretFunc.
// Every authentication failure is an *Error carrying AWS's code, message and HTTP status.
//
// A Verifier keeps derived signing keys, and for the request shape the SDKs send, the parsed
// Authorization headers of requests that verified; both caches are bounded, and neither skips
// the secret lookup or the signature comparison of any request.
package sigv4

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultSkew is how far a request's signing time may be from the server's clock.
const DefaultSkew = 15 * time.Minute

// MaxExpires is the largest X-Amz-Expires a presigned request may carry (seven days).
const MaxExpires = 604800

// Credential is the credential scope of a signed request, plus the session token if the
// request carried one (temporary credentials).
type Credential struct {
	AccessKeyID  string
	Date         string // yyyymmdd
	Region       string
	Service      string
	SessionToken string
}

// LogValue keeps the session token out of logs: it is a bearer credential.
func (c Credential) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("access_key_id", c.AccessKeyID),
		slog.String("date", c.Date),
		slog.String("region", c.Region),
		slog.String("service", c.Service),
	}
	if c.SessionToken != "" {
		attrs = append(attrs, slog.String("session_token", "REDACTED"))
	}
	return slog.GroupValue(attrs...)
}

// SecretFunc returns the secret access key for c: the server looks long-term keys up in its
// store and opens session tokens. An error it returns is passed through Verify unchanged;
// InvalidClientTokenID and ExpiredToken give AWS's answers for unknown and expired credentials.
type SecretFunc func(ctx context.Context, c Credential) (secret string, err error)

// Verifier checks SigV4 signatures. Set its fields before first use and do not copy it
// afterwards; it is safe for concurrent use.
type Verifier struct {
	// Services lists the credential-scope services accepted, e.g. {"iam", "sts"}. Empty
	// accepts none: the verifier fails closed.
	Services []string
	Now      func() time.Time // nil means time.Now
	Skew     time.Duration    // 0 means DefaultSkew
	Secret   SecretFunc

	// MaxPresignAge, when positive, is how long after its X-Amz-Date a presigned request is
	// accepted, whatever its X-Amz-Expires says: AWS's IAM and STS take a presigned request for
	// 15 minutes only, and identity proofs (presigned GetCallerIdentity for Kubernetes and
	// Vault) rely on that bound. 0 honours X-Amz-Expires, up to MaxExpires, as S3 does.
	MaxPresignAge time.Duration

	// FormChecked says the caller decodes every form body it passes to Verify and refuses one
	// that gives a parameter twice before it verifies, as iamd's request decoders do; Verify
	// then skips its own pass over the body for repeated keys. Leave it false otherwise: the
	// body is signed as a whole, and a decoder that kept another value of a repeated key than
	// the signer meant would act on a choice nobody signed.
	FormChecked bool

	keys  keyCache
	auths authCache
}

// Result describes a request whose signature verified.
type Result struct {
	Credential    Credential
	Presigned     bool      // signed in the query string rather than the Authorization header
	SignedAt      time.Time // the request's signing time (X-Amz-Date)
	SignedHeaders []string  // as the client listed them
}

// HasSignature reports whether r carries any SigV4 material (an Authorization header or an
// X-Amz-Algorithm query parameter), which tells an unsigned call from a badly signed one.
func HasSignature(r *http.Request) bool {
	if len(r.Header["Authorization"]) > 0 {
		return true
	}
	if r.URL == nil {
		return false
	}
	raw := r.URL.RawQuery
	for raw != "" {
		var pair string
		pair, raw, _ = cutByte(raw, '&')
		k, _, _ := cutByte(pair, '=')
		if dk, ok := unescape(k); ok && dk == "X-Amz-Algorithm" {
			return true
		}
	}
	return false
}

// request is the signature material gathered from either form.
type request struct {
	presigned     bool
	credential    string
	signedHeaders string
	signature     string
	signedAt      time.Time
	amzDate       string // the timestamp as it enters the string to sign
	token         string
	expires       time.Duration // X-Amz-Expires: presigned only, 0 when absent
	names         []string      // signedHeaders split, once checkSignedHeaders passed

	// Header values already looked up, kept for the canonical request; nil when absent.
	hdrDates, hdrTokens, hdrTypes []string
}

// scratch is a verification's working space.
type scratch struct {
	buf    []byte
	params []param
	names  []string // Verify's header list, before it is copied out
	sha    stateHash
}

func newScratch() *scratch {
	return &scratch{buf: make([]byte, 0, 1024), params: make([]param, 0, 16), names: make([]string, 0, 16), sha: sha256.New().(stateHash)}
}

var scratchPool = sync.Pool{New: func() any { return newScratch() }}

// Verify checks r's signature. body is the complete request body, already read by the caller
// (r.Body is not touched). It returns *Error for every authentication failure, and the
// SecretFunc's error unchanged when the secret lookup fails.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*Result, error) {
	s := scratchPool.Get().(*scratch)
	defer s.release()
	res := Result{SignedHeaders: s.names[:0]}
	if err := v.verify(ctx, r, body, s, &res); err != nil {
		return nil, err
	}
	// One allocation for the result and its header list, sized for the list: the SDKs sign
	// three to five names, some eight.
	if len(res.SignedHeaders) <= 4 {
		box := &resultBox4{Result: res}
		box.SignedHeaders = append(box.names[:0], res.SignedHeaders...)
		return &box.Result, nil
	}
	box := &resultBox8{Result: res}
	box.SignedHeaders = append(box.names[:0], res.SignedHeaders...)
	return &box.Result, nil
}

type resultBox4 struct {
	Result
	names [4]string
}

type resultBox8 struct {
	Result
	names [8]string
}

// VerifyInto is Verify without allocating: on success it fills *res, appending the signed
// header names to res.SignedHeaders[:0] (so a reused Result needs no allocation), and on failure
// leaves *res unspecified. Its errors are Verify's.
func (v *Verifier) VerifyInto(ctx context.Context, r *http.Request, body []byte, res *Result) error {
	s := scratchPool.Get().(*scratch)
	defer s.release()
	res.SignedHeaders = res.SignedHeaders[:0]
	return v.verify(ctx, r, body, s, res)
}

// release returns s to the pool, without references to the request's strings.
func (s *scratch) release() {
	clear(s.params)
	s.params = s.params[:0]
	clear(s.names[:cap(s.names)])
	if cap(s.buf) <= 64<<10 {
		s.buf = s.buf[:0]
		scratchPool.Put(s)
	}
}

// verify checks r and on success fills *res, the signed header names appended to
// res.SignedHeaders, which must be empty.
func (v *Verifier) verify(ctx context.Context, r *http.Request, body []byte, s *scratch, res *Result) error {
	if handled, err := v.verifySDK(ctx, r, body, s, res); handled {
		return err
	}
	return v.verifyGeneral(ctx, r, body, s, res)
}

// verifyGeneral is verify for every request shape, step by step: the parameters, the
// signature material of either form, the credential, the signed header list, the time, the
// form body, and then the canonical request.
func (v *Verifier) verifyGeneral(ctx context.Context, r *http.Request, body []byte, s *scratch, res *Result) error {
	if r.URL == nil {
		return errMissingAuth()
	}
	var perr *Error
	s.params, perr = parseQuery(r.URL.RawQuery, s.params[:0])
	if perr != nil {
		return perr
	}
	var req request
	if perr := gather(&req, r, s.params); perr != nil {
		return perr
	}
	var sc scope
	if perr := parseCredential(req.credential, &sc); perr != nil {
		return perr
	}
	if !v.serviceAllowed(sc.service) {
		want := ""
		if len(v.Services) > 0 {
			want = v.Services[0]
		}
		return errScope("Credential should be scoped to correct service: '" + want + "'. ")
	}
	if sc.date != req.amzDate[:scopeDateLen] {
		return errScope("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			sc.date + "' != '" + req.amzDate[:scopeDateLen] + "', from '" + req.amzDate + "'.")
	}
	if perr := checkSignedHeaders(r, &req, res.SignedHeaders); perr != nil {
		return perr
	}
	if perr := v.checkTime(req.signedAt, req.expires, req.presigned); perr != nil {
		return perr
	}
	if !v.FormChecked {
		if perr := checkFormDuplicates(req.hdrTypes, body); perr != nil {
			return perr
		}
	}

	cred := &res.Credential
	cred.AccessKeyID, cred.Date, cred.Region, cred.Service, cred.SessionToken = sc.accessKeyID, sc.date, sc.region, sc.service, req.token
	res.Presigned, res.SignedAt, res.SignedHeaders = req.presigned, req.signedAt, req.names
	_, err := v.sign(ctx, s, appendCanonicalHead(s.buf[:0], r, &req, s.params), body, &sc, req.amzDate, req.signature, res, nil)
	return err
}

// sign finishes a verification once the request has passed every other check: it looks up
// the secret for res.Credential, ends the canonical request b with the hash of body, hashes
// it, signs the string to sign in place and compares the result with signature. res must be
// filled but for the answer. key, when not nil, is the signing key this scope had before, used
// if the secret is still the one it was derived from; sign returns the key it used.
func (v *Verifier) sign(ctx context.Context, s *scratch, b, body []byte, sc *scope, amzDate, signature string, res *Result, key *signingKey) (*signingKey, error) {
	if v.Secret == nil {
		return nil, InvalidClientTokenID()
	}
	secret, err := v.Secret(ctx, res.Credential)
	if err != nil {
		return nil, err
	}
	if key == nil || key.id.secret != secret {
		key = v.keys.get(sc, secret)
	}
	b = appendPayloadHash(b, body)
	crHash := sha256.Sum256(b)
	b = append(b[:0], algorithm+"\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, sc.raw...)
	b = append(b, '\n')
	b = appendHexSum(b, &crHash)
	b, mac := key.mac(s.sha, b, 0)
	s.buf = b
	if !equalHex(mac, signature) {
		return key, errMismatch()
	}
	return key, nil
}

func (v *Verifier) serviceAllowed(svc string) bool {
	for _, a := range v.Services {
		if a == svc {
			return true
		}
	}
	return false
}

// checkTime applies the skew window, and for presigned requests their expiry. AWS's STS
// ignores X-Amz-Expires and allows the skew window after X-Amz-Date; so that tokens built on
// that (EKS-style presigned GetCallerIdentity with X-Amz-Expires=60) keep working, a presigned
// request is valid for the longer of the two, and never longer than MaxPresignAge. expires is
// X-Amz-Expires, 0 when absent and in the header form.
func (v *Verifier) checkTime(signedAt time.Time, expires time.Duration, presigned bool) *Error {
	var now time.Time
	if v.Now != nil {
		now = v.Now()
	} else {
		now = time.Now()
	}
	skew := v.Skew
	if skew <= 0 {
		skew = DefaultSkew
	}
	window := skew
	if presigned {
		window = max(window, expires)
		if v.MaxPresignAge > 0 {
			window = min(window, v.MaxPresignAge)
		}
	}
	// Both times are whole seconds (now truncated), so comparing seconds against the windows
	// rounded down to seconds decides exactly as comparing the times would, without the cost
	// of time arithmetic on every request.
	d := signedAt.Unix() - now.Unix()
	switch {
	case d > int64(skew/time.Second):
		return errNotYetCurrent(signedAt, now.UTC().Truncate(time.Second), skew)
	case -d > int64(window/time.Second):
		return errExpired(signedAt, now.UTC().Truncate(time.Second), window)
	}
	return nil
}

// gather collects the signature material of either form into req and checks it is all there.
func gather(req *request, r *http.Request, params []param) *Error {
	auth := r.Header["Authorization"]
	qAlg, hasQAlg := lookup(params, "X-Amz-Algorithm")
	switch {
	case len(auth) == 0 && !hasQAlg:
		return errMissingAuth()
	case len(auth) > 0 && hasQAlg:
		return errIncomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified")
	case len(auth) > 1:
		return errIncomplete("The request has more than one Authorization header.")
	}
	qToken, hasQToken := lookup(params, "X-Amz-Security-Token")
	hTokens := r.Header["X-Amz-Security-Token"]
	req.hdrTokens = hTokens
	req.hdrTypes = r.Header["Content-Type"]
	if len(hTokens) > 1 {
		return errIncomplete("The request has more than one X-Amz-Security-Token header.")
	}
	switch {
	case len(hTokens) == 1 && hasQToken && hTokens[0] != qToken:
		return errMismatch()
	case len(hTokens) == 1:
		req.token = hTokens[0]
	case hasQToken:
		req.token = qToken
	}
	if hasQAlg {
		return gatherQuery(req, qAlg, params)
	}
	return gatherHeader(req, r, auth[0])
}

func gatherHeader(req *request, r *http.Request, h string) *Error {
	var a authorization
	if perr := parseAuthorization(h, &a); perr != nil {
		return perr
	}
	dates := r.Header["X-Amz-Date"]
	req.hdrDates = dates
	var httpDates []string
	if len(dates) == 0 {
		httpDates = r.Header["Date"] // consulted only without X-Amz-Date
	}
	if len(dates) > 1 || len(dates) == 0 && len(httpDates) > 1 {
		return errIncomplete("The request has more than one date header.")
	}
	hasDate := len(dates) == 1 && dates[0] != "" || len(dates) == 0 && len(httpDates) == 1 && httpDates[0] != ""
	if a.credential == "" || a.signature == "" || a.signedHeaders == "" || !hasDate {
		return errHeaderMissing(&a, hasDate, h)
	}
	req.credential, req.signedHeaders, req.signature = a.credential, a.signedHeaders, a.signature
	if len(dates) == 1 {
		t, ok := parseAmzDate(dates[0])
		if !ok {
			return errBadDate(dates[0])
		}
		req.signedAt, req.amzDate = t, dates[0]
	} else {
		t, err := http.ParseTime(httpDates[0])
		if err != nil {
			return errBadDate(httpDates[0])
		}
		req.signedAt, req.amzDate = t.UTC(), t.UTC().Format(amzDateLayout)
	}
	return nil
}

func gatherQuery(req *request, alg string, params []param) *Error {
	req.presigned = true
	cred, hasCred := lookup(params, "X-Amz-Credential")
	date, hasDate := lookup(params, "X-Amz-Date")
	sh, hasSH := lookup(params, "X-Amz-SignedHeaders")
	sig, hasSig := lookup(params, "X-Amz-Signature")
	if alg == "" || cred == "" || date == "" || sh == "" || sig == "" {
		var b strings.Builder
		for _, m := range []struct {
			name string
			ok   bool
		}{{"X-Amz-Algorithm", alg != ""}, {"X-Amz-Credential", hasCred && cred != ""}, {"X-Amz-Signature", hasSig && sig != ""},
			{"X-Amz-SignedHeaders", hasSH && sh != ""}, {"X-Amz-Date", hasDate && date != ""}} {
			if !m.ok {
				b.WriteString("AWS query-string parameters must include '" + m.name + "'. ")
			}
		}
		b.WriteString("Re-examine the query-string parameters.")
		return errIncomplete(b.String())
	}
	if alg != algorithm {
		return errIncomplete("Unsupported AWS 'algorithm': '" + alg + "'.")
	}
	t, ok := parseAmzDate(date)
	if !ok {
		return errBadDate(date)
	}
	req.credential, req.signedHeaders, req.signature, req.signedAt, req.amzDate = cred, sh, sig, t, date
	if exp, ok := lookup(params, "X-Amz-Expires"); ok {
		digits := strings.TrimPrefix(exp, "-")
		if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
			return errIncomplete("X-Amz-Expires should be a number")
		}
		if digits != exp {
			return errIncomplete("X-Amz-Expires must be non-negative")
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil || n > MaxExpires {
			return errIncomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		if n == 0 {
			return errIncomplete("X-Amz-Expires must be greater than 0")
		}
		req.expires = time.Duration(n) * time.Second
	}
	return nil
}

// lookup finds a query parameter by decoded key.
func lookup(params []param, key string) (string, bool) {
	for i := range params {
		if params[i].key == key {
			return params[i].value, true
		}
	}
	return "", false
}

// checkSignedHeaders checks the client's list: well-formed, includes host, and, in the header
// form, covers the date header the signing time is read from (AWS refuses a request that does
// not sign it, and so does Verify) and the session token (an unsigned token could be swapped
// for another). It leaves the names, appended to dst, in req.names.
func checkSignedHeaders(r *http.Request, req *request, dst []string) *Error {
	hasHost, hasToken, hasAmzDate, hasDate := false, false, false, false
	for rest := req.signedHeaders; ; {
		name, more := rest, ""
		i := strings.IndexByte(rest, ';')
		if i >= 0 {
			name, more = rest[:i], rest[i+1:]
		}
		if name == "" {
			return errIncomplete("SignedHeaders must be a semicolon-separated list of header names, got '" + req.signedHeaders + "'.")
		}
		switch name {
		case "host":
			hasHost = true
		case "x-amz-security-token":
			hasToken = true
		case "x-amz-date":
			hasAmzDate = true
		case "date":
			hasDate = true
		}
		dst = append(dst, name)
		if i < 0 {
			break
		}
		rest = more
	}
	req.names = dst
	if !hasHost {
		return errIncomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !req.presigned {
		// gatherHeader took the time from X-Amz-Date when there is one, else from Date.
		if len(req.hdrDates) > 0 && !hasAmzDate {
			return errIncomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
		}
		if len(req.hdrDates) == 0 && !hasDate {
			return errIncomplete("'Date' must be a 'SignedHeader' in the AWS Authorization.")
		}
	}
	if !req.presigned && !hasToken && len(req.hdrTokens) > 0 {
		return errMismatch()
	}
	return nil
}

// appendCanonical writes the canonical request:
// method, URI, query, headers, signed header list, payload hash, one per line.
// req.names must hold the signed header names (checkSignedHeaders).
func appendCanonical(b []byte, r *http.Request, req *request, params []param, body []byte) []byte {
	return appendPayloadHash(appendCanonicalHead(b, r, req, params), body)
}

// appendPayloadHash ends a canonical request with the hash of the body.
func appendPayloadHash(b, body []byte) []byte {
	sum := sha256.Sum256(body)
	return appendHexSum(b, &sum)
}

// appendCanonicalHead is appendCanonical but for the payload hash, which verification leaves
// until the secret lookup has passed: hashing a body for an unknown key is work for nothing.
func appendCanonicalHead(b []byte, r *http.Request, req *request, params []param) []byte {
	b = append(b, r.Method...)
	b = append(b, '\n')
	if r.RequestURI == "/" {
		b = append(b, '/') // every SDK call to IAM and STS: nothing to normalize or encode
	} else {
		b = appendEncoded(b, normalizePath(wirePath(r)), true)
	}
	return appendCanonicalTail(b, r, req, params)
}

// appendCanonicalTail is the canonical request after its URI line: the query, the headers and
// the signed header list.
func appendCanonicalTail(b []byte, r *http.Request, req *request, params []param) []byte {
	b = append(b, '\n')
	first := true
	for i := range params {
		p := &params[i]
		if req.presigned && p.key == "X-Amz-Signature" {
			continue
		}
		if !first {
			b = append(b, '&')
		}
		first = false
		b = append(b, p.encKey...)
		b = append(b, '=')
		b = append(b, p.encValue...)
	}
	b = append(b, '\n')
	for _, name := range req.names {
		b = append(b, name...)
		b = append(b, ':')
		var vs []string
		var one string
		switch {
		case name == "x-amz-date" && len(req.hdrDates) == 1:
			// gatherHeader parsed this very value as an amz-date: sixteen characters, none a
			// space, so there is nothing to trim or collapse.
			b = append(b, req.hdrDates[0]...)
			b = append(b, '\n')
			continue
		case name == "x-amz-date" && req.hdrDates != nil:
			vs = req.hdrDates
		case name == "x-amz-security-token" && req.hdrTokens != nil:
			vs = req.hdrTokens
		case name == "content-type" && req.hdrTypes != nil:
			vs = req.hdrTypes
		default:
			vs, one, _ = headerValues(r, name)
		}
		if vs == nil {
			b = appendHeaderValue(b, one)
		}
		for j, v := range vs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendHeaderValue(b, v)
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, req.signedHeaders...)
	return append(b, '\n')
}
