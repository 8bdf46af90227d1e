package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/iamd/iamd/internal/iamtest"
)

// Browser tests drive Debian's chromium, headless, through the DevTools protocol (chromedp).
// Without a chromium binary they skip, except under CI (CI=true), where .ci/run installs it and
// a missing one fails them. Screenshots of every page they pass through are written to the
// test's artifact directory: kept with `go test -artifacts -outputdir DIR`, else removed.

// chromium returns the browser binary.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("IAMD_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium binary on the PATH (CI=true): .ci/run installs Debian's chromium")
	}
	t.Skip("no chromium binary on the PATH (Debian: apt-get install chromium); browser tests skipped")
	return ""
}

// chrome is one headless browser with one tab, at the harness's URL.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string
	// shots is where screenshots go; n numbers them in the order taken.
	shots     string
	n         int
	downloads string
	// width is the window's width: a page must not be wider.
	width int

	mu       sync.Mutex
	messages []string // the console's errors and warnings: CSP violations, exceptions
}

func newChrome(t *testing.T, h *iamtest.Harness) *chrome {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // containers and root: the sandbox needs namespaces they may not have
		chromedp.WindowSize(1280, 800), chromedp.Flag("lang", "en-US"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	c := &chrome{t: t, ctx: ctx, base: h.URL, shots: t.ArtifactDir(), downloads: t.TempDir(), width: 1280}
	// Screenshots are kept by go test -artifacts; IAMD_TEST_SCREENSHOTS keeps them elsewhere.
	if dir := os.Getenv("IAMD_TEST_SCREENSHOTS"); dir != "" {
		c.shots = filepath.Join(dir, t.Name())
		if err := os.MkdirAll(c.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	msgs := chromedp.Console(ctx) // starts the browser
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// A page answered with an error status (a denial, a refused form) is logged as a
			// failed load; only the console's own assets must never fail.
			if strings.HasPrefix(m.Text, "Failed to load resource") && !strings.Contains(m.URL, "/console/static/") {
				continue
			}
			if m.Type == "error" || m.Type == "warning" || m.IsException() {
				c.mu.Lock()
				c.messages = append(c.messages, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				c.mu.Unlock()
			}
		}
	}()
	c.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: c.downloads, EventsEnabled: ptr(true)})
		return err
	}))
	t.Cleanup(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, m := range c.messages {
			t.Errorf("browser console: %s", m)
		}
	})
	t.Logf("screenshots in %s", c.shots)
	return c
}

func ptr[T any](v T) *T { return &v }

// do runs actions, failing the test on an error.
func (c *chrome) do(actions ...chromedp.Action[chromedp.Void]) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, actions...); err != nil {
		c.shot("failure")
		c.t.Fatalf("browser: %v (at %s)", err, c.location())
	}
}

// open navigates to a console path and waits for its main element.
func (c *chrome) open(path string) {
	c.t.Helper()
	c.do(chromedp.Navigate(c.base+path), chromedp.WaitReady(chromedp.ID("main")))
}

// click clicks an element that loads another page (a link, a form's submit button) and waits
// for that page.
func (c *chrome) click(sel string) {
	c.t.Helper()
	if _, err := chromedp.Run(c.ctx, chromedp.WaitEvent(cdppage.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
		c.shot("failure")
		c.t.Fatalf("browser: clicking %s: %v (at %s)", sel, err, c.location())
	}
	c.do(chromedp.WaitReady(chromedp.ID("main")))
}

// fill types into a field, replacing what it holds.
func (c *chrome) fill(sel, text string) {
	c.t.Helper()
	c.do(chromedp.WaitVisible(chromedp.CSS(sel)))
	c.eval(fmt.Sprintf(`document.querySelector(%q).value = ""`, sel))
	c.do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// text is an element's text.
func (c *chrome) text(sel string) string {
	c.t.Helper()
	s, err := chromedp.Run(c.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		c.shot("failure")
		c.t.Fatalf("browser: text of %s: %v (at %s)", sel, err, c.location())
	}
	return s
}

// has reports whether an element is on the page, without waiting for one.
func (c *chrome) has(sel string) bool {
	c.t.Helper()
	return c.eval(fmt.Sprintf(`document.querySelector(%q) !== null`, sel)) == "true"
}

// eval evaluates JavaScript in the page (the DevTools protocol's, which the page's CSP does not
// govern) and returns its JSON result.
func (c *chrome) eval(js string) string {
	c.t.Helper()
	out, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]byte](js))
	if err != nil {
		c.t.Fatalf("browser: evaluating %s: %v", js, err)
	}
	return string(out)
}

func (c *chrome) location() string {
	loc, _ := chromedp.Run(c.ctx, chromedp.Location())
	return loc
}

// path is the current page's path and query.
func (c *chrome) path() string { return strings.TrimPrefix(c.location(), c.base) }

// shot saves a screenshot of the whole page, and checks what every page must hold to: each
// input labelled, nothing wider than the window.
func (c *chrome) shot(name string) {
	c.t.Helper()
	buf, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		c.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	c.n++
	file := filepath.Join(c.shots, fmt.Sprintf("%02d-%s.png", c.n, name))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		c.t.Error(err)
	}
	if name == "failure" {
		return
	}
	if unlabelled := c.eval(`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
		.filter(e => e.offsetParent !== null && e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.name || e.id)`); unlabelled != "[]" {
		c.t.Errorf("%s: inputs without a label: %s", name, unlabelled)
	}
	// A mobile viewport grows to what overflows it, so the page is measured against the
	// width set, not the window's.
	if w := c.eval(`Math.max(document.documentElement.scrollWidth, window.innerWidth)`); w != fmt.Sprint(c.width) {
		c.t.Errorf("%s: the page is %s px wide in a window of %d px", name, w, c.width)
	}
}

// phone makes the window a phone's (390 × 844, touch) or a desktop's again.
func (c *chrome) phone(on bool) {
	c.t.Helper()
	if on {
		c.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		c.width = 390
	} else {
		c.do(chromedp.EmulateViewport(1280, 800))
		c.width = 1280
	}
}

// download clicks a download button and returns the file's content.
func (c *chrome) download(sel, name string) string {
	c.t.Helper()
	progress := chromedp.Events(c.ctx, cdpbrowser.DownloadProgress)
	c.do(chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			c.t.Fatalf("download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			c.t.Fatalf("download of %s canceled", name)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(c.downloads, name))
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

// acceptDialogs accepts the page's confirm() dialogs (console.js asks before deleting).
func (c *chrome) acceptDialogs() {
	dialogs := chromedp.Events(c.ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(c.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
}

// signIn fills and sends the sign-in form (user "" is the root user).
func (c *chrome) signIn(account, user, password string) {
	c.t.Helper()
	c.open("/console")
	if user == "" {
		c.do(chromedp.Click(chromedp.ID("kind-root")))
	} else {
		c.do(chromedp.Click(chromedp.ID("kind-iam")))
		c.fill("#username", user)
	}
	c.fill("#account", account)
	c.fill("#password", password)
	c.click("#signin-submit")
}

var spaces = regexp.MustCompile(`\s+`)

// squash is text with its runs of white space made one space.
func squash(s string) string { return strings.TrimSpace(spaces.ReplaceAllString(s, " ")) }

// pageLoad is the event a navigation ends with.
var pageLoad = cdppage.LoadEventFired

// waitText waits for an element to hold exactly text (asynchronous updates: the editor's
// validation).
func (c *chrome) waitText(sel, text string) {
	c.t.Helper()
	var got string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = c.eval(fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)); got == fmt.Sprintf("%q", text) {
			return
		}
	}
	c.shot("failure")
	c.t.Fatalf("%s holds %s, want %q", sel, got, text)
}
