// Package upstream is the S3 backend that forwards to an S3-compatible server behind iamd
// (versitygw, MinIO, Ceph RGW, AWS S3). The front has authenticated and authorized each request
// and hands it over path-style with its body decoded; the backend re-signs it with iamd's own
// credentials (SigV4, service s3, UNSIGNED-PAYLOAD) and streams the body both ways.
//
// What it forwards:
//   - the key byte for byte: the decoded path r.URL.Path, never cleaned, sent in S3's canonical
//     encoding (see wirePath), and the raw query as the client sent it minus a presigned URL's
//     X-Amz-* authentication parameters;
//   - the request headers S3 gives a meaning to (see forwardHeader), never Authorization, the
//     client's own signing headers, hop-by-hop headers or iamd's X-Iamd-*;
//   - the body with its Content-Length (no chunked transfer when the length is known). The body
//     may fail instead of ending (the front checks hashes and signatures while it streams): the
//     last byte is held back until the body has ended, and the upstream request is aborted, its
//     connection reset, so the backend never receives a complete request and stores nothing.
//
// What it answers: the backend's status, headers (minus hop-by-hop; the request ids the front
// put in w.Header() are kept and the backend's dropped) and body, streamed through a pooled
// buffer and flushed as it goes (a GET's body from a plain-HTTP backend is spliced from socket
// to socket instead: splice.go); an object's address the backend gives in its own name (a
// Location header, CompleteMultipartUpload's <Location>) is rewritten to the client's scheme and
// Host (location.go). The backend's S3 error documents pass through unchanged: their
// RequestId and HostId are the backend's. A backend that cannot be reached is a 503
// ServiceUnavailable, one whose answer does not start in time (30 seconds for an object's data,
// 2 minutes for copies, completions and listings) a 503 SlowDown; neither is retried
// here (the client's SDK retries 503s with backoff). A response body that breaks off midway
// aborts the client's connection (panic(http.ErrAbortHandler)) so the client cannot take a
// truncated object for a whole one: the front must let that panic through, as net/http does.
package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamd/iamd/internal/s3/s3err"
)

// Config configures a Backend.
type Config struct {
	// URL is http(s)://host[:port] of the backend; requests are sent to it path-style.
	URL string
	// AccessKeyID and SecretAccessKey are iamd's credentials at the backend.
	AccessKeyID, SecretAccessKey string
	// Region is the signing region; default us-east-1.
	Region string
	// Transport carries the requests; nil is a transport tuned for a backend (see
	// NewTransport).
	Transport http.RoundTripper
	// ResponseHeaderTimeout bounds the wait for the backend's response headers after the request
	// has been sent, when Transport is nil; default 2 minutes (a CopyObject or a
	// CompleteMultipartUpload of large objects answers only when done on some backends).
	ResponseHeaderTimeout time.Duration
	// DataResponseHeaderTimeout is that bound for reading and writing an object's data (GET,
	// HEAD, and PUT without a copy source), which a working backend answers at once: a backend
	// that hangs is then a prompt 503 SlowDown. Default 30 seconds; never more than
	// ResponseHeaderTimeout.
	DataResponseHeaderTimeout time.Duration
}

// DefaultResponseHeaderTimeout is Config.ResponseHeaderTimeout's default.
const DefaultResponseHeaderTimeout = 2 * time.Minute

// DefaultDataResponseHeaderTimeout is Config.DataResponseHeaderTimeout's default.
const DefaultDataResponseHeaderTimeout = 30 * time.Second

// Backend forwards S3 requests to one S3-compatible server.
type Backend struct {
	scheme, host string
	region       string
	creds        aws.Credentials
	rt           http.RoundTripper
	dataRT       http.RoundTripper // rt, with the data operations' header timeout
	signer       *v4.Signer
	// raw carries GETs when the backend speaks plain HTTP and no Transport was given
	// (splice.go); nil otherwise.
	raw *rawConns
}

// New returns a Backend for cfg. It does not contact the backend (see Check).
func New(cfg Config) (*Backend, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("upstream: URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("upstream: URL %q: the scheme must be http or https", cfg.URL)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("upstream: URL %q: want scheme://host[:port] and nothing else", cfg.URL)
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, errors.New("upstream: the backend's access key id and secret access key are required")
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	rt, dataRT := cfg.Transport, cfg.Transport
	var raw *rawConns
	if rt == nil {
		timeout := cfg.ResponseHeaderTimeout
		if timeout <= 0 {
			timeout = DefaultResponseHeaderTimeout
		}
		dataTimeout := cfg.DataResponseHeaderTimeout
		if dataTimeout <= 0 {
			dataTimeout = DefaultDataResponseHeaderTimeout
		}
		dataTimeout = min(dataTimeout, timeout)
		t, err := NewTransport(timeout)
		if err != nil {
			return nil, err
		}
		dt, err := NewTransport(dataTimeout)
		if err != nil {
			return nil, err
		}
		rt, dataRT = t, dt
		if u.Scheme == "http" {
			raw = &rawConns{addr: hostPort(u), headerTimeout: timeout, dataTimeout: dataTimeout,
				dialer: net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}}
		}
	}
	return &Backend{
		raw:    raw,
		dataRT: dataRT,
		scheme: u.Scheme,
		host:   u.Host,
		region: region,
		creds:  aws.Credentials{AccessKeyID: cfg.AccessKeyID, SecretAccessKey: cfg.SecretAccessKey, Source: "iamd"},
		rt:     rt,
		signer: v4.NewSigner(func(o *v4.SignerOptions) {
			// S3 signs the path as sent, URI-encoded once: it is escaped already.
			o.DisableURIPathEscaping = true
		}),
	}, nil
}

// NewTransport is the transport New uses when Config.Transport is nil: keep-alives with up to
// 128 idle connections to the backend, a 3 s dial timeout, the given response header timeout,
// no transparent compression (bodies and their lengths pass through as they are), no proxy
// from the environment, and TLS verified against the system's roots plus AWS_CA_BUNDLE's when
// that names a file.
func NewTransport(responseHeaderTimeout time.Duration) (*http.Transport, error) {
	roots, err := rootCAs()
	if err != nil {
		return nil, err
	}
	return &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		WriteBufferSize:       32 << 10,
		ReadBufferSize:        32 << 10,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
	}, nil
}

// rootCAs is the system pool plus the certificates of AWS_CA_BUNDLE, or nil (the system pool)
// when it is unset.
func rootCAs() (*x509.CertPool, error) {
	path := os.Getenv("AWS_CA_BUNDLE")
	if path == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("upstream: AWS_CA_BUNDLE: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("upstream: AWS_CA_BUNDLE %s holds no PEM certificate", path)
	}
	return pool, nil
}

// unsignedPayload is the x-amz-content-sha256 of every forwarded request: the body streams
// once, unhashed (the front has checked the client's hash or signature already).
const unsignedPayload = "UNSIGNED-PAYLOAD"

// newRequest builds the upstream request for method, decoded path and raw query.
func (b *Backend) newRequest(ctx context.Context, method, path, rawQuery string) (*http.Request, error) {
	out, err := http.NewRequestWithContext(ctx, method, b.scheme+"://"+b.host+"/", nil)
	if err != nil {
		return nil, err
	}
	// The request line and the signature both take EscapedPath, which is RawPath: a valid
	// encoding of Path.
	out.URL.Path, out.URL.RawPath = path, wirePath(path)
	out.URL.RawQuery = rawQuery
	return out, nil
}

// sign signs out in place; the query on the wire stays as it was (the signer canonicalizes
// it, S3 canonicalizes what it receives the same way).
func (b *Backend) sign(out *http.Request) error {
	raw := out.URL.RawQuery
	out.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
	err := b.signer.SignHTTP(out.Context(), b.creds, out, unsignedPayload, "s3", b.region, time.Now())
	out.URL.RawQuery = raw
	return err
}

// ServeHTTP forwards r to the backend and streams its answer to w.
func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The upstream request ends with the client's, but through abort (see upload.abort).
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(r.Context()))
	defer cancel(nil)
	up := &upload{cancel: cancel}
	var body *bodyReader
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		body = &bodyReader{src: r.Body, left: r.ContentLength, abort: up.abort}
		up.body = body
		// The transport may go on reading the body after this handler returns (when the
		// backend answers before the body is through); a closed bodyReader reads nothing more.
		defer body.Close()
	}
	stop := context.AfterFunc(r.Context(), func() { up.abort(context.Cause(r.Context())) })
	defer stop()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: up.gotConn})

	out, err := b.newRequest(ctx, r.Method, r.URL.Path, forwardQuery(r.URL.RawQuery))
	if err != nil {
		b.fail(w, r, s3err.InternalError())
		return
	}
	copyRequestHeaders(out.Header, r.Header)
	if body != nil {
		out.Body = body
		out.ContentLength = r.ContentLength
	}
	if err := b.sign(out); err != nil {
		b.fail(w, r, s3err.InternalError())
		return
	}

	var resp *http.Response
	var raw *rawConn // the connection of a raw GET (splice.go), owned here
	if b.raw != nil && r.Method == http.MethodGet && body == nil {
		timeout := b.raw.headerTimeout
		if dataOp(r) {
			timeout = b.raw.dataTimeout
		}
		resp, raw, err = b.raw.roundTrip(ctx, out, timeout)
	} else if dataOp(r) {
		resp, err = b.dataRT.RoundTrip(out)
	} else {
		resp, err = b.rt.RoundTrip(out)
	}
	if err != nil {
		b.fail(w, r, upstreamError(err, body, r.Context()))
		return
	}
	if raw == nil {
		defer resp.Body.Close()
	}

	h := w.Header()
	copyResponseHeaders(h, resp.Header)
	b.rewriteLocationHeader(h, r)
	var src io.Reader = resp.Body
	length := resp.ContentLength
	if r.Method == http.MethodPost && resp.StatusCode == http.StatusOK && r.URL.Query().Has("uploadId") {
		// CompleteMultipartUpload: its <Location> names the object by the client's address.
		src = newLocationRewriter(resp.Body, b.scheme+"://"+b.host, clientBase(r))
		h.Del("Content-Length")
		length = -1
	}
	w.WriteHeader(resp.StatusCode)
	if r.Method == http.MethodHead {
		return
	}
	if raw != nil {
		if resp.ContentLength >= 0 && len(resp.TransferEncoding) == 0 {
			b.raw.relay(ctx, w, resp, raw)
			return
		}
		defer raw.Close() // a body of unknown length is read to its end and not reused
	}
	stream(w, src, length)
}

// dataOp reports whether r reads or writes an object's data (or asks whether a bucket exists),
// which a backend answers without working long first: not a copy, not the completion of a
// multipart upload, not a listing or a batch delete.
func dataOp(r *http.Request) bool {
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch r.Method {
	case http.MethodGet:
		return key != "" // a bucket's GETs list, or read a configuration
	case http.MethodHead:
		return true
	case http.MethodPut:
		return key != "" && r.Header.Get("X-Amz-Copy-Source") == ""
	}
	return false
}

// hostPort is u's host with the scheme's default port when it names none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}

// upstreamError is the answer when the round trip failed with err.
func upstreamError(err error, body *bodyReader, clientCtx context.Context) *s3err.Error {
	if body != nil {
		if berr := body.failure(); berr != nil {
			// The client's body failed: answer the front's verdict on it.
			if e, ok := s3err.As(berr); ok {
				return e
			}
			return s3err.IncompleteBody()
		}
	}
	if clientCtx.Err() != nil {
		// The client went away; nobody reads this answer but the access log.
		return s3err.RequestTimeout()
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return s3err.ServiceUnavailable()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return s3err.SlowDown()
	}
	return s3err.ServiceUnavailable()
}

// fail answers e with the request ids the front has set.
func (b *Backend) fail(w http.ResponseWriter, r *http.Request, e *s3err.Error) {
	h := w.Header()
	s3err.Write(w, r, e, h.Get("X-Amz-Request-Id"), h.Get("X-Amz-Id-2"))
}

// bufSize is the size of the pooled buffers response bodies stream through.
const bufSize = 128 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// stream copies the backend's body to w, flushing after each write so that a slow backend's
// bytes reach the client as they come. A body that breaks off before its end aborts the
// client's connection: ending the response normally would let a chunked answer look complete.
func stream(w http.ResponseWriter, body io.Reader, length int64) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	rc := http.NewResponseController(w)
	var n64 int64
	for {
		n, err := body.Read(buf)
		if n > 0 {
			n64 += int64(n)
			if _, werr := w.Write(buf[:n]); werr != nil {
				return // the client went away; the deferred cancel ends the upstream request
			}
			if err == nil {
				_ = rc.Flush()
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			if length >= 0 && n64 >= length {
				return
			}
			panic(http.ErrAbortHandler)
		}
	}
}

// Check reports whether the backend answers a signed ListBuckets with a success, within ctx.
func (b *Backend) Check(ctx context.Context) error {
	out, err := b.newRequest(ctx, http.MethodGet, "/", "")
	if err != nil {
		return err
	}
	if err := b.sign(out); err != nil {
		return err
	}
	resp, err := b.rt.RoundTrip(out)
	if err != nil {
		return fmt.Errorf("upstream: %s unreachable: %w", b.host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("upstream: %s answered ListBuckets with %s", b.host, resp.Status)
	}
	return nil
}
