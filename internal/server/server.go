// Package server is iamd's HTTP front: one endpoint for IAM and STS. It gives every request an id,
// bounds its body, parses the Query protocol, dispatches on Action and Version to the generated
// operation tables, authenticates (SigV4) and authorizes (policy evaluation) the call, invokes the
// service and writes the result — and it is the one place where errors become AWS XML and where
// requests are logged. It also serves /healthz.
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
	"sync"
	"time"
	"unsafe"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	stsapi "github.com/iamd/iamd/internal/api/sts"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/awsquery"
	"github.com/iamd/iamd/sigv4"
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
	// Iamd are iamd's own operations under /iamd/v1/ (iamd_ops.go); nil serves none.
	Iamd IamdOps
	// Issuers serves outbound federation discovery documents and keys (wellknown.go); nil
	// serves none.
	Issuers Issuers
}

// Server is the HTTP handler.
type Server struct {
	cfg    Config
	bufs   sync.Pool
	access *accessLog // nil: records go to cfg.Logger
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
	s := &Server{cfg: cfg, bufs: sync.Pool{New: func() any { return new(scratch) }}}
	if cfg.AccessLog != nil {
		s.access = newAccessLog(cfg.AccessLog)
	}
	return s
}

// call is one API request in flight. It is allocated per request, not kept in the pooled
// scratch: the response headers point into headers, and the HTTP front may write them after
// ServeHTTP has returned (the race detector shows h1 doing so).
type call struct {
	id        string
	service   string // "iam" or "sts"
	namespace string
	action    string
	principal *authn.Principal
	trace     *authz.Trace // the authorization decisions made for the call
	headers   [2]string    // backing of the response's request-id and length headers
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

// textXML is the Content-Type header value of every API response; net/http only reads it.
var textXML = []string{"text/xml"}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	}
	if s.serveIamd(w, r) || s.serveWellKnown(w, r) {
		return
	}
	start := time.Now()
	c := &call{service: "iam", namespace: iamapi.Namespace}
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
	err := s.handle(r, c, sc)
	if err != nil {
		e, ok := awserr.As(err)
		if !ok {
			var se *sigv4.Error
			// A store that cannot write now (store.ErrStorageFull: a full disk) says so, and the
			// client may retry later; server does not import store, hence the method.
			var unavailable interface{ Unavailable() string }
			if errors.As(err, &se) {
				e = &awserr.Error{Code: se.Code, Message: se.Message, Status: se.Status}
			} else if errors.As(err, &unavailable) {
				s.cfg.Logger.Warn("request failed: storage unavailable", "requestId", c.id, "action", c.action, "err", err)
				e = &awserr.Error{Code: "ServiceUnavailable", Message: unavailable.Unavailable(), Status: http.StatusServiceUnavailable, Receiver: true}
			} else {
				s.cfg.Logger.Error("request failed", "requestId", c.id, "action", c.action, "err", err)
				e = awserr.ServiceFailure()
			}
		}
		status = e.Status
		buf.Reset()
		awsquery.WriteError(buf, c.namespace, e, c.id)
	}
	// Assigned with canonical keys rather than Set: Set canonicalizes each key and allocates a
	// slice per value, on every request.
	h := w.Header()
	h["Content-Type"] = textXML
	c.headers = [2]string{c.id, c.length(buf.Len())}
	h["X-Amzn-Requestid"] = c.headers[0:1:1]
	h["Content-Length"] = c.headers[1:2:2]
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	now := time.Now()
	if s.access != nil {
		s.access.writeCall(now, c, status, now.Sub(start))
		return
	}
	attrs := c.attrs(status, now.Sub(start))
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs[:]...)
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

// handle runs one call and writes its response into buf; it returns the error to answer instead.
func (s *Server) handle(r *http.Request, c *call, sc *scratch) (err error) {
	buf := &sc.out
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Logger.Error("panic", "requestId", c.id, "panic", v, "stack", string(debug.Stack()))
			err = awserr.ServiceFailure()
		}
	}()
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return awserr.New(http.StatusMethodNotAllowed, "InvalidAction", "The HTTP method "+r.Method+" is not supported by this endpoint.")
	}
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
	params, err := awsquery.ParseParams(r.URL.RawQuery, body, r.Header.Get("Content-Type"))
	if err != nil {
		return err
	}
	action, _ := params.Get("Action")
	version, _ := params.Get("Version")
	c.action = action
	if action == "" {
		return awserr.New(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	var (
		decode func(awsquery.Params) (any, error)
		invoke func(ctx context.Context, in any) (awsquery.Result, error)
	)
	switch version {
	case iamapi.Version:
		op, ok := iamapi.Operations[action]
		if !ok {
			return invalidAction(action, version)
		}
		decode = op.Decode
		invoke = func(ctx context.Context, in any) (awsquery.Result, error) { return op.Invoke(ctx, s.cfg.IAM, in) }
	case stsapi.Version:
		c.service, c.namespace = "sts", stsapi.Namespace
		op, ok := stsapi.Operations[action]
		if !ok {
			return invalidAction(action, version)
		}
		decode = op.Decode
		invoke = func(ctx context.Context, in any) (awsquery.Result, error) { return op.Invoke(ctx, s.cfg.STS, in) }
	case "":
		return awserr.New(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter Version.")
	default:
		return invalidAction(action, version)
	}
	decl, _ := authz.DeclOf(c.service, action) // every operation of the models has one (authz's tests)
	unsigned := decl.Unsigned

	meta := authz.Meta{SourceIP: authz.SourceIP(r.RemoteAddr), Secure: r.TLS != nil, UserAgent: r.UserAgent()}
	// The whole request has arrived: from here the call runs to completion and is answered,
	// even if the client goes away meanwhile. net/http ends r.Context() as soon as the client
	// closes its side, and a client that half-closes after sending its request (HTTP/1.0
	// tools, some proxies) still waits for the answer; a write abandoned half-way would be
	// rolled back and answered as a failure. Each store call bounds itself in time.
	c.detached.parent = r.Context()
	ctx, trace := c.rctx.Init(&c.detached, meta)
	c.trace = trace
	p, err := s.cfg.Authn.Authenticate(ctx, r, body, c.service, unsigned)
	if err != nil {
		return err
	}
	c.principal = p
	// Before the parameters are validated, as AWS refuses such credentials before it reads them.
	if err := restrictTemporary(p, c, unsigned); err != nil {
		return err
	}
	in, err := decode(params)
	if err != nil {
		return err
	}
	if decl.Mode == authz.Checked {
		req, err := s.cfg.Authz.Resolve(ctx, p, c.service+":"+action, decl, in)
		if err != nil {
			return err
		}
		if err := s.cfg.Authz.Authorize(ctx, p, meta, req); err != nil {
			return s.encodeDenial(c, err)
		}
	}
	ctx = authn.NewContext(ctx, p)
	res, err := invoke(ctx, in)
	if err != nil {
		return s.encodeDenial(c, err)
	}
	awsquery.WriteResponse(buf, c.namespace, action, res, c.id)
	return nil
}

// encodeDenial appends an encoded authorization message to an AccessDenied that STS issued
// after evaluating policies (AssumeRole's trust check), for DecodeAuthorizationMessage.
func (s *Server) encodeDenial(c *call, err error) error {
	e, ok := awserr.As(err)
	if !ok || c.service != "sts" || e.Code != "AccessDenied" {
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
	if unsigned || (k != authn.UserSession && k != authn.RootSession && k != authn.FederatedUser) {
		return nil
	}
	if c.service == "sts" {
		if c.action == "GetCallerIdentity" || (c.action == "AssumeRole" && k != authn.FederatedUser) {
			return nil
		}
		return awserr.AccessDenied("Cannot call " + c.action + " with session credentials")
	}
	if k != authn.FederatedUser && p.Session().MFA {
		return nil
	}
	return awserr.New(http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid")
}

func invalidAction(action, version string) error {
	return awserr.Newf(http.StatusBadRequest, "InvalidAction", "Could not find operation %s for version %s", action, version)
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
