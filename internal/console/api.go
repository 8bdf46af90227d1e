package console

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// apiHost is the host the console's SDK client signs for; the requests never leave the process.
const apiHost = "console.iamd.invalid"

// browser is what the API should know of the browser a console call is made for: its address
// (aws:SourceIp, the audit trail) and whether it came over TLS (aws:SecureTransport).
type browser struct {
	remoteAddr string
	tls        *tls.ConnectionState
}

type browserKey struct{}

// inProcess is an http.RoundTripper that hands the SDK's request to the node's handler: the
// same pipeline as any client's (authentication, authorization, audit), without a socket.
type inProcess struct{ h http.Handler }

func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.Host = r.URL.Host
	r.RequestURI = r.URL.RequestURI()
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	r.RemoteAddr = "127.0.0.1:0"
	if b, ok := req.Context().Value(browserKey{}).(browser); ok {
		r.RemoteAddr, r.TLS = b.remoteAddr, b.tls
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// clockSigner signs with the console's clock rather than the SDK's: the API checks a
// signature's time against the node's clock, which tests move.
type clockSigner struct {
	s   *v4.Signer
	now func() time.Time
}

func (c clockSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, opts ...func(*v4.SignerOptions)) error {
	return c.s.SignHTTP(ctx, creds, r, payloadHash, service, region, c.now(), opts...)
}

// api returns an IAM client acting with the session's credentials, and the context its calls
// take (the browser's facts, the request's cancellation).
func (c *Console) api(r *http.Request, sess session) (*iam.Client, context.Context) {
	return c.iamWith(r, sess.actingCreds())
}

// sdkConfig is what every client of the console shares: iamd's own handler reached through
// transport, the given credentials, no retries (a retry would repeat a denial or a conflict).
// Each client adds signer(), which signs by the node's clock.
func (c *Console) sdkConfig(creds Credentials, transport http.RoundTripper) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + apiHost),
		Credentials:  staticCreds(creds),
		HTTPClient:   &http.Client{Transport: transport},
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
		AppID:        "iamd-console",
	}
}

func (c *Console) signer() clockSigner { return clockSigner{v4.NewSigner(), c.now} }

// iamWith returns an IAM client acting with creds.
func (c *Console) iamWith(r *http.Request, creds Credentials) (*iam.Client, context.Context) {
	return iam.NewFromConfig(c.sdkConfig(creds, inProcess{c.cfg.API}), func(o *iam.Options) { o.HTTPSignerV4 = c.signer() }),
		c.callContext(r)
}

// stsWith returns an STS client acting with creds.
func (c *Console) stsWith(r *http.Request, creds Credentials) (*sts.Client, context.Context) {
	return sts.NewFromConfig(c.sdkConfig(creds, inProcess{c.cfg.API}), func(o *sts.Options) { o.HTTPSignerV4 = c.signer() }),
		c.callContext(r)
}

// callContext is the context of the API calls made for a browser's request.
func (c *Console) callContext(r *http.Request) context.Context {
	return context.WithValue(r.Context(), browserKey{}, browser{remoteAddr: r.RemoteAddr, tls: r.TLS})
}

func staticCreds(c Credentials) aws.CredentialsProvider {
	creds := c.sdk()
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
}

// DecidedByHeader is the header in which the API names what decided a denial of the
// console's in-process calls (server.DecidedByHeader; the console does not import the server).
const DecidedByHeader = "X-Iamd-Decided-By"

// apiError is an API error as a page shows it: AWS's code and message, and for a denial the
// statement that decided it (or the policy type without an Allow).
type apiError struct {
	Code, Message string
	DecidedBy     string
}

// explain turns a call's error into what a page shows: the service's own code and words
// (AccessDenied with the policy's explanation, NoSuchEntity, …); anything else is a fault.
func explain(err error) *apiError {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e := &apiError{Code: ae.ErrorCode(), Message: ae.ErrorMessage()}
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.Response != nil {
			e.DecidedBy = re.Response.Header.Get(DecidedByHeader)
		}
		return e
	}
	return &apiError{Code: "InternalFailure", Message: "The console could not complete the call."}
}

// status is the HTTP status a page answers with for a call's error.
func (e *apiError) status() int {
	switch {
	case e == nil:
		return http.StatusOK
	case e.Code == "AccessDenied" || e.Code == "AccessDeniedException":
		return http.StatusForbidden
	case e.Code == "NoSuchEntity":
		return http.StatusNotFound
	case e.Code == "DeleteConflict" || e.Code == "EntityAlreadyExists" || e.Code == "LimitExceeded":
		return http.StatusConflict
	case e.Code == "InternalFailure" || e.Code == "ServiceFailure":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}
