// Package server is iamd's HTTP front: one endpoint, one request pipeline. Each protocol the
// endpoint speaks is a front (query.go: the AWS Query protocol of IAM and STS; instances.go:
// iamd's own JSON operations) that classifies and decodes a request and encodes its answers;
// everything else happens once, in the pipeline, for every front: the request id, the body
// limit, SigV4 authentication, AWS's limits on temporary credentials, authorization as the
// operation declares it (authz.Decl), invocation, the mapping of errors to AWS errors, and the
// access log. It also serves /healthz, /readyz and the OIDC discovery documents.
package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/awsquery"
	"github.com/iamd/iamd/internal/trail"
)

// DefaultMaxBody bounds a request body. The largest legitimate IAM request (a 10,240-character
// role policy, URL-encoded, with its other parameters) is far below it.
const DefaultMaxBody = 256 << 10

// Config is what the server needs.
type Config struct {
	Authn  *authn.Authenticator
	Authz  *authz.Authorizer
	IAM    iamapi.Service
	STS    stsapi.Service
	Logger *slog.Logger
	// AccessLog, when set, receives the per-request records (in slog's text format, written
	// by accesslog.go); nil sends them to Logger.
	AccessLog io.Writer
	Now       func() time.Time
	// MaxBody bounds request bodies; 0 means DefaultMaxBody.
	MaxBody int64
	// Ready reports whether the server can serve (for /readyz); nil means always.
	Ready func(context.Context) error
	// Instances are iamd's own operations under /iamd/v1/ (instances.go); nil serves none.
	Instances InstanceOps
	// Issuers serves outbound federation discovery documents and keys (wellknown.go); nil
	// serves none.
	Issuers Issuers
	// Metrics counts every call and serves /metrics (internal/metrics); nil counts nothing.
	Metrics Metrics
	// Audit receives every authenticated call, allowed or denied (internal/trail); nil
	// records nothing.
	Audit Auditor
	// CloudTrail answers LookupEvents over the audit trail (cloudtrail.go); nil answers none.
	CloudTrail CloudTrail
	// S3 is the S3 data plane (s3.go); nil serves none, and every request is IAM's or STS's.
	S3 *S3
	// Organizations answers AWS Organizations (organizations.go); nil answers none.
	Organizations Organizations
}

// Auditor records calls in the audit trail (internal/trail implements it).
type Auditor interface {
	Record(trail.Call)
}

// Metrics is what the pipeline reports to (internal/metrics implements it).
type Metrics interface {
	// Call counts an answered call; action is "" when the operation is unknown, decision
	// the authorization's (authzDecision).
	Call(service, action string, status int, decision string, latency time.Duration)
	// AuthFailure counts a call refused by authentication with the AWS error code code.
	AuthFailure(code string)
	// ServeHTTP serves the metrics.
	http.Handler
}

// Server is the HTTP handler.
type Server struct {
	cfg        Config
	bufs       sync.Pool
	access     *accessLog // nil: records go to cfg.Logger
	query      *queryFront
	instances  *instancesFront
	cloudtrail *jsonFront
	orgs       *jsonFront
}

// New returns the handler.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	s := &Server{cfg: cfg, bufs: sync.Pool{New: func() any { return new(scratch) }},
		query: newQueryFront(cfg.IAM, cfg.STS), instances: newInstancesFront(cfg.Instances), cloudtrail: newCloudTrailFront(cfg.CloudTrail),
		orgs: newOrganizationsFront(cfg.Organizations)}
	if cfg.AccessLog != nil {
		s.access = newAccessLog(cfg.AccessLog)
	}
	return s
}

// call is one API request in flight. It is allocated per request, not kept in the pooled
// scratch: the response headers point into headers, and the HTTP front may write them after
// ServeHTTP has returned (the race detector shows leanhttp doing so).
type call struct {
	id        string
	service   string // "iam", "sts" or "iamd": the action's prefix
	namespace string
	action    string
	known     bool // the front found the operation: action names one, for the metrics
	principal *authn.Principal
	trace     *authz.Trace // the authorization decisions made for the call
	// params and result are the call's parameters and the operation's result, for the audit
	// trail.
	params  awsquery.Params
	result  any
	headers [2]string // backing of the response's request-id and length headers
	// idText and lenText hold the bytes of id and of the length header (newID, length).
	idText  [36]byte
	lenText [20]byte
	// rctx is the request's context and trace, in the call's allocation.
	rctx authz.RequestContext
	// detached is the request's context without its cancellation, in the call's allocation.
	detached detachedContext
}

// detachedContext is context.WithoutCancel without its allocation: the values of parent, and
// neither its deadline nor its end.
type detachedContext struct{ parent context.Context }

func (*detachedContext) Deadline() (time.Time, bool) { return time.Time{}, false }
func (*detachedContext) Done() <-chan struct{}       { return nil }
func (*detachedContext) Err() error                  { return nil }
func (c *detachedContext) Value(key any) any         { return c.parent.Value(key) }

// newID fills idText with a new request id (newRequestID) and returns it as a string over
// those bytes, which saves the string's allocation: the call is allocated per request, never
// reused, and idText is not written again, so the string cannot change.
func (c *call) newID() string {
	fillRequestID(&c.idText)
	return unsafe.String(&c.idText[0], len(c.idText))
}

// length returns n in decimal, as a string over lenText (see newID); it is called once.
func (c *call) length(n int) string {
	b := strconv.AppendInt(c.lenText[:0], int64(n), 10)
	return unsafe.String(&b[0], len(b))
}

// scratch is a request's reusable memory: the request body and the response being built. The
// body may be reused because nothing keeps it past the request: the parameters are copied out
// of it, and authentication only reads it.
type scratch struct {
	out, body bytes.Buffer
	limit     io.LimitedReader
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A request signed for S3 is S3's whatever its path: buckets may be named healthz, readyz,
	// metrics or iamd like iamd's own endpoints, which answer unsigned requests.
	if strings.HasPrefix(r.URL.Path, "/healthz") || strings.HasPrefix(r.URL.Path, "/readyz") ||
		strings.HasPrefix(r.URL.Path, "/metrics") || strings.HasPrefix(r.URL.Path, instancesPrefix) {
		if s.signedForS3(r) {
			s.serveS3(w, r)
			return
		}
	}
	switch r.URL.Path {
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
		return
	case "/readyz":
		if s.cfg.Ready != nil {
			if err := s.cfg.Ready(r.Context()); err != nil {
				http.Error(w, "not ready", http.StatusServiceUnavailable)
				return
			}
		}
		io.WriteString(w, "ok\n")
		return
	case "/metrics":
		// Unauthenticated, as /healthz: restrict it at the network level.
		if s.cfg.Metrics != nil {
			s.cfg.Metrics.ServeHTTP(w, r)
			return
		}
	}
	if s.serveWellKnown(w, r) {
		return
	}
	if strings.HasPrefix(r.URL.Path, instancesPrefix) {
		s.serve(w, r, s.instances, &call{service: "iamd"})
		return
	}
	if s.cloudtrail.is(r) {
		s.serve(w, r, s.cloudtrail, &call{service: "cloudtrail"})
		return
	}
	if s.orgs.is(r) {
		s.serve(w, r, s.orgs, &call{service: "organizations"})
		return
	}
	if s.isS3(r) {
		s.serveS3(w, r)
		return
	}
	s.serve(w, r, s.query, &call{service: "iam", namespace: iamapi.Namespace})
}

// front is one protocol of the endpoint: it classifies a request and decodes its parameters,
// and encodes the answers. Everything else is the pipeline's (serve, handle).
type front interface {
	// parse reads which operation a request whose complete body is body asks for, setting the
	// call's service and action.
	parse(r *http.Request, body []byte, c *call) (operation, error)
	// encode writes an operation's result.
	encode(buf *bytes.Buffer, c *call, res any) error
	// encodeError writes an error answer.
	encodeError(buf *bytes.Buffer, c *call, e *awserr.Error)
	// contentType is the answers' Content-Type header value.
	contentType() []string
}

// operation is one call as its front parsed it.
type operation struct {
	scope  string // the service a SigV4 signature must be scoped to: "iam" or "sts"
	decl   authz.Decl
	params awsquery.Params
	// decode validates the parameters into the operation's input; it runs once the caller is
	// authenticated (iamd's own operations read the caller's account).
	decode func(ctx context.Context, r *http.Request, p *authn.Principal, params awsquery.Params) (any, error)
	invoke func(ctx context.Context, in any) (any, error)
}

// serve runs one call through the pipeline and answers it, in f's encoding.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, f front, c *call) {
	start := time.Now()
	c.id = c.newID()
	sc := s.bufs.Get().(*scratch)
	buf := &sc.out
	buf.Reset()
	sc.body.Reset()
	defer func() {
		sc.limit.R = nil
		if buf.Cap() <= 1<<20 && sc.body.Cap() <= 1<<20 {
			s.bufs.Put(sc)
		}
	}()
	status := http.StatusOK
	var failure *awserr.Error
	if err := s.handle(r, f, c, sc); err != nil {
		e := s.answer(c, err)
		status, failure = e.Status, e
		buf.Reset()
		f.encodeError(buf, c, e)
	}
	// Assigned with canonical keys rather than Set: Set canonicalizes each key and allocates a
	// slice per value, on every request.
	h := w.Header()
	h["Content-Type"] = f.contentType()
	c.headers = [2]string{c.id, c.length(buf.Len())}
	h["X-Amzn-Requestid"] = c.headers[0:1:1]
	h["Content-Length"] = c.headers[1:2:2]
	if failure != nil && failure.Code == "AccessDenied" {
		if _, ok := r.Context().Value(explainKey{}).(bool); ok {
			if ev := c.trace.Denial(); ev != nil {
				h.Set(DecidedByHeader, ev.DecidedBy())
			}
		}
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	now := time.Now()
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.Call(c.service, c.knownAction(), status, authzDecision(c.trace), now.Sub(start))
	}
	if s.cfg.Audit != nil && c.principal != nil {
		s.cfg.Audit.Record(c.auditCall(r, start, failure))
	}
	if s.access != nil {
		s.access.writeCall(now, c, status, now.Sub(start))
		return
	}
	attrs := c.attrs(status, now.Sub(start))
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs[:]...)
}

// DecidedByHeader names, on an AccessDenied answer to a request made WithExplain, the
// statement (or the gate without an Allow) that decided the denial, as the access log names it.
const DecidedByHeader = "X-Iamd-Decided-By"

type explainKey struct{}

// WithExplain marks a request's context as one whose denials are explained (DecidedByHeader).
// Only in-process callers can set it (the web console, for the principal it acts for); no
// client's request carries it, so the API's answers to clients are AWS's.
func WithExplain(ctx context.Context) context.Context {
	return context.WithValue(ctx, explainKey{}, true)
}

// auditCall is what the audit trail records of an authenticated call.
func (c *call) auditCall(r *http.Request, start time.Time, failure *awserr.Error) trail.Call {
	tc := trail.Call{Time: start, RequestID: c.id, Service: c.service, Action: c.action,
		Region: c.principal.Region(), SourceIP: authz.SourceIP(r.RemoteAddr), UserAgent: r.UserAgent(),
		Principal: c.principal, Params: c.params.Each, Response: c.result}
	if ev := c.trace.Logged(); ev != nil {
		tc.Resource = ev.Request.Resource
	}
	if failure != nil {
		tc.ErrorCode, tc.ErrorMessage = failure.Code, failure.Message
	}
	return tc
}

// answer is the AWS error a call's failure is answered with: the error itself when it is one
// (authn's included), 503 when the store cannot write now (store.ErrStorageFull: a full disk;
// server does not import store, hence the method), else a ServiceFailure, logged.
func (s *Server) answer(c *call, err error) *awserr.Error {
	if e, ok := awserr.As(err); ok {
		return e
	}
	var unavailable interface{ Unavailable() string }
	if errors.As(err, &unavailable) {
		s.cfg.Logger.Warn("request failed: storage unavailable", "requestId", c.id, "action", c.action, "err", err)
		return &awserr.Error{Code: "ServiceUnavailable", Message: unavailable.Unavailable(), Status: http.StatusServiceUnavailable, Receiver: true}
	}
	s.cfg.Logger.Error("request failed", "requestId", c.id, "action", c.action, "err", err)
	return awserr.ServiceFailure()
}

// attrs are the attributes of the call's access record.
func (c *call) attrs(status int, latency time.Duration) [7]slog.Attr {
	return [...]slog.Attr{
		slog.String("requestId", c.id),
		slog.String("service", c.service),
		slog.String("action", c.action),
		slog.Any("principal", c.principal),
		slog.Any("authz", c.trace),
		slog.Int("status", status),
		slog.Duration("latency", latency),
	}
}

// handle runs one call and writes its answer into sc.out; it returns the error to answer
// instead.
func (s *Server) handle(r *http.Request, f front, c *call, sc *scratch) (err error) {
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Logger.Error("panic", "requestId", c.id, "panic", v, "stack", string(debug.Stack()))
			err = awserr.ServiceFailure()
		}
	}()
	sc.limit = io.LimitedReader{R: r.Body, N: s.cfg.MaxBody + 1}
	_, err = sc.body.ReadFrom(&sc.limit)
	body := sc.body.Bytes()
	if err != nil {
		return awserr.New(http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
	}
	if int64(len(body)) > s.cfg.MaxBody {
		return awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Request body is larger than the limit of %d bytes.", s.cfg.MaxBody))
	}
	// The parameters are parsed, and a name given twice refused, before authentication:
	// Authenticate relies on it (the signature covers the body, not which of two values a
	// decoder would keep).
	op, err := f.parse(r, body, c)
	if err != nil {
		return err
	}
	c.params = op.params
	c.known = true
	origin := authz.Origin{SourceIP: authz.SourceIP(r.RemoteAddr), Secure: r.TLS != nil, UserAgent: r.UserAgent()}
	// The whole request has arrived: from here the call runs to completion and is answered,
	// even if the client goes away meanwhile. net/http ends r.Context() as soon as the client
	// closes its side, and a client that half-closes after sending its request (HTTP/1.0
	// tools, some proxies) still waits for the answer; a write abandoned half-way would be
	// rolled back and answered as a failure. Each store call bounds itself in time.
	c.detached.parent = r.Context()
	ctx, trace := c.rctx.Init(&c.detached, origin)
	c.trace = trace
	p := authn.AnonymousPrincipal() // Bearer: the service checks the call's own credential
	if op.decl.Auth != authz.Bearer {
		if p, err = s.cfg.Authn.Authenticate(ctx, r, body, op.scope, op.decl.Auth == authz.Unsigned); err != nil {
			s.authFailure(err)
			return err
		}
	}
	c.principal = p
	// Before the parameters are validated, as AWS refuses such credentials before it reads them.
	if err := restrictTemporary(p, c, op.decl.Auth != authz.Signed); err != nil {
		return err
	}
	in, err := op.decode(ctx, r, p, op.params)
	if err != nil {
		return err
	}
	if op.decl.Mode == authz.Checked {
		req, err := s.cfg.Authz.Resolve(ctx, p, c.service+":"+c.action, op.decl, in)
		if err != nil {
			return err
		}
		if err := s.cfg.Authz.Authorize(ctx, p, origin, req); err != nil {
			return s.encodeDenial(c, err)
		}
	}
	res, err := op.invoke(authn.NewContext(ctx, p), in)
	if err != nil {
		return s.encodeDenial(c, err)
	}
	c.result = res
	return f.encode(&sc.out, c, res)
}

// knownAction is the call's action when the front found its operation, else "": the action of
// an unknown operation is whatever the request says, not a label to keep.
func (c *call) knownAction() string {
	if !c.known {
		return ""
	}
	return c.action
}

// authzDecision is the call's final authorization decision as the metrics label it: the first
// denial, else the last decision (authz.Trace.Logged).
func authzDecision(t *authz.Trace) string {
	ev := t.Logged()
	if ev == nil {
		return "not_evaluated"
	}
	// By its name: server does not import policy.
	switch ev.Result.Decision.String() {
	case "allowed":
		return "allowed"
	case "explicitDeny":
		return "explicit_deny"
	}
	return "implicit_deny"
}

// authFailure counts a failed authentication by the AWS error code it is answered with. An
// error that is not an AWS error is iamd's (the store's), not the caller's: the requests
// counter has it, as a 5xx.
func (s *Server) authFailure(err error) {
	if s.cfg.Metrics == nil {
		return
	}
	if e, ok := awserr.As(err); ok {
		s.cfg.Metrics.AuthFailure(e.Code)
	}
}

// encodeDenial appends an encoded authorization message, for DecodeAuthorizationMessage, to an
// AccessDenied of iamd's own instance operations: they stand for EC2's instance-profile calls,
// and EC2 is among the services whose denials AWS encodes. IAM and STS never encode theirs
// (AssumeRole's reads "User: … is not authorized to perform: sts:AssumeRole on resource: …"),
// so theirs are answered as they are; the access log keeps the decision either way.
func (s *Server) encodeDenial(c *call, err error) error {
	e, ok := awserr.As(err)
	if !ok || c.service != "iamd" || e.Code != "AccessDenied" {
		return err
	}
	msg := s.cfg.Authz.EncodeMessage(c.trace.Denial())
	if msg == "" {
		return err
	}
	out := *e
	out.Message += " Encoded authorization failure message: " + msg
	return &out
}

// restrictTemporary applies AWS's limits on what GetSessionToken and GetFederationToken
// credentials may call, whatever their policies allow. GetSessionToken credentials: IAM only
// with MFA; of STS only AssumeRole and GetCallerIdentity. GetFederationToken credentials: no IAM
// operation at all; of STS only GetCallerIdentity. Operations that take no credentials
// (AssumeRoleWithWebIdentity, AssumeRoleWithSAML: unsigned) are not theirs to refuse.
func restrictTemporary(p *authn.Principal, c *call, unsigned bool) error {
	k := p.Kind()
	if unsigned || c.service == "cloudtrail" || c.service == "organizations" || (k != authn.UserSession && k != authn.RootSession && k != authn.FederatedUser) {
		return nil
	}
	if k == authn.RootSession && authz.RootTask(p.Session()) {
		// A session of sts:AssumeRoot exists for its task's IAM (and S3) calls: its task
		// policy, not these limits, bounds it.
		return nil
	}
	if c.service == "sts" {
		if c.action == "GetCallerIdentity" || (c.action == "AssumeRole" && k != authn.FederatedUser) {
			return nil
		}
		return awserr.AccessDenied("Cannot call " + c.action + " with session credentials")
	}
	if k != authn.FederatedUser && (p.Session().MFA || p.Session().Console) {
		return nil // with MFA, or a console sign-in's session (which AWS does not limit)
	}
	return awserr.New(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid")
}

// newRequestID returns a random UUID (version 4), the form of AWS's request ids. A request id
// is a label, not a secret: nothing is granted to whoever knows or guesses one. So its bits come
// from the runtime's generator (ChaCha8 streams seeded from the OS) rather than from
// crypto/rand, which costs about 80 ns for these 16 bytes.
func newRequestID() string {
	var b [36]byte
	fillRequestID(&b)
	return string(b[:])
}

// fillRequestID writes a new request id (newRequestID) into out.
func fillRequestID(out *[36]byte) {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	j := 0
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[c>>4], hex[c&0xf]
		j += 2
	}
}

// LogWriter batches log records for an io.Writer such as stderr, so that the access log costs
// a memory copy per request instead of a write system call. Records reach w when the buffer
// fills, at most FlushEvery after they were written, and on Flush or Close: a process that
// stops normally loses none; one killed outright loses at most the last FlushEvery of them.
// It is safe for concurrent use (slog's handlers write each record with one Write call).
type LogWriter struct {
	mu    sync.Mutex
	buf   []byte
	w     io.Writer
	err   error
	stop  chan struct{}
	done  chan struct{}
	limit int
}

// DefaultFlushEvery is how long a log record may wait in a LogWriter's buffer.
const DefaultFlushEvery = 100 * time.Millisecond

// NewLogWriter returns a LogWriter over w that flushes every interval (DefaultFlushEvery if
// interval ≤ 0) and whenever 64 KiB are waiting. Close it to flush the rest.
func NewLogWriter(w io.Writer, interval time.Duration) *LogWriter {
	if interval <= 0 {
		interval = DefaultFlushEvery
	}
	lw := &LogWriter{w: w, buf: make([]byte, 0, 64<<10), limit: 64 << 10,
		stop: make(chan struct{}), done: make(chan struct{})}
	go lw.loop(interval)
	return lw
}

func (lw *LogWriter) loop(interval time.Duration) {
	defer close(lw.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			lw.Flush()
		case <-lw.stop:
			return
		}
	}
}

// Write buffers p; it reports the error of the last flush, if that failed.
func (lw *LogWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.buf)+len(p) > lw.limit {
		lw.flushLocked()
	}
	if len(p) > lw.limit {
		// Too big to batch: write through, after what is already waiting.
		_, err := lw.w.Write(p)
		return len(p), err
	}
	lw.buf = append(lw.buf, p...)
	return len(p), lw.err
}

// Flush writes what is buffered.
func (lw *LogWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.flushLocked()
	return lw.err
}

func (lw *LogWriter) flushLocked() {
	if len(lw.buf) == 0 {
		return
	}
	// A failed write is reported, and the next flush tries again with later records: one
	// bad moment on stderr must not silence the log for good.
	_, lw.err = lw.w.Write(lw.buf)
	lw.buf = lw.buf[:0]
}

// Close stops the periodic flush and flushes what is left. It must be called once.
func (lw *LogWriter) Close() error {
	close(lw.stop)
	<-lw.done
	return lw.Flush()
}
