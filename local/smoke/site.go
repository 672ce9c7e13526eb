package smoke

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"signin/site"
)

// checkSite checks the page: HTTPS, the page, the configuration in it and
// its security headers.
func (r *run) checkSite() {
	r.checkHTTPS("site https", r.site, true)

	page, err := r.do(http.MethodGet, r.site, nil)
	switch {
	case err != nil:
		r.fail("site page", "%v", err)
	case page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html"):
		r.fail("site page", "GET %s = %d %q, want 200 text/html", r.site, page.status, page.header.Get("Content-Type"))
	default:
		r.page = page
		r.pass("site page", "GET %s = 200 %s", r.site, page.header.Get("Content-Type"))
	}
	r.checkConfig()
	r.checkSecurityHeaders()
}

// checkHTTPS checks that u is HTTPS, and for the site that its plain-HTTP
// address redirects there; plain HTTP passes on localhost only.
func (r *run) checkHTTPS(name string, u *url.URL, redirect bool) {
	switch {
	case u.Scheme == "http" && isLocal(u):
		r.pass(name, "plain HTTP on %s, allowed on this machine only (make dev)", u.Host)
	case u.Scheme == "http":
		r.fail(name, "%s is plain HTTP: only localhost may be; use its https:// address", u)
	case !redirect:
		r.pass(name, "%s", u)
	default:
		plain := *u
		plain.Scheme = "http"
		resp, err := r.do(http.MethodGet, &plain, nil)
		if err != nil {
			r.fail(name, "%v", err)
			return
		}
		to, err := url.Parse(resp.header.Get("Location"))
		if resp.status < 300 || resp.status > 399 || err != nil || to.Scheme != "https" || to.Host != u.Host {
			r.fail(name, "GET %s = %d to %q, want a redirect to https://%s", &plain, resp.status, resp.header.Get("Location"), u.Host)
			return
		}
		r.pass(name, "GET %s = %d to %s", &plain, resp.status, to)
	}
}

// checkConfig reads the configuration the page carries: its client ID and
// sign-in script.
func (r *run) checkConfig() {
	const name = "site configuration"
	if r.page == nil {
		r.fail(name, "unchecked: no page")
		return
	}
	cfg, err := site.ReadConfig(r.page.body)
	if err != nil {
		r.fail(name, "GET %s: %v", r.site, err)
		return
	}
	r.config = &cfg
	r.pass(name, "client %s, sign-in script %s", cfg.ClientID, cmp.Or(cfg.SignInScript, "Google's"))
}

// checkSecurityHeaders checks the page's headers against those
// site.Config.SecurityHeaders gives for its configuration, and HSTS over
// HTTPS.
func (r *run) checkSecurityHeaders() {
	names := []string{
		"Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options",
		"X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
	}
	if r.page == nil || r.config == nil {
		for _, h := range names {
			r.fail("site "+h, "unchecked: no page and configuration to check it against")
		}
		return
	}
	want, err := r.config.SecurityHeaders()
	if err != nil {
		r.fail("site Content-Security-Policy", "the policy for the page's configuration: %v", err)
		return
	}
	if r.site.Scheme == "https" {
		want["Strict-Transport-Security"] = site.StrictTransportSecurity
	}
	for _, h := range names {
		got := r.page.header.Values(h)
		switch {
		case h == "Strict-Transport-Security" && r.site.Scheme == "https":
			r.checkHSTS(got)
		case h == "Strict-Transport-Security" && len(got) > 0:
			r.fail("site "+h, "%q over plain HTTP, where browsers ignore it: RFC 6797 sends it over HTTPS only", got)
		case h == "Strict-Transport-Security":
			r.pass("site "+h, "none over plain HTTP on localhost (RFC 6797 sends it over HTTPS only)")
		case len(got) != 1 || got[0] != want[h]:
			r.fail("site "+h, "%q, want %q", got, want[h])
		case h == "Content-Security-Policy":
			r.pass("site "+h, "the policy site.Config gives for this page's configuration")
		default:
			r.pass("site "+h, "%s", got[0])
		}
	}
}

// checkHSTS checks a Strict-Transport-Security header: at least
// site.HSTSMaxAge, subdomains included.
func (r *run) checkHSTS(got []string) {
	const name = "site Strict-Transport-Security"
	if len(got) != 1 {
		r.fail(name, "%q, want one: %s", got, site.StrictTransportSecurity)
		return
	}
	maxAge, subdomains := -1, false
	for _, d := range strings.Split(got[0], ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(k) {
		case "max-age":
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil {
				maxAge = n
			}
		case "includesubdomains":
			subdomains = true
		}
	}
	if maxAge < site.HSTSMaxAge || !subdomains {
		r.fail(name, "%q, want %s", got[0], site.StrictTransportSecurity)
		return
	}
	r.pass(name, "%s", got[0])
}
