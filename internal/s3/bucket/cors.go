package bucket

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/internal/s3/s3err"
	"github.com/iamd/iamd/internal/store"
)

// maxCORSRules is S3's limit on the rules of a CORS configuration.
const maxCORSRules = 100

// corsRule is one validated CORSRule; it is also how the rules are stored (JSON).
type corsRule struct {
	ID             string   `json:",omitempty"`
	AllowedHeaders []string `json:",omitempty"`
	AllowedMethods []string
	AllowedOrigins []string
	ExposeHeaders  []string `json:",omitempty"`
	MaxAgeSeconds  *int     `json:",omitempty"`
}

type corsConfiguration struct {
	XMLName xml.Name      `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CORSConfiguration"`
	Rules   []xmlCORSRule `xml:"CORSRule"`
}

type xmlCORSRule struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *string  `xml:"MaxAgeSeconds"`
}

var corsMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "DELETE": true, "HEAD": true}

// parseCORS reads and validates PutBucketCors's document as S3 does: one to 100 rules, each
// with at least one AllowedMethod (GET, PUT, POST, DELETE or HEAD) and AllowedOrigin, at most
// one wildcard in an origin or allowed header, an ID of at most 255 characters, an integer
// MaxAgeSeconds.
func parseCORS(body []byte) ([]corsRule, *s3err.Error) {
	var in struct {
		XMLName xml.Name      `xml:"CORSConfiguration"`
		Rules   []xmlCORSRule `xml:"CORSRule"`
	}
	if e := decodeXML(body, &in); e != nil {
		return nil, e
	}
	if len(in.Rules) == 0 {
		return nil, s3err.MalformedXML()
	}
	if len(in.Rules) > maxCORSRules {
		return nil, s3err.InvalidRequest("The number of CORS rules should not exceed allowed limit of 100 rules.")
	}
	out := make([]corsRule, 0, len(in.Rules))
	for _, x := range in.Rules {
		if len(x.AllowedMethods) == 0 || len(x.AllowedOrigins) == 0 || len(x.ID) > 255 {
			return nil, s3err.MalformedXML()
		}
		for _, m := range x.AllowedMethods {
			if !corsMethods[m] {
				return nil, s3err.InvalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is " + m)
			}
		}
		for _, o := range x.AllowedOrigins {
			if strings.Count(o, "*") > 1 {
				return nil, s3err.InvalidRequest(`AllowedOrigin "` + o + `" can not have more than one wildcard.`)
			}
		}
		for _, h := range x.AllowedHeaders {
			if strings.Count(h, "*") > 1 {
				return nil, s3err.InvalidRequest(`AllowedHeader "` + h + `" can not have more than one wildcard.`)
			}
		}
		rule := corsRule{ID: x.ID, AllowedHeaders: x.AllowedHeaders, AllowedMethods: x.AllowedMethods,
			AllowedOrigins: x.AllowedOrigins, ExposeHeaders: x.ExposeHeaders}
		if x.MaxAgeSeconds != nil {
			n, err := strconv.Atoi(strings.TrimSpace(*x.MaxAgeSeconds))
			if err != nil {
				return nil, s3err.MalformedXML()
			}
			rule.MaxAgeSeconds = &n
		}
		out = append(out, rule)
	}
	return out, nil
}

func (r *Registry) getBucketCORS(w http.ResponseWriter, req *http.Request, c *call) {
	if len(c.b.cors) == 0 {
		answerErr(w, req, noSuchCORS(c.b.Name))
		return
	}
	out := corsConfiguration{}
	for _, rule := range c.b.cors {
		x := xmlCORSRule{ID: rule.ID, AllowedHeaders: rule.AllowedHeaders, AllowedMethods: rule.AllowedMethods,
			AllowedOrigins: rule.AllowedOrigins, ExposeHeaders: rule.ExposeHeaders}
		if rule.MaxAgeSeconds != nil {
			s := strconv.Itoa(*rule.MaxAgeSeconds)
			x.MaxAgeSeconds = &s
		}
		out.Rules = append(out.Rules, x)
	}
	writeXML(w, http.StatusOK, out)
}

func (r *Registry) putBucketCORS(w http.ResponseWriter, req *http.Request, c *call) {
	body, err := readConfig(req)
	if err != nil {
		failure(w, req, err)
		return
	}
	rules, e := parseCORS(body)
	if e != nil {
		answerErr(w, req, e)
		return
	}
	js, err := json.Marshal(rules)
	if err != nil {
		failure(w, req, err)
		return
	}
	r.change(w, req, c, http.StatusOK, func(_ store.Tx, b *store.Bucket) error {
		b.CORS = string(js)
		return nil
	})
}

func (r *Registry) deleteBucketCORS(w http.ResponseWriter, req *http.Request, c *call) {
	r.change(w, req, c, http.StatusNoContent, func(_ store.Tx, b *store.Bucket) error {
		b.CORS = ""
		return nil
	})
}

// ---- evaluation ----

// originMatches: an AllowedOrigin matches the Origin header exactly, or with its one "*"
// standing for any run of characters.
func originMatches(pattern, origin string) bool { return arn.Match(pattern, origin) }

// headerMatches: AllowedHeader names match case-insensitively, "*" standing for any run.
func headerMatches(pattern, header string) bool {
	return arn.Match(strings.ToLower(pattern), strings.ToLower(header))
}

// match finds the first rule that admits origin, method and every requested header; S3 uses
// the first matching rule.
func match(rules []corsRule, origin, method string, headers []string) (*corsRule, string) {
	for i := range rules {
		rule := &rules[i]
		allowOrigin := ""
		for _, o := range rule.AllowedOrigins {
			if originMatches(o, origin) {
				allowOrigin = origin
				if o == "*" {
					allowOrigin = "*"
				}
				break
			}
		}
		if allowOrigin == "" {
			continue
		}
		methodOK := false
		for _, m := range rule.AllowedMethods {
			methodOK = methodOK || m == method
		}
		if !methodOK {
			continue
		}
		headersOK := true
		for _, h := range headers {
			found := false
			for _, p := range rule.AllowedHeaders {
				if headerMatches(p, h) {
					found = true
					break
				}
			}
			if !found {
				headersOK = false
				break
			}
		}
		if headersOK {
			return rule, allowOrigin
		}
	}
	return nil, ""
}

// requestedHeaders splits Access-Control-Request-Headers.
func requestedHeaders(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// setCORS writes the CORS response headers of a matched rule.
func setCORS(h http.Header, rule *corsRule, allowOrigin string) {
	h.Set("Access-Control-Allow-Origin", allowOrigin)
	h.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	if allowOrigin != "*" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(rule.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	if rule.MaxAgeSeconds != nil {
		h.Set("Access-Control-Max-Age", strconv.Itoa(*rule.MaxAgeSeconds))
	}
	h.Set("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method")
}

// Preflight answers a CORS preflight (OPTIONS) for bucket b as S3 does: 400 without an Origin or
// a valid Access-Control-Request-Method, 403 when the bucket has no CORS configuration or no rule
// admits the request, else 200 with the first matching rule's headers (the requested headers
// echoed as Access-Control-Allow-Headers).
func (r *Registry) Preflight(w http.ResponseWriter, req *http.Request, b *Bucket) {
	origin := req.Header.Get("Origin")
	if origin == "" {
		answerErr(w, req, badRequest("Insufficient information. Origin request header needed."))
		return
	}
	method := req.Header.Get("Access-Control-Request-Method")
	if !corsMethods[method] {
		answerErr(w, req, badRequest("Invalid Access-Control-Request-Method: "+nullIfEmpty(method)))
		return
	}
	if len(b.cors) == 0 {
		answerErr(w, req, corsForbidden("CORSResponse: CORS is not enabled for this bucket.").With("Method", method).With("ResourceType", "BUCKET"))
		return
	}
	headers := requestedHeaders(req.Header.Get("Access-Control-Request-Headers"))
	rule, allowOrigin := match(b.cors, origin, method, headers)
	if rule == nil {
		// S3's wording, its misspelling included.
		answerErr(w, req, corsForbidden("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.").
			With("Method", method).With("ResourceType", "OBJECT"))
		return
	}
	h := w.Header()
	setCORS(h, rule, allowOrigin)
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	ok(w)
}

func nullIfEmpty(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// CORSHeaders adds to h the CORS headers S3 adds to an actual (non-preflight) request that
// carries an Origin: those of the first rule admitting the origin and the request's method;
// nothing when none does.
func (r *Registry) CORSHeaders(h http.Header, req *http.Request, b *Bucket) {
	origin := req.Header.Get("Origin")
	if origin == "" || b == nil || len(b.cors) == 0 {
		return
	}
	if rule, allowOrigin := match(b.cors, origin, req.Method, nil); rule != nil {
		setCORS(h, rule, allowOrigin)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
