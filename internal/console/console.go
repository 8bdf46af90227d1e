// Package console is iamd's web console, served at /console on the API's own endpoint: sign-in
// as AWS's sign-in page does it (the root user, or an IAM user by account id or alias, user name,
// password, MFA code, and a new password when one is due), and server-rendered pages over IAM.
//
// The console is a client of the API, not a second authority. A sign-in gets temporary
// credentials of the signed-in principal (Authority.Issue), kept server-side under a random
// cookie; every page calls iamd's API with them, SigV4-signed by aws-sdk-go-v2's IAM client,
// through the node's own handler in process (api.go). So a page can never do more than the
// principal's policies allow, its calls are authorized, logged and audited as any SDK call, and
// a denial is AWS's AccessDenied answer, shown as it came.
//
// Two more ways in, both still the API's to authorize: switch role (switchrole.go: AssumeRole
// with the principal's credentials, the console then acting as the role, in this or another
// hosted account), and the federation endpoint of custom identity brokers (federation.go:
// getSigninToken and login, as AWS documents them), whose sign-in tokens the node's keyring
// seals (Config.Seal).
//
// Pages are html/template, assets are embedded (CodeMirror 5 for the policy editor, under
// static/codemirror); there is no inline script (the Content-Security-Policy forbids it) and
// every page works without JavaScript. The editor's live validation runs the repository's
// policy package, which needs no authority; everything else is an API call.
//
// Sessions live in the node's memory (sessions.go): several nodes behind one name need sticky
// routing for /console. Sign-in tokens are sealed, so federation works across nodes.
package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Prefix is where the console is served.
const Prefix = "/console"

// Identity is a principal whose password proved right, and what its sign-in still needs.
type Identity struct {
	Account string
	Root    bool
	// The IAM user; empty for the root user.
	UserName, UserID, UserPath string
	// MFASerial is the user's MFA device, "" when there is none: a code is then not asked.
	MFASerial string
	// MustChange is "reset" (PasswordResetRequired) or "expired" (MaxPasswordAge), or "".
	MustChange string
	// Federated is a sign-in through the federation endpoint: PrincipalARN is then the role
	// session's (arn:aws:sts::…:assumed-role/ROLE/SESSION) or the federated user's.
	Federated    bool
	PrincipalARN string
}

// roleSession reports whether the principal is itself a role session (a federated sign-in):
// a role it switches to is then role chaining.
func (id Identity) roleSession() bool {
	return id.Federated && strings.Contains(id.PrincipalARN, ":assumed-role/")
}

// displayName is the principal as the header names it: the user's name, "root", or a
// federated sign-in's ROLE/SESSION or federated user's name, as AWS's console shows them.
func (id Identity) displayName() string {
	switch {
	case id.Federated:
		arn := id.PrincipalARN
		if i := strings.Index(arn, ":assumed-role/"); i >= 0 {
			return arn[i+len(":assumed-role/"):]
		}
		if i := strings.Index(arn, ":federated-user/"); i >= 0 {
			return arn[i+len(":federated-user/"):]
		}
		return arn
	case id.Root:
		return "root"
	}
	return id.UserName
}

// sessionName is the RoleSessionName of the roles the principal switches to: its name, as
// AWS's console names them.
func (id Identity) sessionName() string {
	name := id.UserName
	switch {
	case id.Federated:
		name = id.displayName()
		name = name[strings.LastIndexByte(name, '/')+1:]
	case id.Root || name == "":
		name = "root"
	}
	name = sessionNameRE.ReplaceAllString(name, "-")
	if len(name) < 2 {
		name += "-console"
	}
	return name[:min(len(name), 64)]
}

// ARN is the principal's ARN.
func (id Identity) ARN() string {
	if id.Federated {
		return id.PrincipalARN
	}
	if id.Root {
		return "arn:aws:iam::" + id.Account + ":root"
	}
	path := id.UserPath
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + id.Account + ":user" + path + id.UserName
}

// Errors an Authority returns.
var (
	// ErrSignInFailed is every failure that must not tell which part was wrong.
	ErrSignInFailed = errors.New("sign-in failed")
	// ErrPasswordExpired: the password is right but expired under the policy's HardExpiry.
	ErrPasswordExpired = errors.New("password expired")
	// ErrMFAFailed: the MFA code is wrong, or a replay.
	ErrMFAFailed = errors.New("mfa code not valid")
)

// PolicyViolation is the error SetPassword returns for a password the policy refuses; its text
// is IAM's reason.
type PolicyViolation string

func (p PolicyViolation) Error() string { return string(p) }

// Authority is what the console needs of iamd beyond its API: checking sign-ins and issuing
// the session's credentials. The node implements it over the IAM and STS services.
type Authority interface {
	// SignIn checks a password: the root user's when user is "", else the IAM user's login
	// profile; account is an id or alias.
	SignIn(ctx context.Context, account, user, password string) (Identity, error)
	// CheckMFA checks a code of id's MFA device and returns when it was accepted.
	CheckMFA(ctx context.Context, id Identity, code string) (time.Time, error)
	// SetPassword sets the new password a sign-in had to choose; a PolicyViolation when the
	// account's password policy refuses it.
	SetPassword(ctx context.Context, id Identity, password string) error
	// Issue returns credentials of id valid for d, with the MFA time when a code was given
	// (zero otherwise), and records the sign-in (PasswordLastUsed).
	Issue(ctx context.Context, id Identity, mfaAt time.Time, d time.Duration) (Credentials, error)
	// ResolveAccount returns the account an id or alias names, "" when none does.
	ResolveAccount(ctx context.Context, idOrAlias string) (string, error)
	// RoleMaxSession is a role's MaxSessionDuration, 0 when there is no such role: switch role
	// asks for sessions that long (whether the caller may assume the role is AssumeRole's
	// decision, made through the API).
	RoleMaxSession(ctx context.Context, account, roleName string) (time.Duration, error)
	// Federate checks the temporary credentials a custom identity broker exchanges for a
	// console session at the federation endpoint (federation.go): a role session's
	// (AssumeRole*) or a federated user's (GetFederationToken), proven by their secret. With
	// issue it returns the console session's credentials: for a sessionDuration, the same
	// session reissued to last that long; else the credentials as given. A refusal is a
	// FederationRefused.
	Federate(ctx context.Context, creds Credentials, sessionDuration time.Duration, issue bool) (Identity, Credentials, error)
}

// FederationRefused is the federation endpoint's refusal of credentials; its text says why.
type FederationRefused string

func (f FederationRefused) Error() string { return string(f) }

// Credentials are temporary credentials, as STS issues them.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expires                                    time.Time
}

// sdk is c as aws-sdk-go-v2 takes them.
func (c Credentials) sdk() aws.Credentials {
	// Not CanExpire: the SDK would judge expiry by its own clock; the console ends the session.
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Source: "iamd console"}
}

// Config is a console's configuration.
type Config struct {
	Authority Authority
	// API is the node's request handler: the console's calls go through it.
	API http.Handler
	// SecureCookies marks cookies Secure even without TLS on the connection (iamd behind a
	// proxy that terminates TLS). Under TLS they always are.
	SecureCookies bool
	// PublicURL is the base URL people reach iamd under (--public-url), for the URLs pages
	// show (sign-in, switch role); "" takes the request's host and scheme.
	PublicURL string
	// SessionDuration is how long a sign-in lasts; 0 (and anything longer) means 12 hours,
	// AWS's console maximum.
	SessionDuration time.Duration
	// Seal and Open protect what the console hands out and takes back (the federation
	// endpoint's sign-in tokens) with the node's keyring, so any node opens what another sealed.
	Seal   func([]byte) []byte
	Open   func([]byte) ([]byte, error)
	Logger *slog.Logger
	Now    func() time.Time
}

// MaxSession is the longest console session.
const MaxSession = 12 * time.Hour

// Console is the console's http.Handler.
type Console struct {
	cfg      Config
	mux      *http.ServeMux
	sessions *sessions
	// perIP and perUser limit failed sign-ins (ratelimit.go).
	perIP, perUser *limiter
	// csrfKey makes the sign-in form's CSRF tokens (csrf.go); random per process.
	csrfKey [32]byte
	pages   map[string]*template.Template
	// posts are the patterns of the state-changing routes (their tests check each refuses a
	// request without its CSRF token).
	posts []string
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New assembles a console.
func New(cfg Config) (*Console, error) {
	if cfg.Authority == nil || cfg.API == nil || cfg.Seal == nil || cfg.Open == nil {
		return nil, errors.New("console: Authority, API, Seal and Open are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionDuration <= 0 || cfg.SessionDuration > MaxSession {
		cfg.SessionDuration = MaxSession
	}
	c := &Console{
		cfg:      cfg,
		sessions: newSessions(),
		perIP:    newLimiter(20, 3*time.Second),
		perUser:  newLimiter(5, 10*time.Second),
	}
	if _, err := rand.Read(c.csrfKey[:]); err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c.pages = pages
	c.routes()
	return c, nil
}

// Match reports whether a request is the console's: a path under /console that is not signed.
// A signed request there is S3's (path-style, a bucket named "console"), which keeps every
// SDK call as it was; only unsigned browser requests to such a bucket are the console's.
func Match(r *http.Request) bool {
	p := r.URL.Path
	federation := p == FederationPath
	if p != Prefix && !strings.HasPrefix(p, Prefix+"/") && !federation {
		return false
	}
	if r.Header.Get("Authorization") != "" {
		return false
	}
	q := r.URL.Query()
	if q.Has("X-Amz-Signature") || q.Has("Signature") || q.Has("X-Amz-Credential") {
		return false
	}
	if federation {
		// AWS's federation endpoint's path, for brokers that swap only the host: its two
		// actions, in the query (a bucket named "federation" keeps every other request).
		a := strings.ToLower(q.Get("Action"))
		return a == "getsignintoken" || a == "login"
	}
	return true
}

func (c *Console) routes() {
	m := http.NewServeMux()
	m.Handle("GET /console/static/", http.StripPrefix("/console/static/", staticHandler()))
	handle := func(pattern string, h http.HandlerFunc) {
		m.HandleFunc(pattern, h)
		if strings.HasPrefix(pattern, "POST ") {
			c.posts = append(c.posts, strings.TrimPrefix(pattern, "POST "))
		}
	}
	// The federation endpoint (AWS's https://signin.aws.amazon.com/federation): its sign-in
	// token is its authentication, it is reached from other sites (brokers, SSO portals), and
	// it is not among the routes the CSRF token guards.
	m.HandleFunc("GET "+FederationPath, c.federation)
	m.HandleFunc("POST "+FederationPath, c.federation)
	m.HandleFunc("GET "+Prefix+FederationPath, c.federation)
	m.HandleFunc("POST "+Prefix+FederationPath, c.federation)
	handle("GET /console", c.home)
	handle("GET /console/{$}", c.home)
	handle("POST /console/signin", c.signIn)
	handle("GET /console/signin/mfa", c.pending(stageMFA, c.mfaForm))
	handle("POST /console/signin/mfa", c.pending(stageMFA, c.mfaSubmit))
	handle("GET /console/signin/password", c.pending(stageNewPassword, c.passwordForm))
	handle("POST /console/signin/password", c.pending(stageNewPassword, c.passwordSubmit))
	handle("POST /console/signout", c.signOut)

	handle("GET /console/users", c.signedIn(c.users))
	handle("GET /console/users/~new", c.signedIn(c.newUserForm))
	handle("POST /console/users", c.signedIn(c.createUser))
	handle("GET /console/users/~created", c.signedIn(c.createdUser))
	handle("POST /console/users/~created/csv", c.signedIn(c.createdCSV))
	handle("POST /console/users/~created/done", c.signedIn(c.createdDone))
	handle("GET /console/users/{name}", c.signedIn(c.user))
	handle("POST /console/users/{name}/keys/{id}/status", c.signedIn(c.keyStatus))
	handle("POST /console/users/{name}/keys/{id}/delete", c.signedIn(c.keyDelete))
	handle("POST /console/users/{name}/delete", c.signedIn(c.deleteUser))
	handle("POST /console/users/{name}/keys", c.signedIn(c.createUserKey))
	for _, kind := range []string{"users", "groups", "roles"} {
		base := "/console/" + kind + "/{name}"
		handle("POST "+base+"/policies/attach", c.signedIn(c.attachPolicy(kind)))
		handle("POST "+base+"/policies/detach", c.signedIn(c.detachPolicy(kind)))
		handle("GET "+base+"/inline/{policy}", c.signedIn(c.inlinePolicy(kind)))
		handle("POST "+base+"/inline/{policy}/delete", c.signedIn(c.deleteInlinePolicy(kind)))
		handle("GET "+base+"/inline-edit", c.signedIn(c.inlineEditor(kind)))
		handle("POST "+base+"/inline-edit", c.signedIn(c.editorPost(kind[:len(kind)-1]+"-inline")))
	}
	handle("POST /console/users/{name}/groups/add", c.signedIn(c.addUserToGroup))
	handle("POST /console/users/{name}/groups/remove", c.signedIn(c.removeUserFromGroup))
	handle("POST /console/users/{name}/login", c.signedIn(c.setLoginProfile))
	handle("POST /console/users/{name}/login/delete", c.signedIn(c.deleteLoginProfile))
	handle("POST /console/users/{name}/mfa", c.signedIn(c.startMFA))
	handle("GET /console/users/{name}/mfa", c.signedIn(c.mfaSetupForm))
	handle("POST /console/users/{name}/mfa/enable", c.signedIn(c.enableMFA))
	handle("POST /console/users/{name}/mfa/remove", c.signedIn(c.removeMFA))
	handle("POST /console/users/{name}/tags", c.signedIn(c.tagUser))
	handle("POST /console/users/{name}/tags/remove", c.signedIn(c.untagUser))
	handle("GET /console/switchrole", c.signedIn(c.switchRoleForm))
	handle("POST /console/switchrole", c.signedIn(c.switchRole))
	handle("POST /console/switchrole/back", c.signedIn(c.switchBack))
	handle("GET /console/credential-report", c.signedIn(c.credentialReport))
	handle("GET /console/credential-report/csv", c.signedIn(c.credentialReportCSV))
	handle("POST /console/credential-report", c.signedIn(c.generateCredentialReport))
	handle("GET /console/groups", c.signedIn(c.groups))
	handle("GET /console/groups/~new", c.signedIn(c.newGroupForm))
	handle("POST /console/groups", c.signedIn(c.createGroup))
	handle("GET /console/groups/{name}", c.signedIn(c.group))
	handle("POST /console/groups/{name}/users/add", c.signedIn(c.addGroupUser))
	handle("POST /console/groups/{name}/users/remove", c.signedIn(c.removeGroupUser))
	handle("POST /console/groups/{name}/delete", c.signedIn(c.deleteGroup))
	handle("GET /console/roles", c.signedIn(c.roles))
	handle("GET /console/roles/~new", c.signedIn(c.newRoleForm))
	handle("POST /console/roles/~new", c.signedIn(c.newRoleTrust))
	handle("POST /console/roles/create", c.signedIn(c.editorPost("create-role")))
	handle("GET /console/roles/{name}", c.signedIn(c.role))
	handle("POST /console/roles/{name}/settings", c.signedIn(c.updateRole))
	handle("GET /console/roles/{name}/trust", c.signedIn(c.trustEditor))
	handle("POST /console/roles/{name}/trust", c.signedIn(c.editorPost("trust")))
	handle("POST /console/roles/{name}/delete", c.signedIn(c.deleteRole))
	handle("GET /console/policies", c.signedIn(c.policies))
	handle("GET /console/policies/new", c.signedIn(c.policyEditorNew))
	handle("POST /console/policies/new", c.signedIn(c.editorPost("create")))
	handle("GET /console/policy", c.signedIn(c.policyDetail))
	handle("GET /console/policy/edit", c.signedIn(c.policyEditorVersion))
	handle("POST /console/policy/edit", c.signedIn(c.editorPost("version")))
	handle("GET /console/policy/diff", c.signedIn(c.policyDiff))
	handle("POST /console/policy/default", c.signedIn(c.setDefaultVersion))
	handle("POST /console/policy/versions/delete", c.signedIn(c.deleteVersion))
	handle("POST /console/policy/delete", c.signedIn(c.deletePolicy))
	// The editor's live validation: JSON, the CSRF token in a header (fetch from editor.js).
	handle("POST /console/api/validate", c.validateAPI)
	c.moreRoutes(handle)
	c.mux = m
}

// staticHandler serves the embedded assets with an ETag of their content: browsers keep them
// and ask again with If-None-Match (Cache-Control: no-cache), so a new iamd's assets are never
// stale and the editor's 400 KB are fetched once.
func staticHandler() http.Handler {
	static, _ := fs.Sub(staticFS, "static")
	tags := map[string]string{}
	fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := fs.ReadFile(static, p); err == nil {
				sum := sha256.Sum256(b)
				tags[p] = `"` + hex.EncodeToString(sum[:12]) + `"`
			}
		}
		return nil
	})
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tag, ok := tags[strings.TrimPrefix(r.URL.Path, "/")]; ok {
			w.Header().Set("ETag", tag)
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}

// ServeHTTP serves a console request with the security headers every answer carries.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	if r.Method == http.MethodPost && !sameOrigin(r) && r.URL.Path != FederationPath && r.URL.Path != Prefix+FederationPath {
		http.Error(w, "Cross-site request refused.", http.StatusForbidden)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// now is the console's clock.
func (c *Console) now() time.Time { return c.cfg.Now() }

// secure reports whether the request's cookies must be Secure.
func (c *Console) secure(r *http.Request) bool { return r.TLS != nil || c.cfg.SecureCookies }
