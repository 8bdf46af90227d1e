package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// Outbound web identity federation publishes, under each enabled account's issuer
// (PUBLIC_URL/outbound-federation/ID), the OpenID Connect discovery document and the JWKS it
// names, as unauthenticated GETs: relying parties verify iamd's tokens with them.

// Issuers serves the issuers' documents (sts.Outbound implements it); ok is false for an id
// no enabled account has.
type Issuers interface {
	Discovery(ctx context.Context, id string) (doc []byte, ok bool, err error)
	JWKS(ctx context.Context, id string) (doc []byte, ok bool, err error)
}

const (
	issuerPrefix    = "/outbound-federation/"
	discoverySuffix = "/.well-known/openid-configuration"
	jwksSuffix      = "/.well-known/jwks.json"
)

// serveWellKnown answers GETs of the issuers' documents; it reports false for any other
// request. The issuer prefix may follow a path prefix a reverse proxy left in place.
func (s *Server) serveWellKnown(w http.ResponseWriter, r *http.Request) bool {
	if s.cfg.Issuers == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	p := r.URL.Path
	i := strings.Index(p, issuerPrefix)
	if i < 0 {
		return false
	}
	rest := p[i+len(issuerPrefix):]
	var get func(context.Context, string) ([]byte, bool, error)
	var id string
	switch {
	case strings.HasSuffix(rest, discoverySuffix):
		id, get = strings.TrimSuffix(rest, discoverySuffix), s.cfg.Issuers.Discovery
	case strings.HasSuffix(rest, jwksSuffix):
		id, get = strings.TrimSuffix(rest, jwksSuffix), s.cfg.Issuers.JWKS
	default:
		return false
	}
	h := w.Header()
	if strings.Contains(id, "/") {
		http.NotFound(w, r)
		return true
	}
	doc, ok, err := get(r.Context(), id)
	switch {
	case err != nil:
		s.cfg.Logger.Error("issuer document", "path", p, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return true
	case !ok:
		http.NotFound(w, r)
		return true
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	// Relying parties cache keys; a short max-age lets them see a rotation within minutes.
	h.Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(doc)
	}
	return true
}
