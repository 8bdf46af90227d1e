package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var consoleCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleSignIn signs in to a served console as the root user and reports whether it worked.
func consoleSignIn(t *testing.T, base, account, password string) bool {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(base + "/console")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	m := consoleCSRF.FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("no sign-in form at %s/console:\n%s", base, b.String())
	}
	resp, err = c.PostForm(base+"/console/signin", url.Values{"csrf": {m[1]}, "kind": {"root"}, "account": {account}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/console"
}

// TestRootPassword: IAMD_ROOT_PASSWORD at first start, then `iamd account set-root-password`
// (beside the running server), and the first-start setting said to be ignored later.
func TestRootPassword(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	t.Setenv("IAMD_ROOT_PASSWORD", "First-Passw0rd!")
	s := startServe(t, "--data", data)
	if strings.Contains(s.out.String(), "First-Passw0rd!") {
		t.Errorf("the root password was printed:\n%s", s.out)
	}
	if !strings.Contains(s.out.String(), "Web console at "+s.URL+"/console") {
		t.Errorf("the console's address is not printed:\n%s", s.out)
	}
	if !consoleSignIn(t, s.URL, s.Account, "First-Passw0rd!") {
		t.Fatal("IAMD_ROOT_PASSWORD does not sign in")
	}
	for _, c := range []struct{ stdin, want string }{
		{"", "no password on stdin"},
		{"short\n", "Password should have a minimum length of 8"},
		{"alllowercaseletters\n", "Password should meet 2 more of the following requirements"},
	} {
		if out, err := run(t, c.stdin, "account", "set-root-password", "--data", data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("set-root-password with %q: %v\n%s", c.stdin, err, out)
		}
	}
	out, err := run(t, "Second-Passw0rd!\n", "account", "set-root-password", "--data", data)
	if err != nil || !strings.Contains(out, "Set the root user's console password of account "+s.Account) || strings.Contains(out, "Second-Passw0rd!") {
		t.Fatalf("set-root-password: %v\n%s", err, out)
	}
	// The running server reads it from the store.
	if !consoleSignIn(t, s.URL, s.Account, "Second-Passw0rd!") || consoleSignIn(t, s.URL, s.Account, "First-Passw0rd!") {
		t.Error("set-root-password did not replace the password for the running server")
	}
	s.stop()
	if out, err := run(t, "Third-Passw0rd!\n", "account", "set-root-password", "--data", data, "--id", "999999999999"); err == nil {
		t.Errorf("set-root-password of an account that does not exist: %s", out)
	}
	s = startServe(t, "--data", data)
	if !s.waitFor(t, "IAMD_ROOT_PASSWORD is used at first start only") {
		t.Errorf("a later start does not say IAMD_ROOT_PASSWORD is ignored:\n%s", s.out)
	}
	if !consoleSignIn(t, s.URL, s.Account, "Second-Passw0rd!") {
		t.Error("a later start changed the root password")
	}
	if out, err := run(t, "Fourth-Passw0rd!\n", "account", "set-root-password", "--data", filepath.Join(t.TempDir(), "none")); err == nil {
		t.Errorf("set-root-password without data: %s", out)
	}
}
