package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/sigv4"
)

// iamd's own operations, outside the AWS API, live under /iamd/v1/ and answer JSON:
//
//   - POST /iamd/v1/ with a form body (Action=EnrollInstance&…), signed with SigV4 for the iam
//     service like any IAM call and authorized as the action "iamd:"+Action (authz's iamd table);
//   - POST /iamd/v1/instance-credentials with "Authorization: Bearer <instance credential>",
//     the agent's credential fetch, authenticated by the instance credential alone.

// IamdOps are the operations the node plugs in (package instance implements them).
type IamdOps interface {
	// Decode turns action's form parameters into its input; account is the caller's.
	Decode(ctx context.Context, account, action string, form url.Values) (any, error)
	// Invoke runs a decoded, authorized input for the principal in ctx.
	Invoke(ctx context.Context, action string, in any) (any, error)
	// Fetch returns an enrolled instance's role credentials for its instance credential.
	Fetch(ctx context.Context, credential string) (any, error)
	// Decl declares how action is authorized.
	Decl(action string) (authz.Decl, bool)
}

const (
	iamdPrefix   = "/iamd/v1/"
	iamdCredPath = iamdPrefix + "instance-credentials"
)

// serveIamd answers the /iamd/v1/ routes; it reports false for any other path.
func (s *Server) serveIamd(w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, iamdPrefix) {
		return false
	}
	start := time.Now()
	c := &call{id: newRequestID(), service: "iamd"}
	out, err := s.handleIamd(r, c)
	status := http.StatusOK
	var body []byte
	if err == nil {
		body, err = json.Marshal(out)
	}
	if err != nil {
		e, ok := awserr.As(err)
		if !ok {
			var se *sigv4.Error
			if errors.As(err, &se) {
				e = &awserr.Error{Code: se.Code, Message: se.Message, Status: se.Status}
			} else {
				s.cfg.Logger.Error("request failed", "requestId", c.id, "action", c.action, "err", err)
				e = awserr.ServiceFailure()
			}
		}
		status = e.Status
		body, _ = json.Marshal(map[string]any{
			"Error":     map[string]string{"Type": e.Type(), "Code": e.Code, "Message": e.Message},
			"RequestId": c.id,
		})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-Requestid", c.id)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("requestId", c.id),
		slog.String("service", c.service),
		slog.String("action", c.action),
		slog.Any("principal", c.principal),
		slog.Any("authz", c.trace),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start)),
	)
	return true
}

func (s *Server) handleIamd(r *http.Request, c *call) (out any, err error) {
	defer func() {
		if v := recover(); v != nil {
			s.cfg.Logger.Error("panic", "requestId", c.id, "panic", v, "stack", string(debug.Stack()))
			out, err = nil, awserr.ServiceFailure()
		}
	}()
	ops := s.cfg.Iamd
	if ops == nil {
		return nil, awserr.New(http.StatusNotFound, "InvalidAction", "iamd's own operations are not enabled on this server.")
	}
	if r.Method != http.MethodPost {
		return nil, awserr.New(http.StatusMethodNotAllowed, "InvalidAction", "The HTTP method "+r.Method+" is not supported by this endpoint.")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBody+1))
	if err != nil {
		return nil, awserr.New(http.StatusBadRequest, "IncompleteBody", "The request body could not be read.")
	}
	if int64(len(body)) > s.cfg.MaxBody {
		return nil, awserr.New(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("Request body is larger than the limit of %d bytes.", s.cfg.MaxBody))
	}
	meta := authz.Meta{SourceIP: authz.SourceIP(r.RemoteAddr), Secure: r.TLS != nil, UserAgent: r.UserAgent()}
	// The body has been read whole: the call runs to completion even if the client goes away
	// (see handle).
	ctx, trace := authz.NewRequestContext(context.WithoutCancel(r.Context()), meta)
	switch r.URL.Path {
	case iamdCredPath:
		c.action = "GetInstanceCredentials"
		cred, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || cred == "" {
			return nil, awserr.New(http.StatusUnauthorized, "MissingAuthenticationToken", "Request is missing the instance credential (Authorization: Bearer).")
		}
		return ops.Fetch(ctx, cred)
	case iamdPrefix:
	default:
		return nil, awserr.New(http.StatusNotFound, "InvalidAction", "No iamd operation at "+r.URL.Path)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, awserr.InvalidInput("The request body is not a valid form.")
	}
	// Refused as awsquery refuses them (Authenticate relies on it), naming the first in order.
	repeated, found := "", false
	for name, vs := range form {
		if len(vs) > 1 && (!found || name < repeated) {
			repeated, found = name, true
		}
	}
	if found {
		return nil, awserr.New(http.StatusBadRequest, "MalformedQueryString", "The parameter "+strconv.Quote(repeated)+" is given more than once.")
	}
	c.action = form.Get("Action")
	if c.action == "" {
		return nil, awserr.New(http.StatusBadRequest, "MissingAction", "Missing Action")
	}
	c.trace = trace
	p, err := s.cfg.Authn.Authenticate(ctx, r, body, "iam", false)
	if err != nil {
		return nil, err
	}
	c.principal = p
	// iamd's operations are IAM's: the same credentials may not call them.
	if err := restrictTemporary(p, c, false); err != nil {
		return nil, err
	}
	delete(form, "Action")
	in, err := ops.Decode(ctx, p.Account(), c.action, form)
	if err != nil {
		return nil, err
	}
	decl, ok := ops.Decl(c.action)
	if !ok {
		return nil, awserr.InvalidAction(c.action)
	}
	req, err := s.cfg.Authz.Resolve(ctx, p, "iamd:"+c.action, decl, in)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Authz.Authorize(ctx, p, meta, req); err != nil {
		return nil, err
	}
	return ops.Invoke(authn.NewContext(ctx, p), c.action, in)
}
