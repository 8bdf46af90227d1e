package console_test

import (
	"context"
	"encoding/base32"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/totp"
)

const rootPassword = "Root-Passw0rd!"

// newHarness starts iamd with a root console password.
func newHarness(t testing.TB) *iamtest.Harness {
	t.Helper()
	h := iamtest.New(t)
	if err := h.Node.SetRootPassword(context.Background(), "", rootPassword); err != nil {
		t.Fatal(err)
	}
	return h
}

// browser is a cookie-keeping HTTP client that does not follow redirects, so tests see them.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, h *iamtest.Harness) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: h.URL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Header, string(body)}
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token of a page.
func (p page) csrf(t testing.TB) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token in page (status %d):\n%s", p.status, p.body)
	}
	return m[1]
}

// signIn posts the sign-in form (fetched first, for its token); user "" is the root user.
func (b *browser) signIn(account, user, password string) page {
	b.t.Helper()
	form := b.get("/console?account=" + url.QueryEscape(account))
	v := url.Values{"csrf": {form.csrf(b.t)}, "account": {account}, "password": {password}}
	if user == "" {
		v.Set("kind", "root")
	} else {
		v.Set("kind", "iam")
		v.Set("username", user)
	}
	return b.post("/console/signin", v)
}

// follow gets a redirect's target.
func (b *browser) follow(p page) page {
	b.t.Helper()
	if p.status != http.StatusSeeOther {
		b.t.Fatalf("status %d, want a redirect:\n%s", p.status, p.body)
	}
	return b.get(p.header.Get("Location"))
}

// mfaUser creates a user with a console password and an enabled virtual MFA device, and
// returns the device's seed.
func mfaUser(t testing.TB, h *iamtest.Harness, name, password string, reset bool) []byte {
	t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	consoleUser(t, h, name, password, reset)
	dev, err := c.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(dev.VirtualMFADevice.Base32StringSeed))
	if err != nil {
		t.Fatal(err)
	}
	step := totp.Step(h.Clock.Now())
	if _, err := c.EnableMFADevice(ctx, &iamsdk.EnableMFADeviceInput{UserName: aws.String(name),
		SerialNumber:        dev.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String(totp.Code(seed, step-1)), AuthenticationCode2: aws.String(totp.Code(seed, step))}); err != nil {
		t.Fatal(err)
	}
	return seed
}

// consoleUser creates a user with a console password.
func consoleUser(t testing.TB, h *iamtest.Harness, name, password string, reset bool) {
	t.Helper()
	ctx := context.Background()
	c := iamtest.IAM(h.Root())
	if _, err := c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLoginProfile(ctx, &iamsdk.CreateLoginProfileInput{UserName: aws.String(name),
		Password: aws.String(password), PasswordResetRequired: reset}); err != nil {
		t.Fatal(err)
	}
}

// attach gives a user an AWS managed policy.
func attach(t testing.TB, h *iamtest.Harness, user, policy string) {
	t.Helper()
	_, err := iamtest.IAM(h.Root()).AttachUserPolicy(context.Background(), &iamsdk.AttachUserPolicyInput{
		UserName: aws.String(user), PolicyArn: aws.String("arn:aws:iam::aws:policy/" + policy)})
	if err != nil {
		t.Fatal(err)
	}
}

// cookie returns the Set-Cookie line of the named cookie in a page's answer, "" when none.
func (p page) cookie(name string) string {
	for _, c := range p.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, name+"=") {
			return c
		}
	}
	return ""
}

// errorText is the text of a page's error box (sign-in, MFA, password, API errors).
func (p page) errorText() string {
	m := errorRE.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(tagRE.ReplaceAllString(m[1], ""))
}

var (
	errorRE = regexp.MustCompile(`(?s)<div class="error" role="alert"[^>]*>(.*?)</div>`)
	tagRE   = regexp.MustCompile(`<[^>]+>`)
)

// signedIn signs in and follows to the dashboard, failing the test on the way.
func (b *browser) signedIn(account, user, password string) page {
	b.t.Helper()
	p := b.signIn(account, user, password)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/console" {
		b.t.Fatalf("sign-in of %q: status %d to %q, want a redirect to /console:\n%s", user, p.status, p.header.Get("Location"), p.body)
	}
	d := b.follow(p)
	if d.status != http.StatusOK || !strings.Contains(d.body, `id="signout"`) {
		b.t.Fatalf("after sign-in: status %d:\n%s", d.status, d.body)
	}
	return d
}

// policy gives a user an inline policy.
func policy(t testing.TB, h *iamtest.Harness, user, doc string) {
	t.Helper()
	_, err := iamtest.IAM(h.Root()).PutUserPolicy(context.Background(), &iamsdk.PutUserPolicyInput{
		UserName: aws.String(user), PolicyName: aws.String("inline"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
}

func decodeSeed(t testing.TB, s string) []byte {
	t.Helper()
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

func totpStep(h *iamtest.Harness) int64 { return totp.Step(h.Clock.Now()) }

func totpCode(seed []byte, step int64) string { return totp.Code(seed, step) }
