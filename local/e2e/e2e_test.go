package e2e

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"signin/local/stack"
	"signin/site"
)

var screenshots = flag.String("screenshots", "", "write a PNG of each test's last screen to this directory")

// allowedEmail is the one address the authorizer allows.
const allowedEmail = "ada@example.com"

var (
	shared     *stack.Stack
	browserCtx context.Context
	missing    string
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		missing = "chromium is not installed (apt-get install chromium): " + err.Error()
		return m.Run()
	}
	st, err := stack.Start(context.Background(), stack.Options{AllowedEmails: allowedEmail})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the stack:", err)
		return 1
	}
	defer st.Close()
	shared = st

	userData, err := os.MkdirTemp("", "e2e-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(userData)
	// The machine may have no network: without these flags Chromium waits
	// on refused connections to Google's services.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(userData),
		chromedp.WindowSize(1000, 900),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "starting chromium:", err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// tab opens a new tab on url, waits for the page to settle in state, and
// closes the tab when the test ends (after a screenshot, if asked).
func tab(t *testing.T, url, state string) context.Context {
	t.Helper()
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the browser tests must run in CI: %s", missing)
		}
		t.Skip("skipping the browser test: " + missing)
	}
	tabCtx, cancelTab := chromedp.NewContext(browserCtx)
	ctx, cancel := context.WithTimeout(tabCtx, 60*time.Second)
	t.Cleanup(func() {
		violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.cspViolations`))
		if err != nil {
			t.Errorf("reading the CSP violations: %v", err)
		}
		for _, v := range violations {
			t.Errorf("the page broke its Content-Security-Policy: %s", v)
		}
		if *screenshots != "" {
			shot(t, ctx, filepath.Join(*screenshots, strings.ReplaceAll(t.Name(), "/", "_")+".png"))
		}
		cancel()
		cancelTab()
	})
	if err := chromedp.Do(ctx, recordCSPViolations, chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	waitState(t, ctx, state)
	return ctx
}

// recordCSPViolations collects, in window.cspViolations, every report of
// a blocked inline script or style, or a source the policy does not allow.
var recordCSPViolations = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});`,
	})
	return err
})

func shot(t *testing.T, ctx context.Context, path string) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(path, png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", path, err)
	}
}

// waitState waits until the page's <main> says it is in state.
func waitState(t *testing.T, ctx context.Context, state string) {
	t.Helper()
	sel := chromedp.CSS(`#app[data-state="` + state + `"]`)
	if err := chromedp.Do(ctx, chromedp.WaitReady(sel)); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("app").dataset.state`))
		t.Fatalf("waiting for state %q (the page is in %q): %v", state, got, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

type signIn struct {
	name, email string
	// lifetime is the token's lifetime in seconds; empty keeps the form's.
	lifetime string
	// picture is the picture claim's URL; empty leaves it out.
	picture string
}

// submit fills in the stand-in's form as a user would and signs in.
func (s signIn) submit(t *testing.T, ctx context.Context) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.SetValue(chromedp.CSS(`input[name="name"]`), s.name),
		chromedp.SetValue(chromedp.CSS(`input[name="email"]`), s.email),
	}
	if s.lifetime != "" || s.picture != "" {
		steps = append(steps, chromedp.Click(chromedp.CSS(`.devsignin-options summary`)))
	}
	if s.lifetime != "" {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(`input[name="expires_in"]`), s.lifetime))
	}
	if s.picture != "" {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(`input[name="picture"]`), s.picture))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS(`.devsignin-submit`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("signing in as %s: %v", s.name, err)
	}
}

func TestSignInAndBeGreeted(t *testing.T) {
	ctx := tab(t, shared.SiteURL, "signed-out")
	signIn{name: "Ada Lovelace", email: allowedEmail}.submit(t, ctx)
	waitState(t, ctx, "greeted")
	if got := text(t, ctx, "#greeting"); got != "Hello Ada Lovelace!" {
		t.Errorf("greeting = %q, want %q", got, "Hello Ada Lovelace!")
	}
	if got := text(t, ctx, "#user-name"); got != "Ada Lovelace" {
		t.Errorf("signed in as %q, want Ada Lovelace", got)
	}
	if got := text(t, ctx, "#user-email"); got != allowedEmail {
		t.Errorf("email shown = %q, want %q", got, allowedEmail)
	}
}

// The attack: a display name that is markup. The page must show it as text
// in both places it appears, create no element from it, and run nothing.
func TestMarkupInTheNameIsText(t *testing.T) {
	const name = `<img src=x onerror="window.pwned=1">`
	ctx := tab(t, shared.SiteURL, "signed-out")
	signIn{name: name, email: allowedEmail}.submit(t, ctx)
	waitState(t, ctx, "greeted")
	if got := text(t, ctx, "#greeting"); got != "Hello "+name+"!" {
		t.Errorf("greeting = %q, want the name as literal text", got)
	}
	if got := text(t, ctx, "#user-name"); got != name {
		t.Errorf("user name = %q, want the name as literal text", got)
	}
	injected, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.querySelectorAll('img[src="x"]').length > 0 || window.pwned === 1`))
	if err != nil {
		t.Fatal(err)
	}
	if injected {
		t.Error("the name became an element or ran script; want text only")
	}
}

func TestExpiredTokenAsksToSignInAgain(t *testing.T) {
	ctx := tab(t, shared.SiteURL, "signed-out")
	signIn{name: "Ada Lovelace", email: allowedEmail, lifetime: "-60"}.submit(t, ctx)
	waitState(t, ctx, "unauthorized")
	if got := text(t, ctx, "#notice-title"); got != "Your sign-in has expired or is invalid." {
		t.Errorf("notice = %q, want the 401 message", got)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(".devsignin-submit"))); err != nil {
		t.Errorf("the sign-in button is not offered again: %v", err)
	}
}

func TestAccountNotAllowed(t *testing.T) {
	ctx := tab(t, shared.SiteURL, "signed-out")
	signIn{name: "Mallory", email: "mallory@example.net"}.submit(t, ctx)
	waitState(t, ctx, "forbidden")
	if got := text(t, ctx, "#notice-title"); got != "This account is not allowed." {
		t.Errorf("notice = %q, want the 403 message", got)
	}
	if got := text(t, ctx, "#greeting"); got != "" {
		t.Errorf("greeting = %q, want none", got)
	}
}

func TestAPIDownShowsUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAPI := "http://localhost:" + fmt.Sprint(l.Addr().(*net.TCPAddr).Port) + "/"
	l.Close()
	handler, err := stack.SiteHandler(site.Config{
		ClientID:     stack.DevClientID,
		APIURL:       deadAPI,
		SignInScript: shared.Provider.SignInScriptURL(),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	defer srv.Close()
	ctx := tab(t, srv.URL, "signed-out")
	signIn{name: "Ada Lovelace", email: allowedEmail}.submit(t, ctx)
	waitState(t, ctx, "unavailable")
	if got := text(t, ctx, "#notice-title"); got != "The service is unavailable." {
		t.Errorf("notice = %q, want the unavailable message", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("retry"))); err != nil {
		t.Fatalf("the Try again button: %v", err)
	}
	waitState(t, ctx, "unavailable")
}

func TestMissingConfigSaysSo(t *testing.T) {
	srv := httptest.NewServer(http.FileServerFS(site.Files()))
	defer srv.Close()
	ctx := tab(t, srv.URL, "config-error")
	if got := text(t, ctx, "#notice-title"); got != "This page is not set up correctly." {
		t.Errorf("notice = %q, want the configuration message", got)
	}
}

func TestSignOutReturnsToTheStart(t *testing.T) {
	ctx := tab(t, shared.SiteURL, "signed-out")
	signIn{name: "Ada Lovelace", email: allowedEmail}.submit(t, ctx)
	waitState(t, ctx, "greeted")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("sign-out"))); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, "signed-out")
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`[
		document.getElementById("signed-in").hidden,
		document.getElementById("notice").hidden,
		document.querySelector(".devsignin-submit") !== null,
		document.getElementById("greeting").textContent === ""]`))
	if err != nil {
		t.Fatal(err)
	}
	for i, what := range []string{"the signed-in panel is hidden", "no notice is shown", "the sign-in button is back", "the greeting is gone"} {
		if !visible[i] {
			t.Errorf("after sign-out, want %s", what)
		}
	}
}

// On a phone-sized screen the page fits the width: nothing scrolls
// sideways, whatever the name.
func TestNarrowScreenFits(t *testing.T) {
	ctx := tab(t, shared.SiteURL, "signed-out")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 740)); err != nil {
		t.Fatal(err)
	}
	signIn{name: "Augusta Ada King, Countess of Lovelace, née Byron", email: allowedEmail}.submit(t, ctx)
	waitState(t, ctx, "greeted")
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 360 {
		t.Errorf("the page is %dpx wide on a 360px screen, want no horizontal scrolling", width)
	}
}

// Keyboard only: Tab reaches the sign-in form first, Enter signs in, Tab
// then Enter signs out, and the focus returns to the sign-in control.
func TestKeyboardOnly(t *testing.T) {
	ctx := tab(t, shared.SiteURL, "signed-out")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t"), chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, "greeted")
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
		t.Fatal(err)
	}
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	if err != nil {
		t.Fatal(err)
	}
	if focused != "sign-out" {
		t.Fatalf("Tab after the greeting focuses %q, want the sign-out button", focused)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitState(t, ctx, "signed-out")
	inButton, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`document.getElementById("signin-button").contains(document.activeElement)`))
	if err != nil {
		t.Fatal(err)
	}
	if !inButton {
		t.Error("after sign-out the focus is not on the sign-in control")
	}
}

// The picture from the token replaces the initials, under the page's CSP
// (img-src allows data: and Google's user content servers).
func TestPictureFromTheToken(t *testing.T) {
	const picture = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'%3E%3Crect width='1' height='1' fill='%23c2410c'/%3E%3C/svg%3E"
	ctx := tab(t, shared.SiteURL, "signed-out")
	signIn{name: "Ada Lovelace", email: allowedEmail, picture: picture}.submit(t, ctx)
	waitState(t, ctx, "greeted")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("avatar-image"))); err != nil {
		t.Fatalf("the picture is not shown: %v", err)
	}
	initialsHidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("avatar-initials").hidden`))
	if err != nil {
		t.Fatal(err)
	}
	if !initialsHidden {
		t.Error("the initials are still shown beside the picture")
	}
}
