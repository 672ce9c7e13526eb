// Package smoke checks a running deployment of the sign-in page and its API
// from outside, over HTTP, as a browser and the page use them: the page and
// its security headers, the config.json that names the API, the API's
// answers without a token, for a foreign origin, to a preflight and for an
// unknown path, with an ID token the greeting and GET /me, and, for a
// deployed stack, its dashboard's address and that a request appears in the
// API's access log (read with the AWS SDK when credentials are at hand).
//
// Every expectation comes from the definitions the deployment is built
// from: the page's headers from signin/site, the API's messages, CORS
// headers and token header from signin/functions/gateway, the greeting
// from signin/functions/hello. So a check fails only when the running
// deployment differs from the code that declares it.
//
// The deployed site is served over HTTPS and must send
// Strict-Transport-Security. Plain HTTP is allowed on localhost only (the
// offline stack of `make dev`), where the site must not send that header:
// browsers ignore it there (RFC 6797, section 8.1).
package smoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"signin/functions/gateway"
	"signin/functions/hello"
	"signin/functions/proxy"
	"signin/local/idp"
	"signin/site"
)

// Config says which deployment to check and how.
type Config struct {
	// SiteURL is the page's address, such as
	// https://d111111abcdef8.cloudfront.net/.
	SiteURL string
	// APIURL is the API's address, the root of its stage, such as
	// https://abc123.execute-api.eu-central-1.amazonaws.com/dev/.
	APIURL string
	// Token is an ID token to call the API with. Empty means one minted by
	// the development identity provider (IDPURL), or none.
	Token string
	// IDPURL is the development identity provider to mint a token from.
	// Empty means the one the page's config.json names as its sign-in
	// script, when the site runs on localhost; a deployed site signs in
	// with Google, so without Token the checks that need one are skipped.
	IDPURL string
	// DashboardURL, if set, is the deployment's CloudWatch dashboard, which
	// the report names.
	DashboardURL string
	// AccessLogGroup, if set, is the API's access log group: a request the
	// checks make must appear in it within a minute, when CloudWatch Logs
	// can be reached with the environment's AWS credentials.
	AccessLogGroup string
	// aws, if set, is the AWS configuration the access log is read with;
	// nil means the environment's.
	aws *aws.Config
	// client sends the requests. Nil means one that follows no redirect
	// and gives up on a request after requestTimeout.
	client *http.Client
}

// requestTimeout bounds each request of the default client.
const requestTimeout = 20 * time.Second

// The identity of the token minted by a development identity provider.
const (
	smokeName  = "Smoke Test"
	smokeEmail = "smoke@example.com"
)

// foreignOrigin is the origin of the cross-origin requests the API must not
// allow: a reserved name (RFC 2606) no one can serve a page from.
const foreignOrigin = "https://foreign.invalid"

// unknownPath is the path below the API's address that no route serves.
const unknownPath = "smoke/no-such-route"

// mePath is the path below the API's address of GET /me, which answers the
// caller's sub, email and name.
const mePath = "me"

// outcome is the outcome of a check.
type outcome string

// The outcomes of a check. Only fail makes a run fail; skip says what went
// unchecked and why.
const (
	pass outcome = "PASS"
	fail outcome = "FAIL"
	skip outcome = "SKIP"
)

// Result is the outcome of one check.
type Result struct {
	// status is the outcome.
	status outcome
	// name names the check, such as "api preflight".
	name string
	// detail says what was seen, or what was wrong.
	detail string
}

// String renders r as its line of the report: "PASS name: detail".
func (r Result) String() string {
	return fmt.Sprintf("%s %s: %s", r.status, r.name, r.detail)
}

// Failed returns the results that failed.
func Failed(results []Result) []Result {
	var failed []Result
	for _, r := range results {
		if r.status == fail {
			failed = append(failed, r)
		}
	}
	return failed
}

// Run checks the deployment cfg names, writes each result's line to out as
// it comes (nil discards them) and returns the results. The error reports a
// Config that names no deployment; a deployment that fails a check is a
// fail result, never an error.
func Run(ctx context.Context, cfg Config, out io.Writer) ([]Result, error) {
	siteURL, err := absolute("SITE_URL", cfg.SiteURL)
	if err != nil {
		return nil, err
	}
	apiURL, err := absolute("API_URL", cfg.APIURL)
	if err != nil {
		return nil, err
	}
	var idpURL *url.URL
	if cfg.IDPURL != "" {
		if idpURL, err = absolute("IDP_URL", cfg.IDPURL); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = io.Discard
	}
	client := cfg.client
	if client == nil {
		client = &http.Client{
			Timeout: requestTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	r := &run{
		ctx: ctx, client: client, out: out,
		site: siteURL, api: dir(apiURL), idp: idpURL, token: cfg.Token,
		origin:       siteURL.Scheme + "://" + siteURL.Host,
		dashboardURL: cfg.DashboardURL, accessLogGroup: cfg.AccessLogGroup, aws: cfg.aws,
		logWait: accessLogWait, logPoll: accessLogPoll,
	}
	r.checkSite()
	r.checkAPI()
	r.checkWithToken()
	r.checkDashboard()
	r.checkAccessLog()
	return r.results, nil
}

// absolute parses raw, the value of the setting name, as an absolute http(s)
// URL.
func absolute(name, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("smoke: %s is not set", name)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("smoke: %s=%q is not an absolute http(s) URL", name, raw)
	}
	return u, nil
}

// dir returns u with a path ending in /, so that relative paths resolve
// below it.
func dir(u *url.URL) *url.URL {
	d := *u
	if !strings.HasSuffix(d.Path, "/") {
		d.Path += "/"
	}
	d.RawQuery, d.Fragment = "", ""
	return &d
}

// isLocal reports whether u's host is this machine: the only place plain
// HTTP is allowed.
func isLocal(u *url.URL) bool {
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// run is one smoke run: what it checks and what it found.
type run struct {
	ctx       context.Context
	client    *http.Client
	out       io.Writer
	site, api *url.URL
	idp       *url.URL
	token     string
	// origin is the site's origin, the one the API allows.
	origin string
	// config is the page's config.json, once read.
	config *site.Config
	// page is the answer for the page, once read.
	page *response
	// dashboardURL and accessLogGroup are Config's.
	dashboardURL, accessLogGroup string
	// aws is Config's AWS configuration.
	aws *aws.Config
	// logWait is how long a request's access log line may take to appear,
	// logPoll how often the log is searched meanwhile.
	logWait, logPoll time.Duration
	results          []Result
}

func (r *run) report(status outcome, name, format string, args ...any) {
	res := Result{status: status, name: name, detail: fmt.Sprintf(format, args...)}
	r.results = append(r.results, res)
	fmt.Fprintln(r.out, res)
}

func (r *run) pass(name, format string, args ...any) { r.report(pass, name, format, args...) }
func (r *run) fail(name, format string, args ...any) { r.report(fail, name, format, args...) }
func (r *run) skip(name, format string, args ...any) { r.report(skip, name, format, args...) }

// response is an answer, its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// maxBody bounds the body read of any answer.
const maxBody = 1 << 20

// do sends a request for method and target with header, and reads the
// answer.
func (r *run) do(method string, target *url.URL, header map[string]string) (*response, error) {
	req, err := http.NewRequestWithContext(r.ctx, method, target.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, target, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// message returns the "message" of a JSON body such as API Gateway's
// {"message":"Unauthorized"}, or the body itself, quoted, when it has none.
func (resp *response) message() string {
	var m struct {
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(resp.body, &m); err != nil || m.Message == nil {
		return strconv.Quote(abbreviate(string(resp.body)))
	}
	return *m.Message
}

// String abbreviates the response as failures quote it: status and body.
func (resp *response) String() string {
	return fmt.Sprintf("%d %s", resp.status, abbreviate(string(resp.body)))
}

// abbreviate keeps s short enough for a line of the report.
func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// checkSite checks the page: HTTPS, the page, its config.json and its
// security headers.
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

// checkConfig reads the page's config.json and checks that it names the
// API.
func (r *run) checkConfig() {
	const name = "site config.json"
	target := dir(r.site).JoinPath(site.ConfigPath)
	resp, err := r.do(http.MethodGet, target, nil)
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	if resp.status != http.StatusOK {
		r.fail(name, "GET %s = %s, want 200", target, resp)
		return
	}
	var cfg site.Config
	if err := json.Unmarshal(resp.body, &cfg); err != nil {
		r.fail(name, "GET %s: %v", target, err)
		return
	}
	if err := cfg.Validate(); err != nil {
		r.fail(name, "GET %s: %v", target, err)
		return
	}
	r.config = &cfg
	named, _ := url.Parse(cfg.APIURL) // Validate parsed it
	if dir(named).String() != r.api.String() {
		r.fail(name, "apiUrl is %s, not the API checked here, %s", cfg.APIURL, r.api)
		return
	}
	r.pass(name, "apiUrl names %s", cfg.APIURL)
}

// checkSecurityHeaders checks the page's headers against those
// site.Config.SecurityHeaders gives for its config.json, and HSTS over
// HTTPS.
func (r *run) checkSecurityHeaders() {
	names := []string{
		"Content-Security-Policy", "Strict-Transport-Security", "X-Content-Type-Options",
		"X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy",
	}
	if r.page == nil || r.config == nil {
		for _, h := range names {
			r.fail("site "+h, "unchecked: no page and config.json to check it against")
		}
		return
	}
	want, err := r.config.SecurityHeaders()
	if err != nil {
		r.fail("site Content-Security-Policy", "the policy for config.json: %v", err)
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
			r.pass("site "+h, "the policy site.Config gives for this config.json")
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

// checkAPI checks the API's answers that need no token.
func (r *run) checkAPI() {
	r.checkHTTPS("api https", r.api, false)

	resp, err := r.do(http.MethodGet, r.api, map[string]string{"Origin": r.origin})
	switch {
	case err != nil:
		r.fail("api 401 without a token", "%v", err)
	case resp.status != http.StatusUnauthorized || resp.message() != gateway.MessageUnauthorized:
		r.fail("api 401 without a token", "GET %s = %s, want 401 %s", r.api, resp, gateway.ErrorBody(gateway.MessageUnauthorized))
	default:
		r.pass("api 401 without a token", "GET %s = 401 %s", r.api, resp.message())
	}
	r.checkCORS("api CORS for the site", resp)

	foreign, err := r.do(http.MethodGet, r.api, map[string]string{"Origin": foreignOrigin})
	const name = "api no CORS for a foreign origin"
	switch allowed := allowOrigin(foreign); {
	case err != nil:
		r.fail(name, "%v", err)
	case allowed == foreignOrigin || allowed == "*":
		r.fail(name, "Origin %s is answered with Access-Control-Allow-Origin: %s", foreignOrigin, allowed)
	default:
		r.pass(name, "Origin %s is answered with Access-Control-Allow-Origin: %q", foreignOrigin, allowed)
	}

	r.checkPreflight()

	unknown := r.api.JoinPath(unknownPath)
	resp, err = r.do(http.MethodGet, unknown, map[string]string{"Origin": r.origin})
	switch {
	case err != nil:
		r.fail("api 403 for an unknown path", "%v", err)
	case resp.status != http.StatusForbidden || resp.message() != gateway.MessageMissingAuthenticationToken:
		r.fail("api 403 for an unknown path", "GET %s = %s, want 403 %s", unknown, resp, gateway.ErrorBody(gateway.MessageMissingAuthenticationToken))
	case allowOrigin(resp) != r.origin:
		r.fail("api 403 for an unknown path", "GET %s = 403 with Access-Control-Allow-Origin %q, want %s", unknown, allowOrigin(resp), r.origin)
	default:
		r.pass("api 403 for an unknown path", "GET %s = 403 %s", unknown, resp.message())
	}
}

// allowOrigin returns the Access-Control-Allow-Origin of resp, "" for none.
func allowOrigin(resp *response) string {
	if resp == nil {
		return ""
	}
	return strings.Join(resp.header.Values("Access-Control-Allow-Origin"), ", ")
}

// checkCORS checks that resp carries gateway.CORSHeaders for the site's
// origin.
func (r *run) checkCORS(name string, resp *response) {
	if resp == nil {
		r.fail(name, "no answer")
		return
	}
	for h, v := range gateway.CORSHeaders(r.origin) {
		if !hasHeader(resp.header, h, v) {
			r.fail(name, "%s: %q, want %s", h, resp.header.Values(h), v)
			return
		}
	}
	r.pass(name, "Access-Control-Allow-Origin: %s", allowOrigin(resp))
}

// hasHeader reports whether header has the header h with the value want.
// Vary is a list to which proxies may add: it need only hold want.
func hasHeader(header http.Header, h, want string) bool {
	if h != "Vary" {
		return header.Get(h) == want && len(header.Values(h)) == 1
	}
	for _, v := range header.Values(h) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(t) == want {
				return true
			}
		}
	}
	return false
}

// checkPreflight sends the page's CORS preflight, which carries no token,
// and checks the answer's headers against gateway.PreflightHeaders.
func (r *run) checkPreflight() {
	const name = "api preflight"
	resp, err := r.do(http.MethodOptions, r.api, map[string]string{
		"Origin":                         r.origin,
		"Access-Control-Request-Method":  http.MethodGet,
		"Access-Control-Request-Headers": strings.ToLower(gateway.AuthorizationHeader),
	})
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	if resp.status != http.StatusOK && resp.status != http.StatusNoContent {
		r.fail(name, "OPTIONS %s = %s, want 200", r.api, resp)
		return
	}
	want := gateway.PreflightHeaders(r.origin, gateway.Routes.AllowedMethods("/"))
	for _, h := range slices.Sorted(maps.Keys(want)) {
		if !hasHeader(resp.header, h, want[h]) {
			r.fail(name, "OPTIONS %s: %s: %q, want %s", r.api, h, resp.header.Values(h), want[h])
			return
		}
	}
	r.pass(name, "OPTIONS %s = %d, methods %s, headers %s", r.api, resp.status,
		resp.header.Get("Access-Control-Allow-Methods"), resp.header.Get("Access-Control-Allow-Headers"))
}

// claims are what a smoke run reads of an ID token, without verifying it:
// the API does that.
type claims struct {
	Sub   string `json:"sub"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Exp   int64  `json:"exp"`
}

// readClaims decodes the payload of a compact JWT, optionally prefixed by
// "Bearer ".
func readClaims(token string) (claims, error) {
	parts := strings.Split(strings.TrimPrefix(token, "Bearer "), ".")
	if len(parts) != 3 {
		return claims{}, errors.New("not a JWT: want three dot-separated parts")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, fmt.Errorf("payload: %w", err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return claims{}, fmt.Errorf("payload: %w", err)
	}
	if c.Sub == "" {
		return claims{}, errors.New("payload has no sub")
	}
	return c, nil
}

// checkWithToken finds a token, from Config or the development identity
// provider, and checks the greeting and GET /me with it.
func (r *run) checkWithToken() {
	const name = "token"
	token, source, ok := r.findToken()
	if !ok {
		return
	}
	if token == "" {
		r.skip(name, "%s", source)
		r.skip("api greeting", "no token")
		r.skip("api GET /me", "no token")
		return
	}
	c, err := readClaims(token)
	if err != nil {
		r.fail(name, "%s: %v", source, err)
		return
	}
	if exp := time.Unix(c.Exp, 0); c.Exp != 0 && time.Now().After(exp) {
		r.fail(name, "%s expired at %s: get a fresh one", source, exp.UTC().Format(time.RFC3339))
		return
	}
	r.pass(name, "%s, for %s", source, c.Email)
	r.checkGreeting(token, c)
	r.checkMe(token, c)
}

// findToken returns the token to call the API with and where it came from:
// Config.Token, or a development provider's. An empty token says why there
// is none; false means finding one failed, and was reported.
func (r *run) findToken() (token, source string, ok bool) {
	if r.token != "" {
		return r.token, "SMOKE_TOKEN", true
	}
	provider := r.idp
	if provider == nil && r.config != nil && r.config.SignInScript != "" && isLocal(r.site) {
		script, err := url.Parse(r.config.SignInScript)
		if err == nil && isLocal(script) {
			provider = &url.URL{Scheme: script.Scheme, Host: script.Host}
		}
	}
	if provider == nil {
		return "", "no SMOKE_TOKEN: the greeting and GET /me go unchecked", true
	}
	token, err := mint(r.ctx, r.client, provider)
	if err != nil {
		r.fail("token", "%v", err)
		return "", "", false
	}
	return token, "minted by the development identity provider at " + provider.String(), true
}

// mint asks the development identity provider at provider for a token of
// smokeName and smokeEmail: POST /token with the form fields name and email,
// answered {"id_token": "..."}.
func mint(ctx context.Context, client *http.Client, provider *url.URL) (string, error) {
	target := dir(provider).JoinPath(idp.TokenPath)
	form := url.Values{"name": {smokeName}, "email": {smokeEmail}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("minting a token: %w", err)
	}
	defer resp.Body.Close()
	var answer struct {
		IDToken string `json:"id_token"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err := json.Unmarshal(body, &answer); resp.StatusCode != http.StatusOK || err != nil || answer.IDToken == "" {
		return "", fmt.Errorf("minting a token: POST %s = %d %s, want 200 {\"id_token\": ...}", target, resp.StatusCode, abbreviate(string(body)))
	}
	return answer.IDToken, nil
}

// checkGreeting calls the API with the token, as the page does.
func (r *run) checkGreeting(token string, c claims) {
	const name = "api greeting"
	resp, err := r.do(http.MethodGet, r.api, map[string]string{
		"Origin": r.origin, gateway.AuthorizationHeader: token,
	})
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	var answer hello.Response
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &answer) != nil {
		r.fail(name, "GET %s = %s, want 200 {\"message\":\"Hello ...!\"}", r.api, resp)
		return
	}
	if c.Name != "" && answer.Message != hello.Greet(c.Name) {
		r.fail(name, "message %q, want %q", answer.Message, hello.Greet(c.Name))
		return
	}
	if !strings.HasPrefix(answer.Message, "Hello ") {
		r.fail(name, "message %q is no greeting", answer.Message)
		return
	}
	if allowOrigin(resp) != r.origin {
		r.fail(name, "GET %s = 200 with Access-Control-Allow-Origin %q, want %s", r.api, allowOrigin(resp), r.origin)
		return
	}
	r.pass(name, "GET %s = 200 %s", r.api, answer.Message)
}

// checkMe calls GET /me with the token: the caller's sub, email and name,
// with the CORS headers the proxy function sets itself.
func (r *run) checkMe(token string, c claims) {
	const name = "api GET /me"
	target := r.api.JoinPath(mePath)
	resp, err := r.do(http.MethodGet, target, map[string]string{
		"Origin": r.origin, gateway.AuthorizationHeader: token,
	})
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	var me proxy.Caller
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &me) != nil {
		r.fail(name, "GET %s = %s, want 200 {\"sub\": ..., \"email\": ..., \"name\": ...}", target, resp)
		return
	}
	if me.Sub != c.Sub || me.Email != c.Email || (c.Name != "" && me.Name != c.Name) {
		r.fail(name, "GET %s = sub %q email %q name %q, want the token's %q %q %q", target, me.Sub, me.Email, me.Name, c.Sub, c.Email, c.Name)
		return
	}
	if allowOrigin(resp) != r.origin {
		r.fail(name, "GET %s = 200 with Access-Control-Allow-Origin %q, want %s", target, allowOrigin(resp), r.origin)
		return
	}
	r.pass(name, "GET %s = 200 for %s", target, me.Email)
}
