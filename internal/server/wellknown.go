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
	id, doc, ok := issuerDocPath(p)
	if !ok {
		return false
	}
	get := s.cfg.Issuers.Discovery
	if doc == jwksSuffix {
		get = s.cfg.Issuers.JWKS
	}
	h := w.Header()
	if id == "" || strings.Contains(id, "/") {
		http.NotFound(w, r)
		return true
	}
	body, found, err := get(r.Context(), id)
	switch {
	case err != nil:
		s.cfg.Logger.Error("issuer document", "path", p, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return true
	case !found:
		http.NotFound(w, r)
		return true
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	// Relying parties cache keys; a short max-age lets them see a rotation within minutes.
	h.Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body)
	}
	return true
}

// issuerDocPath splits a path ending in an issuer document into the issuer id (the text between
// the issuer prefix and the document suffix, which may be empty or hold slashes: the caller
// refuses those) and the document suffix; ok is false for any other path.
func issuerDocPath(p string) (id, doc string, ok bool) {
	i := strings.Index(p, issuerPrefix)
	if i < 0 {
		return "", "", false
	}
	rest := p[i+len(issuerPrefix):]
	for _, suffix := range []string{discoverySuffix, jwksSuffix} {
		if strings.HasSuffix(rest, suffix) {
			return strings.TrimSuffix(rest, suffix), suffix, true
		}
	}
	return "", "", false
}
