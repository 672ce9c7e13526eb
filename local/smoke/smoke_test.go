package smoke

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/local/idp"
	"signin/local/stack"
	"signin/site"
)

// These tests run the smoke checks against the offline stack of `make dev`
// (the real functions under the emulator), and against that stack with one
// part broken, or pointed at the wrong place, to show each check failing.

var shared *stack.Running

func TestMain(m *testing.M) {
	var err error
	if stackGroups, err = groupsWithDeployers(); err != nil {
		fmt.Fprintln(os.Stderr, "reading the stack's groups:", err)
		os.Exit(1)
	}
	groups, _ := json.Marshal(stackGroups) // a map of lists of strings always marshals
	st, err := stack.Start(context.Background(), stack.Options{Workloads: workloadsJSON, Groups: string(groups)})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the stack:", err)
		os.Exit(1)
	}
	shared = st
	code := m.Run()
	st.Close()
	os.Exit(code)
}

// workloadsJSON is the stack's workload for the repository that deploys
// it, as docs/ci.md declares it; the local stack runs with the stack's
// groups and deployers, which lists it (stackGroups).
const workloadsJSON = `{"smoke":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://api.example.com","claims":{"repository":"acme/app","environment":"production"}}}`

// stackGroups are the groups of the local stack: the stack's, and
// deployers listing the workload smoke.
var stackGroups authorizer.Groups

// groupsWithDeployers returns the dev stack's groups and deployers.
func groupsWithDeployers() (authorizer.Groups, error) {
	_, groups, err := StackAccess("../..", "dev")
	if groups == nil {
		groups = authorizer.Groups{}
	}
	groups["deployers"] = authorizer.Members{Workloads: []string{"smoke"}}
	return groups, err
}

// statuses maps each check's name to its outcome.
func statuses(results []Result) map[string]outcome {
	m := map[string]outcome{}
	for _, r := range results {
		m[r.name] = r.status
	}
	return m
}

// everyCheck is every check a run against the local stack reports.
var everyCheck = []string{
	"site https", "site page", "site configuration",
	"site Content-Security-Policy", "site Strict-Transport-Security", "site X-Content-Type-Options",
	"site X-Frame-Options", "site Referrer-Policy", "site Cross-Origin-Opener-Policy",
	"api https", "api 401 without a token", "api CORS for the site", "api no CORS for a foreign origin",
	"api preflight", "api 403 for an unknown path",
	"site /api 401 without a token", "site /api 403 for an unknown path",
	"token", "api greeting", "site /api greeting", "api GET /me",
}

// deployedOnly are the checks of a deployed stack, which a run against the
// local stack skips: it has no dashboard and no access log.
var deployedOnly = []string{"dashboard", "api access log"}

// apiOrigin is the origin of the local stack's API, without its prefix.
var apiOrigin = func() string { return strings.TrimSuffix(shared.APIURL, gateway.Prefix) }

func TestLocalStackPassesEveryCheck(t *testing.T) {
	var out strings.Builder
	results, err := Run(context.Background(), Config{SiteURL: shared.SiteURL, APIURL: shared.APIURL}, &out)
	if err != nil {
		t.Fatal(err)
	}
	got := statuses(results)
	for _, name := range everyCheck {
		if got[name] != pass {
			t.Errorf("%s: %s, want PASS", name, got[name])
		}
	}
	for _, name := range deployedOnly {
		if got[name] != skip {
			t.Errorf("%s: %s, want SKIP", name, got[name])
		}
	}
	if want := len(everyCheck) + len(deployedOnly); len(results) != want {
		t.Errorf("%d results, want one per check (%d)", len(results), want)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for i, r := range results {
		if i >= len(lines) || lines[i] != r.String() {
			t.Errorf("line %d of the report is not %q", i+1, r)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", out.String())
	}
}

// relay serves target's answers through a new server, after modify changes
// them.
func relay(t *testing.T, target string, modify func(*http.Response) error) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = modify
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv
}

// setHeader returns a modification that sets the header h to v, or deletes it
// when v is empty.
func setHeader(h, v string) func(*http.Response) error {
	return func(resp *http.Response) error {
		if v == "" {
			resp.Header.Del(h)
		} else {
			resp.Header.Set(h, v)
		}
		return nil
	}
}

// answer is a server that answers every request with status and body.
func answer(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// dialing returns a client whose connections to each "host:port" of routes
// go to the address it maps to, trusting the certificate of tlsServer, if
// any, as the smoke run's own client would trust a real one.
func dialing(tlsServer *httptest.Server, routes map[string]string) *http.Client {
	roots := x509.NewCertPool()
	if tlsServer != nil {
		roots.AddCert(tlsServer.Certificate())
	}
	return &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if to, ok := routes[addr]; ok {
					addr = to
				}
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
			TLSClientConfig: &tls.Config{RootCAs: roots},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// The deployed site in miniature: https://example.com (a name httptest's
// certificate covers) serves the local page with HSTS, and its plain-HTTP
// address redirects there.
func deployedSite(t *testing.T, hsts string) Config {
	t.Helper()
	u, _ := url.Parse(shared.SiteURL)
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = setHeader("Strict-Transport-Security", hsts)
	secure := httptest.NewTLSServer(p)
	t.Cleanup(secure.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.com"+r.URL.Path, http.StatusMovedPermanently)
	}))
	t.Cleanup(redirect.Close)
	return Config{
		SiteURL: "https://example.com/",
		APIURL:  shared.APIURL,
		client: dialing(secure, map[string]string{
			"example.com:443": secure.Listener.Addr().String(),
			"example.com:80":  redirect.Listener.Addr().String(),
		}),
	}
}

// Each case breaks one thing the checks guard, or points them at the wrong
// place, and names the checks that must fail and some that must still pass.
func TestChecksFailWhenTheDeploymentIsWrong(t *testing.T) {
	tests := []struct {
		name        string
		config      func(t *testing.T) Config
		fail, pass  []string
		reportsLine string
	}{
		{
			name: "API_URL names another server: the site",
			config: func(*testing.T) Config {
				return Config{SiteURL: shared.SiteURL, APIURL: shared.SiteURL}
			},
			fail: []string{"api 401 without a token", "api preflight", "api 403 for an unknown path", "api greeting", "api GET /me"},
			pass: []string{"site page", "site Content-Security-Policy"},
		},
		{
			name: "API_URL names a wrong path of the API",
			config: func(*testing.T) Config {
				return Config{SiteURL: shared.SiteURL, APIURL: shared.APIURL + "/v1/"}
			},
			fail:        []string{"api 401 without a token", "api greeting"},
			pass:        []string{"site page", "site /api 401 without a token"},
			reportsLine: "FAIL api 401 without a token: GET " + shared.APIURL + "/v1 = 403",
		},
		{
			name: "API_URL names a server that answers 200 to anything",
			config: func(t *testing.T) Config {
				return Config{SiteURL: shared.SiteURL, APIURL: answer(t, 200, `{"message":"Hello Smoke Test!"}`).URL}
			},
			fail: []string{"api 401 without a token", "api CORS for the site", "api preflight", "api 403 for an unknown path", "api GET /me"},
		},
		{
			// Attack: any page on the web reads the API's answers with the
			// user's token.
			name: "an API that allows every origin",
			config: func(t *testing.T) Config {
				return Config{SiteURL: shared.SiteURL, APIURL: relay(t, apiOrigin(), setHeader("Access-Control-Allow-Origin", "*")).URL + gateway.Prefix}
			},
			fail: []string{"api no CORS for a foreign origin", "api CORS for the site"},
			pass: []string{"api 401 without a token"},
		},
		{
			name: "an API whose errors carry no CORS headers",
			config: func(t *testing.T) Config {
				return Config{SiteURL: shared.SiteURL, APIURL: relay(t, apiOrigin(), setHeader("Access-Control-Allow-Origin", "")).URL + gateway.Prefix}
			},
			fail: []string{"api CORS for the site", "api preflight", "api 403 for an unknown path", "api greeting"},
			pass: []string{"api 401 without a token", "api no CORS for a foreign origin"},
		},
		{
			name: "/me answers for someone else",
			config: func(t *testing.T) Config {
				api := relay(t, apiOrigin(), func(resp *http.Response) error {
					if resp.Request.URL.Path == gateway.Prefix+"/"+mePath {
						body := `{"sub":"1","email":"eve@example.com","name":"Eve"}`
						resp.StatusCode = http.StatusOK
						resp.Body = io.NopCloser(strings.NewReader(body))
						resp.ContentLength = int64(len(body))
						resp.Header.Del("Content-Length")
					}
					return nil
				})
				return Config{SiteURL: shared.SiteURL, APIURL: shared.APIURL, client: dialing(nil, map[string]string{
					strings.TrimPrefix(apiOrigin(), "http://"): api.Listener.Addr().String(),
				})}
			},
			fail: []string{"api GET /me"},
			pass: []string{"site configuration", "api greeting"},
		},
		{
			name: "/me answers without the caller's groups",
			config: func(t *testing.T) Config {
				api := relay(t, apiOrigin(), func(resp *http.Response) error {
					if resp.Request.URL.Path != gateway.Prefix+"/"+mePath || resp.StatusCode != http.StatusOK {
						return nil
					}
					var me map[string]any
					if err := json.NewDecoder(resp.Body).Decode(&me); err != nil {
						return err
					}
					delete(me, "groups")
					body, err := json.Marshal(me)
					if err != nil {
						return err
					}
					resp.Body = io.NopCloser(bytes.NewReader(body))
					resp.ContentLength = int64(len(body))
					resp.Header.Del("Content-Length")
					return nil
				})
				return Config{SiteURL: shared.SiteURL, APIURL: shared.APIURL, client: dialing(nil, map[string]string{
					strings.TrimPrefix(apiOrigin(), "http://"): api.Listener.Addr().String(),
				})}
			},
			fail: []string{"api GET /me"},
			pass: []string{"site configuration", "api greeting"},
		},
		{
			// The token minted by another provider: the authorizer must
			// refuse it, and the greeting check sees the 401.
			name: "a token the API does not accept",
			config: func(t *testing.T) Config {
				other := httptest.NewUnstartedServer(nil)
				provider, err := idp.New("http://"+other.Listener.Addr().String(), stack.DevClientID)
				if err != nil {
					t.Fatal(err)
				}
				other.Config.Handler = provider.Handler()
				other.Start()
				t.Cleanup(other.Close)
				return Config{SiteURL: shared.SiteURL, APIURL: shared.APIURL, IDPURL: other.URL}
			},
			fail:        []string{"api greeting", "api GET /me"},
			pass:        []string{"token", "api 401 without a token"},
			reportsLine: "FAIL api greeting: GET " + shared.APIURL + " = 401",
		},
		{
			name: "an expired SMOKE_TOKEN",
			config: func(t *testing.T) Config {
				token, err := shared.Provider.Token(idp.Identity{Name: "Ada", Email: "ada@example.com", EmailVerified: true, Lifetime: -time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				return Config{SiteURL: shared.SiteURL, APIURL: shared.APIURL, Token: token}
			},
			fail: []string{"token"},
		},
		{
			// Attack: an injected inline script runs.
			name: "a site whose CSP allows inline scripts",
			config: func(t *testing.T) Config {
				return Config{SiteURL: relay(t, shared.SiteURL, setHeader("Content-Security-Policy", "default-src 'self' 'unsafe-inline'")).URL, APIURL: shared.APIURL}
			},
			fail: []string{"site Content-Security-Policy"},
			pass: []string{"site page", "site configuration", "site X-Frame-Options"},
		},
		{
			// Pitfall 20: a distribution-wide custom error response turns the
			// API's 403 into the page.
			name: "a site that answers the API's 403 with the page",
			config: func(t *testing.T) Config {
				return Config{SiteURL: relay(t, shared.SiteURL, func(resp *http.Response) error {
					if resp.StatusCode == http.StatusForbidden {
						body := "<!doctype html><title>Sign in</title>"
						resp.StatusCode = http.StatusOK
						resp.Header.Set("Content-Type", "text/html; charset=utf-8")
						resp.Header.Del("Content-Length")
						resp.ContentLength = int64(len(body))
						resp.Body = io.NopCloser(strings.NewReader(body))
					}
					return nil
				}).URL, APIURL: shared.APIURL}
			},
			fail: []string{"site /api 403 for an unknown path"},
			pass: []string{"site /api 401 without a token", "site /api greeting"},
		},
		{
			// Attack: clickjacking, the page framed by another.
			name: "a site that may be framed",
			config: func(t *testing.T) Config {
				return Config{SiteURL: relay(t, shared.SiteURL, setHeader("X-Frame-Options", "")).URL, APIURL: shared.APIURL}
			},
			fail: []string{"site X-Frame-Options"},
			pass: []string{"site Content-Security-Policy"},
		},
		{
			name: "a site without nosniff, referrer or opener policies",
			config: func(t *testing.T) Config {
				return Config{SiteURL: relay(t, shared.SiteURL, func(resp *http.Response) error {
					for _, h := range []string{"X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"} {
						resp.Header.Del(h)
					}
					return nil
				}).URL, APIURL: shared.APIURL}
			},
			fail: []string{"site X-Content-Type-Options", "site Referrer-Policy", "site Cross-Origin-Opener-Policy"},
		},
		{
			name: "HSTS sent over plain HTTP",
			config: func(t *testing.T) Config {
				return Config{SiteURL: relay(t, shared.SiteURL, setHeader("Strict-Transport-Security", site.StrictTransportSecurity)).URL, APIURL: shared.APIURL}
			},
			fail: []string{"site Strict-Transport-Security"},
		},
		{
			name: "a site over plain HTTP that is not localhost",
			config: func(*testing.T) Config {
				return Config{SiteURL: "http://example.com/", APIURL: shared.APIURL, client: dialing(nil, map[string]string{
					"example.com:80": strings.TrimPrefix(shared.SiteURL, "http://"),
				})}
			},
			fail: []string{"site https"},
			pass: []string{"site page", "site configuration"},
		},
		{
			name:   "a site over HTTPS without HSTS",
			config: func(t *testing.T) Config { return deployedSite(t, "") },
			fail:   []string{"site Strict-Transport-Security"},
			pass:   []string{"site https", "site page"},
		},
		{
			name:   "a site over HTTPS with a short HSTS",
			config: func(t *testing.T) Config { return deployedSite(t, "max-age=300; includeSubDomains") },
			fail:   []string{"site Strict-Transport-Security"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			results, err := Run(context.Background(), tt.config(t), &out)
			if err != nil {
				t.Fatal(err)
			}
			got := statuses(results)
			for _, name := range tt.fail {
				if got[name] != fail {
					t.Errorf("%s: %s, want FAIL", name, got[name])
				}
			}
			for _, name := range tt.pass {
				if got[name] != pass {
					t.Errorf("%s: %s, want PASS", name, got[name])
				}
			}
			if tt.reportsLine != "" && !strings.Contains(out.String(), tt.reportsLine) {
				t.Errorf("the report has no line starting %q", tt.reportsLine)
			}
			if t.Failed() {
				t.Logf("report:\n%s", out.String())
			}
		})
	}
}

// The deployed site in miniature passes its HTTPS checks: the redirect from
// plain HTTP, and HSTS.
func TestHTTPSSitePasses(t *testing.T) {
	var out strings.Builder
	results, err := Run(context.Background(), deployedSite(t, site.StrictTransportSecurity), &out)
	if err != nil {
		t.Fatal(err)
	}
	got := statuses(results)
	for _, name := range []string{"site https", "site page", "site configuration", "site Strict-Transport-Security", "site Content-Security-Policy", "site Cross-Origin-Opener-Policy"} {
		if got[name] != pass {
			t.Errorf("%s: %s, want PASS", name, got[name])
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", out.String())
	}
}

// Without SMOKE_TOKEN, a deployed site's checks that need a token say they
// were skipped; a skip is no failure.
func TestNoTokenSkipsTheGreeting(t *testing.T) {
	results, err := Run(context.Background(), deployedSite(t, site.StrictTransportSecurity), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := statuses(results)
	for _, name := range []string{"token", "api greeting", "api GET /me"} {
		if got[name] != skip {
			t.Errorf("%s: %s, want SKIP", name, got[name])
		}
	}
	cfg := deployedSite(t, site.StrictTransportSecurity)
	cfg.Repository = "acme/app"
	results, err = Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "pulumi config set --path 'workloads.smoke.issuer' https://token.actions.githubusercontent.com; " +
		"pulumi config set --path 'workloads.smoke.audience' " + shared.APIURL + "; " +
		"pulumi config set --path 'workloads.smoke.claims.repository' acme/app; " +
		"pulumi config set --path 'workloads.smoke.claims.environment' production"
	if r := results[slices.IndexFunc(results, func(r Result) bool { return r.name == "token" })]; !strings.Contains(r.detail, want) {
		t.Errorf("the token's skip says %q, want the commands that declare the workload: %s", r.detail, want)
	}
}

// TestWorkloadTokenIsCheckedAsTheWorkload: with a SMOKE_TOKEN of the
// stack's workload, as deploy.yml requests one, the greeting and GET /me
// answer the workload's name and groups; an expectation the API does not
// meet fails.
func TestWorkloadTokenIsCheckedAsTheWorkload(t *testing.T) {
	workloads, err := authorizer.ParseWorkloads(workloadsJSON)
	if err != nil {
		t.Fatal(err)
	}
	groups := stackGroups
	tok, err := shared.Provider.GitHubToken(idp.Run{Repository: "acme/app", Environment: "production", Audience: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	restricted := append(slices.Clone(gateway.Routes),
		gateway.Route{Method: "GET", Path: "/deploy", Function: "me", Integration: gateway.Proxy, Groups: []string{"deployers"}},
		gateway.Route{Method: "GET", Path: "/staff", Function: "me", Integration: gateway.Proxy, Groups: []string{"staff"}})
	tests := []struct {
		name       string
		groups     authorizer.Groups
		routes     gateway.Table
		pass, fail []string
		detail     string
	}{
		{"the workload's name and groups", groups, nil,
			[]string{"token", "api greeting", "site /api greeting", "api GET /me"}, nil, "GET " + shared.APIURL + " = 200 Hello smoke!"},
		{"groups the API does not answer", authorizer.Groups{"deployers": {Workloads: []string{"smoke"}}, "zz": {Workloads: []string{"smoke"}}}, nil,
			[]string{"api greeting"}, []string{"api GET /me"}, `groups ["deployers"], want ["deployers" "zz"]`},
		// The local API has no /deploy: its 403 is the workload kept out of
		// its group's route; /staff is another group's, rightly 403.
		{"a restricted route that keeps the workload out", groups, restricted,
			[]string{"api another group's route as the workload"}, []string{"api restricted route as the workload"}, "want smoke let through"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			results, err := Run(context.Background(), Config{SiteURL: shared.SiteURL, APIURL: shared.APIURL, Token: tok,
				Workloads: workloads, Groups: tt.groups, routes: tt.routes}, &out)
			if err != nil {
				t.Fatal(err)
			}
			got := statuses(results)
			for _, name := range tt.pass {
				if got[name] != pass {
					t.Errorf("%s: %s, want PASS", name, got[name])
				}
			}
			for _, name := range tt.fail {
				if got[name] != fail {
					t.Errorf("%s: %s, want FAIL", name, got[name])
				}
			}
			if !strings.Contains(out.String(), tt.detail) {
				t.Errorf("report lacks %q", tt.detail)
			}
			if t.Failed() {
				t.Logf("report:\n%s", out.String())
			}
		})
	}
}

func TestRunRefusesAConfigNamingNoDeployment(t *testing.T) {
	tests := []struct {
		name    string
		config  Config
		wantErr string
	}{
		{"no site", Config{APIURL: "https://api.example.com/"}, "SITE_URL is not set"},
		{"no API", Config{SiteURL: "https://app.example.com/"}, "API_URL is not set"},
		{"a relative site", Config{SiteURL: "app.example.com", APIURL: "https://api.example.com/"}, `SITE_URL="app.example.com" is not an absolute http(s) URL`},
		{"a file API", Config{SiteURL: "https://app.example.com/", APIURL: "file:///etc/passwd"}, "API_URL"},
		{"a bad provider", Config{SiteURL: "https://app.example.com/", APIURL: "https://api.example.com/", IDPURL: "localhost:8082"}, "IDP_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results, err := Run(context.Background(), tt.config, nil)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Run() error = %v, want one containing %q", err, tt.wantErr)
			}
			if len(results) != 0 {
				t.Errorf("Run() checked %d things of a config naming no deployment", len(results))
			}
		})
	}
}

// fakePulumi puts a pulumi command on PATH that prints output and exits with
// code, recording its arguments in the returned file.
func fakePulumi(t *testing.T, output string, code int) string {
	t.Helper()
	dir := t.TempDir()
	args := filepath.Join(dir, "args")
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" > %q\ncat <<'EOF'\n%s\nEOF\nexit %d\n", args, output, code)
	if err := os.WriteFile(filepath.Join(dir, pulumiCLI), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return args
}

func TestStackOutputs(t *testing.T) {
	tests := []struct {
		name    string
		output  string
		code    int
		want    Outputs
		wantErr string
	}{
		{
			name:   "both addresses",
			output: `{"apiUrl": "https://abc.execute-api.eu-central-1.amazonaws.com/prod/", "siteUrl": "https://d1.cloudfront.net/", "bucketName": "b"}`,
			want:   Outputs{SiteURL: "https://d1.cloudfront.net/", APIURL: "https://abc.execute-api.eu-central-1.amazonaws.com/prod/"},
		},
		{
			name:   "the dashboard and the access log",
			output: `{"apiUrl": "https://abc.execute-api.eu-central-1.amazonaws.com/prod/", "siteUrl": "https://d1.cloudfront.net/", "dashboardUrl": "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/signin-prod", "accessLogGroup": "/aws/apigateway/signin-prod-access-1"}`,
			want: Outputs{
				SiteURL: "https://d1.cloudfront.net/", APIURL: "https://abc.execute-api.eu-central-1.amazonaws.com/prod/",
				DashboardURL:   "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/signin-prod",
				AccessLogGroup: "/aws/apigateway/signin-prod-access-1",
			},
		},
		{name: "a stack not deployed", output: `{}`, wantErr: "stack prod has no output siteUrl: has it been deployed (make up STACK=prod)?"},
		{name: "no API output", output: `{"siteUrl": "https://d1.cloudfront.net/"}`, wantErr: "no output apiUrl"},
		{name: "pulumi fails", output: "error: no stack named 'prod' found", code: 255, wantErr: "reading the outputs of stack prod"},
		{name: "not JSON", output: "siteUrl: x", wantErr: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := fakePulumi(t, tt.output, tt.code)
			got, err := StackOutputs(context.Background(), "", "prod")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("StackOutputs() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("StackOutputs() = %+v, %v, want %+v", got, err, tt.want)
			}
			b, _ := os.ReadFile(args)
			if got := strings.TrimSpace(string(b)); got != "stack output --json --stack prod" {
				t.Errorf("pulumi ran with %q, want stack output --json --stack prod", got)
			}
		})
	}
}

func TestStackOutputsWithoutPulumi(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := StackOutputs(context.Background(), "", "dev")
	if err == nil || !strings.Contains(err.Error(), "set SITE_URL and API_URL") {
		t.Errorf("StackOutputs() error = %v, want one saying to set SITE_URL and API_URL", err)
	}
}
