package console

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
)

// pageData is what every page's template gets.
type pageData struct {
	Title string
	// Who is the signed-in principal (nil on the sign-in pages); CSRF the token of the forms.
	Who  *who
	CSRF string
	// Nav marks the section of the navigation the page belongs to.
	Nav string
	// Error is a call's error as IAM answered it; Notice a message shown once.
	Error  *apiError
	Notice string
	// Editor loads the code editor's assets (policy editor pages).
	Editor bool
	Page   any
}

// who is the header's account and principal, and the role switched to.
type who struct {
	Account, ARN, Name string
	Root, MFA          bool
	// Role is the role acted as (switch role), with its session's ARN and end.
	Role        *roleRef
	RoleARN     string
	RoleExpires time.Time
}

func whoOf(sess session) *who {
	w := &who{Account: sess.id.Account, ARN: sess.id.ARN(), Name: sess.id.displayName(), Root: sess.id.Root, MFA: !sess.mfaAt.IsZero()}
	if sess.role != nil {
		w.Role, w.RoleARN, w.RoleExpires = &sess.role.roleRef, sess.role.ARN, sess.role.expires
	}
	return w
}

var funcs = template.FuncMap{
	"date": date,
	// hours is a duration in seconds as the pages show it.
	"hours": func(s int32) string {
		switch {
		case s == 3600:
			return "1 hour"
		case s%3600 == 0:
			return strconv.Itoa(int(s/3600)) + " hours"
		}
		return strconv.Itoa(int(s)) + " seconds"
	},
	// sessionChoices are a role's MaxSessionDuration choices, as AWS's console offers them.
	"sessionChoices": func() []struct{ Value, Label string } {
		return []struct{ Value, Label string }{{"3600", "1 hour"}, {"7200", "2 hours"}, {"14400", "4 hours"}, {"28800", "8 hours"}, {"43200", "12 hours"}}
	},
	// dict passes several values to a template: dict "Key" value "Key2" value2 ….
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			if k, ok := kv[i].(string); ok {
				m[k] = kv[i+1]
			}
		}
		return m
	},
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
}

// parsePages parses each page with the layout around it.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// render writes a page; it is executed into a buffer first, so a template fault is a clean
// error answer rather than half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, d *pageData) {
	t := c.pages[page]
	var buf bytes.Buffer
	if t == nil {
		c.cfg.Logger.Error("console: no page " + page)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		c.cfg.Logger.Error("console: rendering "+page, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// baseURL is the URL people reach iamd under, for the URLs pages show: the configured public
// URL, else the request's host, by https when the connection or the configuration says so
// (behind a proxy that terminates TLS the connection is plain HTTP).
func (c *Console) baseURL(r *http.Request) string {
	if c.cfg.PublicURL != "" {
		return strings.TrimSuffix(c.cfg.PublicURL, "/")
	}
	scheme := "http"
	if c.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// signInURL is AWS's sign-in URL shape for an account: /console?account=ALIAS (or the id).
func (c *Console) signInURL(r *http.Request, account string) string {
	return c.baseURL(r) + Prefix + "?account=" + template.URLQueryEscaper(account)
}

// contains reports whether s contains v, case-insensitively (the users page's search).
func contains(s, v string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(v)) }

// date is a time as the pages show it.
func date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
