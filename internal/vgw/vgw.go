// Package vgw is the versitygw private IAM protocol: iamd as the IAM authority of versitygw
// gateways (versitygw v1.8.0, its --iam-standalone-endpoint). A gateway holds no secret but its
// own root key; for each S3 request it asks iamd for the SigV4 signing key of the caller's
// credentials, for the identity-based decision of each action on each resource (allow,
// explicit deny or no match, with the session policies apart), whether access key ids exist,
// and whether the principals of a bucket policy it is given exist. It evaluates its buckets'
// policies itself.
//
// The Handler serves one account. Every request must be a POST signed with SigV4 (service
// "iam") by an access key of that account's root user — the gateway's --access/--secret — and,
// but for /private/version, carry X-Vgw-Private-Protocol with a version iamd serves. It is
// meant for a unix socket or a mutual-TLS listener, never iamd's public one.
package vgw

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/sigv4"
)

// Limits of one request.
const (
	// MaxBody bounds a request body: a DeleteObjects of 1000 keys of 1024 bytes is the largest
	// evaluate-policy a gateway sends.
	MaxBody = 8 << 20
	// MaxCells bounds evaluate-policy's actions × resources.
	MaxCells = 1 << 14
	// MaxItems bounds resolve-identity's key ids and resolve-principals' principals.
	MaxItems = 1 << 12
)

// Config is what a Handler needs.
type Config struct {
	Authn *authn.Authenticator
	Authz *authz.Authorizer
	Store store.Store
	// Account is the one account the gateway serves: its root user signs the gateway's
	// requests, and only its principals are resolved.
	Account string
	// ServerVersion is reported by /private/version.
	ServerVersion string
	Now           func() time.Time
	Logger        *slog.Logger
}

// Handler serves the protocol. It is safe for concurrent use.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
}

// New returns a Handler for cfg.Account.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg}
	h.verifier = &sigv4.Verifier{Services: []string{SigningService}, Now: cfg.Now, Secret: h.gatewaySecret}
	return h
}

// apiError is an error answer.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

var (
	errBadBody        = &apiError{http.StatusBadRequest, CodeBadRequest, "malformed request body"}
	errNoSuchIdentity = &apiError{http.StatusForbidden, CodeNoSuchIdentity, "no identity for the given access key id"}
	errInvalidToken   = &apiError{http.StatusForbidden, CodeInvalidToken, "the given session token is missing, invalid, or does not belong to the given access key id"}
)

// gatewaySecret is the verifier's SecretFunc: only an active key of the account's root user
// signs the gateway's requests.
func (h *Handler) gatewaySecret(ctx context.Context, c sigv4.Credential) (string, error) {
	if c.SessionToken != "" {
		return "", sigv4.InvalidClientTokenID()
	}
	p, secret, err := h.cfg.Authn.ResolveCredentials(ctx, c.AccessKeyID, "", "")
	if errors.Is(err, authn.ErrNoSuchCredential) || errors.Is(err, authn.ErrInvalidToken) {
		return "", sigv4.InvalidClientTokenID()
	}
	if err != nil {
		return "", err
	}
	if p.Kind() != authn.Root || p.Account() != h.cfg.Account {
		return "", sigv4.InvalidClientTokenID()
	}
	return secret, nil
}

// ServeHTTP answers one protocol request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(ProtocolHeader, strconv.Itoa(Protocol))
	if err := h.serve(w, r); err != nil {
		h.fail(w, r, err)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	path := r.URL.Path
	switch path {
	case PathVersion, PathDeriveSigningKey, PathEvaluatePolicy, PathResolveIdentity, PathResolvePrincipals:
	default:
		return &apiError{http.StatusNotFound, "NotFound", "no such endpoint"}
	}
	if r.Method != http.MethodPost {
		return &apiError{http.StatusMethodNotAllowed, "MethodNotAllowed", "the private endpoints take POST only"}
	}
	// The version is checked before the signature, so that a refusal says what it is; the
	// version endpoint answers any gateway, which is how one learns it is too old.
	if path != PathVersion {
		v, err := ParseProtocolVersion(r.Header.Get(ProtocolHeader))
		if err != nil {
			return &apiError{http.StatusBadRequest, CodeProtocolMismatch, err.Error()}
		}
		if v < MinClient {
			return &apiError{http.StatusBadRequest, CodeProtocolMismatch, "gateway speaks private protocol " + strconv.Itoa(v) +
				", iamd requires " + strconv.Itoa(MinClient) + " or newer: upgrade the gateway"}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return &apiError{http.StatusRequestEntityTooLarge, CodeBadRequest, "request body too large"}
		}
		return &apiError{http.StatusBadRequest, CodeBadRequest, "reading the request body: " + err.Error()}
	}
	res, err := h.verifier.Verify(r.Context(), r, body)
	if err != nil {
		return err
	}
	if res.Presigned {
		return &apiError{http.StatusForbidden, "AccessDenied", "the private endpoints take the Authorization header form of SigV4 only"}
	}
	out, err := h.Answer(r.Context(), path, body)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, err = w.Write(out)
	if err != nil {
		h.cfg.Logger.Debug("versitygw: writing an answer", "err", err)
	}
	return nil
}

// Answer is the JSON answer to an authenticated request to path with body. Failures the
// gateway made are *apiError; others are iamd's (answered 500).
func (h *Handler) Answer(ctx context.Context, path string, body []byte) ([]byte, error) {
	var out any
	var err error
	switch path {
	case PathVersion:
		out = VersionResponse{Protocol: Protocol, MinClient: MinClient, ServerVersion: h.cfg.ServerVersion, AccountID: h.cfg.Account}
	case PathDeriveSigningKey:
		var req DeriveRequest
		if decode(body, &req) != nil {
			return nil, errBadBody
		}
		out, err = h.derive(ctx, &req)
	case PathEvaluatePolicy:
		var req EvaluateRequest
		if decode(body, &req) != nil {
			return nil, errBadBody
		}
		out, err = h.evaluate(ctx, &req)
	case PathResolveIdentity:
		var req ResolveIdentityRequest
		if decode(body, &req) != nil {
			return nil, errBadBody
		}
		out, err = h.resolveIdentity(ctx, &req)
	case PathResolvePrincipals:
		var req ResolvePrincipalsRequest
		if decode(body, &req) != nil {
			return nil, errBadBody
		}
		out, err = h.resolvePrincipals(ctx, &req)
	default:
		return nil, &apiError{http.StatusNotFound, "NotFound", "no such endpoint"}
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(out)
}

// decode reads one JSON value, and nothing after it.
func decode(body []byte, v any) error {
	d := json.NewDecoder(strings.NewReader(string(body)))
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}

// fail writes err as the protocol's JSON error answer.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	b := errorBody{Error: err.Error()}
	status := http.StatusInternalServerError
	var ae *apiError
	var se *sigv4.Error
	switch {
	case errors.As(err, &ae):
		status, b.Code = ae.status, ae.code
	case errors.As(err, &se):
		status, b.Code, b.Error = se.Status, se.Code, se.Message
	default:
		h.cfg.Logger.Error("versitygw: request failed", "path", r.URL.Path, "err", err)
		b.Error = "internal error"
	}
	out, _ := json.Marshal(b)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(out)
}

// ParseProtocolVersion reads an X-Vgw-Private-Protocol value: one to four digits, at least 1.
// Anything else (absent included) is an error, never a default.
func ParseProtocolVersion(v string) (int, error) {
	if v == "" {
		return 0, errors.New("no " + ProtocolHeader + " header")
	}
	if len(v) > 4 {
		return 0, errors.New("malformed " + ProtocolHeader + " header")
	}
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, errors.New("malformed " + ProtocolHeader + " header " + strconv.Quote(v))
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 {
		return 0, errors.New("malformed " + ProtocolHeader + " header " + strconv.Quote(v))
	}
	return n, nil
}

// caller resolves the credentials a request names to a principal of the account, and its
// secret.
func (h *Handler) caller(ctx context.Context, keyID, token, region string) (*authn.Principal, string, error) {
	p, secret, err := h.cfg.Authn.ResolveCredentials(ctx, keyID, token, region)
	switch {
	case errors.Is(err, authn.ErrNoSuchCredential):
		return nil, "", errNoSuchIdentity
	case errors.Is(err, authn.ErrInvalidToken):
		return nil, "", errInvalidToken
	case err != nil:
		return nil, "", err
	}
	if p.Account() != h.cfg.Account {
		// Another account's credentials name no identity of this gateway.
		if token != "" {
			return nil, "", errInvalidToken
		}
		return nil, "", errNoSuchIdentity
	}
	return p, secret, nil
}

func (h *Handler) derive(ctx context.Context, req *DeriveRequest) (*DeriveResponse, error) {
	if !validScope(req.Date, req.Region, req.Service) {
		return nil, &apiError{http.StatusBadRequest, CodeBadRequest, "date must be yyyymmdd; region and service are required"}
	}
	p, secret, err := h.caller(ctx, req.AccessKeyID, req.SessionToken, "")
	if err != nil {
		return nil, err
	}
	return &DeriveResponse{
		DerivedKey:   SigningKey(secret, req.Date, req.Region, req.Service),
		PrincipalArn: p.ARN(),
		RoleArn:      p.RoleARN(),
	}, nil
}

// validScope checks a credential scope's parts: a date of eight digits, a region and a service
// of credential-scope characters.
func validScope(date, region, service string) bool {
	if len(date) != 8 {
		return false
	}
	for i := 0; i < len(date); i++ {
		if date[i] < '0' || date[i] > '9' {
			return false
		}
	}
	return scopePart(region) && scopePart(service)
}

func scopePart(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// SigningKey is SigV4's kSigning for a secret and a credential scope.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// requestKeys are the condition keys a gateway may supply: what it observed of the S3 request
// (time, transport, address, headers) and S3's own keys. Keys describing the caller or the
// resource are iamd's alone, whatever the gateway sends.
var requestKeys = map[string]bool{
	"aws:currenttime": true, "aws:epochtime": true, "aws:securetransport": true,
	"aws:sourceip": true, "aws:useragent": true, "aws:referer": true,
}

// gatewayKey reports whether the gateway may supply condition key k.
func gatewayKey(k string) bool {
	lk := strings.ToLower(k)
	return requestKeys[lk] || (strings.HasPrefix(lk, "s3:") && len(lk) > 3)
}

func (h *Handler) evaluate(ctx context.Context, req *EvaluateRequest) (*EvaluateResponse, error) {
	if len(req.Actions) == 0 || len(req.Resources) == 0 {
		return nil, &apiError{http.StatusBadRequest, CodeBadRequest, "actions and resources are required"}
	}
	if len(req.Actions) > MaxCells || len(req.Resources) > MaxCells || len(req.Actions)*len(req.Resources) > MaxCells {
		return nil, &apiError{http.StatusBadRequest, CodeBadRequest, "too many actions × resources"}
	}
	p, _, err := h.caller(ctx, req.AccessKeyID, req.SessionToken, req.Region)
	if err != nil {
		return nil, err
	}
	// The gateway verified the request's signature before asking: the key was used.
	h.cfg.Authn.NoteUse(ctx, p, req.Service, req.Region)
	var keys []authz.Key
	var origin authz.Origin
	for k, v := range req.Condition {
		if !gatewayKey(k) || len(v) == 0 {
			continue
		}
		keys = append(keys, authz.Key{Name: k, Values: v})
		switch strings.ToLower(k) {
		case "aws:sourceip":
			origin.SourceIP = v[0]
		case "aws:securetransport":
			origin.Secure = v[0] == "true"
		case "aws:useragent":
			origin.UserAgent = v[0]
		}
	}
	resp := &EvaluateResponse{PrincipalArn: p.ARN(), Decisions: make([][]string, len(req.Resources))}
	var sess [][]string
	for i, resource := range req.Resources {
		row := make([]string, len(req.Actions))
		var srow []string
		for j, action := range req.Actions {
			d, err := h.cfg.Authz.EvaluateSplit(ctx, p, origin, authz.Request{Action: action, Resource: resource, Keys: keys})
			if err != nil {
				return nil, err
			}
			row[j] = wireDecision(d.Identity)
			if d.HasSession {
				if srow == nil {
					srow = make([]string, len(req.Actions))
				}
				srow[j] = wireDecision(d.Session)
			}
		}
		resp.Decisions[i] = row
		if srow != nil {
			if sess == nil {
				sess = make([][]string, len(req.Resources))
			}
			sess[i] = srow
		}
	}
	if sess != nil {
		// A principal has session policies for every request or for none.
		for i := range sess {
			for j := range req.Actions {
				if sess[i] == nil {
					sess[i] = make([]string, len(req.Actions))
				}
				if sess[i][j] == "" {
					sess[i][j] = DecisionNoMatch
				}
			}
		}
		resp.SessionDecisions, resp.HasSessionPolicy = sess, true
	}
	return resp, nil
}

func wireDecision(d policy.Decision) string {
	switch d {
	case policy.Allowed:
		return DecisionAllow
	case policy.ExplicitDeny:
		return DecisionDeny
	}
	return DecisionNoMatch
}

func (h *Handler) resolveIdentity(ctx context.Context, req *ResolveIdentityRequest) (*ResolveIdentityResponse, error) {
	if len(req.AccessKeyIDs) > MaxItems {
		return nil, &apiError{http.StatusBadRequest, CodeBadRequest, "too many access key ids"}
	}
	out := &ResolveIdentityResponse{Identities: make([]ResolvedIdentity, len(req.AccessKeyIDs))}
	for i, id := range req.AccessKeyIDs {
		// Temporary credentials are iamd's sealed session tokens, found by no key id alone: a
		// session is nothing a bucket policy or an ACL may name anyway.
		if id == "" || strings.HasPrefix(id, "ASIA") {
			continue
		}
		p, _, err := h.caller(ctx, id, "", "")
		var ae *apiError
		if errors.As(err, &ae) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Identities[i] = ResolvedIdentity{Found: true, Kind: KindUser, PrincipalArn: p.ARN()}
	}
	return out, nil
}

func (h *Handler) resolvePrincipals(ctx context.Context, req *ResolvePrincipalsRequest) (*ResolvePrincipalsResponse, error) {
	if len(req.Principals) > MaxItems {
		return nil, &apiError{http.StatusBadRequest, CodeBadRequest, "too many principals"}
	}
	out := &ResolvePrincipalsResponse{Invalid: []string{}}
	err := h.cfg.Store.Read(ctx, func(tx store.Tx) error {
		out.Invalid = out.Invalid[:0]
		for _, p := range req.Principals {
			ok, e := principalExists(ctx, tx, h.cfg.Account, p)
			if e != nil {
				return e
			}
			if !ok {
				out.Invalid = append(out.Invalid, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
