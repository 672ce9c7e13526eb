package idp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

const testClientID = "local-dev-client.apps.googleusercontent.com"

// start serves a provider on a free port, its issuer being its own address,
// as the local stack runs it.
func start(t *testing.T) (*Provider, *httptest.Server) {
	t.Helper()
	var p *Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var err error
	if p, err = New(srv.URL, testClientID); err != nil {
		t.Fatal(err)
	}
	return p, srv
}

// verifier is what the authorizer does with a token: go-oidc's discovery
// and verification against the provider.
func verifier(t *testing.T, issuer string) *oidc.IDTokenVerifier {
	t.Helper()
	provider, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	return provider.Verifier(&oidc.Config{ClientID: testClientID})
}

func postToken(t *testing.T, srv *httptest.Server, form url.Values) (int, map[string]string) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+TokenPath, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
		t.Errorf("POST /token Access-Control-Allow-Origin = %q; the stand-in script calls it from the site's origin", got)
	}
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("POST /token answered non-JSON: %v", err)
	}
	return resp.StatusCode, body
}

func TestTokenEndpointIssuesTokensGoOIDCAccepts(t *testing.T) {
	_, srv := start(t)
	v := verifier(t, srv.URL)
	tests := []struct {
		name         string
		form         url.Values
		wantName     string
		wantVerified bool
		wantHD       string
	}{
		{"name and email", url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"}}, "Ada Lovelace", true, "example.com"},
		{"unverified email", url.Values{"name": {"Bob"}, "email": {"bob@example.com"}, "email_verified": {"false"}}, "Bob", false, "example.com"},
		{"gmail has no hosted domain", url.Values{"name": {"Cy"}, "email": {"cy@gmail.com"}}, "Cy", true, ""},
		{"no name falls back to the email", url.Values{"email": {"dee@example.org"}}, "dee@example.org", true, "example.org"},
		{"markup in the name is kept as is", url.Values{"name": {`<img src=x onerror=alert(1)>`}, "email": {"eve@example.com"}}, `<img src=x onerror=alert(1)>`, true, "example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postToken(t, srv, tt.form)
			if status != http.StatusOK {
				t.Fatalf("POST /token = %d %v, want 200", status, body)
			}
			tok, err := v.Verify(context.Background(), body["id_token"])
			if err != nil {
				t.Fatalf("go-oidc rejects the token: %v", err)
			}
			var c struct {
				Name          string `json:"name"`
				Email         string `json:"email"`
				EmailVerified bool   `json:"email_verified"`
				HD            string `json:"hd"`
				AZP           string `json:"azp"`
			}
			if err := tok.Claims(&c); err != nil {
				t.Fatal(err)
			}
			if c.Name != tt.wantName || c.Email != tt.form.Get("email") || c.EmailVerified != tt.wantVerified || c.HD != tt.wantHD || c.AZP != testClientID {
				t.Errorf("claims = %+v, want name %q, email %q, verified %v, hd %q, azp %q",
					c, tt.wantName, tt.form.Get("email"), tt.wantVerified, tt.wantHD, testClientID)
			}
		})
	}
}

func TestTokenEndpointRejectsBadForms(t *testing.T) {
	_, srv := start(t)
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"no email", url.Values{"name": {"Ada"}}, "email"},
		{"not an address", url.Values{"email": {"ada"}}, "email"},
		{"address with a display name", url.Values{"email": {"Ada <ada@example.com>"}}, "email"},
		{"lifetime not a number", url.Values{"email": {"ada@example.com"}, "expires_in": {"soon"}}, "expires_in"},
		{"zero lifetime", url.Values{"email": {"ada@example.com"}, "expires_in": {"0"}}, "expires_in"},
		{"lifetime too long", url.Values{"email": {"ada@example.com"}, "expires_in": {"172800"}}, "lifetime"},
		{"email_verified not a boolean", url.Values{"email": {"ada@example.com"}, "email_verified": {"maybe"}}, "email_verified"},
		{"attack: a javascript: picture", url.Values{"email": {"ada@example.com"}, "picture": {"javascript:alert(1)"}}, "picture"},
		{"a plain-http picture", url.Values{"email": {"ada@example.com"}, "picture": {"http://example.com/a.png"}}, "picture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postToken(t, srv, tt.form)
			if status != http.StatusBadRequest || body["error"] != "invalid_request" || !strings.Contains(body["error_description"], tt.want) {
				t.Errorf("POST /token = %d %v, want 400 invalid_request naming %q", status, body, tt.want)
			}
		})
	}
}

// An expired token, a token of another provider, and a token for another
// client must all fail go-oidc's verification, as the authorizer relies on.
func TestVerificationRejectsWhatItMust(t *testing.T) {
	p, srv := start(t)
	other, _ := start(t)
	v := verifier(t, srv.URL)
	expired, err := p.Token(Identity{Email: "ada@example.com", Lifetime: -time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	forged, err := other.Token(Identity{Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	otherClient := &Provider{issuer: p.issuer, clientID: "someone-else.apps.googleusercontent.com", key: p.key, keyID: p.keyID, now: p.now}
	wrongAudience, err := otherClient.Token(Identity{Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, token, want string }{
		{"expired", expired, "expired"},
		{"signed by another provider's key", forged, "signature"},
		{"another client", wrongAudience, "audience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), tt.token); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Verify = %v, want an error about %q", err, tt.want)
			}
		})
	}
}

// The stand-in's prompt() renews silently with prompt=none; a provider set
// to refuse answers those with login_required, as Google fails to issue a
// credential to a user who signed out of Google, and still serves a sign-in
// through the form. Counts says what was issued and refused.
func TestSilentRenewalAndItsRefusal(t *testing.T) {
	ada := url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"}}
	silent := url.Values{"name": {"Ada Lovelace"}, "email": {"ada@example.com"}, "prompt": {"none"}}
	tests := []struct {
		name       string
		refuse     bool
		form       url.Values
		wantStatus int
		wantError  string
		want       Counts
	}{
		{"a sign-in", false, ada, http.StatusOK, "", Counts{Issued: 1}},
		{"a renewal", false, silent, http.StatusOK, "", Counts{Issued: 1, Renewals: 1}},
		{"a renewal, refused", true, silent, http.StatusBadRequest, "login_required", Counts{Renewals: 1, Refused: 1}},
		{"a sign-in while renewals are refused", true, ada, http.StatusOK, "", Counts{Issued: 1}},
		{"an unknown prompt", false, url.Values{"email": {"ada@example.com"}, "prompt": {"login"}}, http.StatusBadRequest, "invalid_request", Counts{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, srv := start(t)
			p.RefuseRenewal(tt.refuse)
			status, body := postToken(t, srv, tt.form)
			if status != tt.wantStatus || body["error"] != tt.wantError {
				t.Errorf("POST /token = %d %v, want %d with error %q", status, body, tt.wantStatus, tt.wantError)
			}
			if (body["id_token"] != "") != (tt.wantStatus == http.StatusOK) {
				t.Errorf("POST /token id_token = %q, want one only with 200", body["id_token"])
			}
			if got := p.Counts(); got != tt.want {
				t.Errorf("Counts = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestServesTheSignInStandIn(t *testing.T) {
	_, srv := start(t)
	tests := []struct{ path, contentType, contains string }{
		{signInScriptPath, "text/javascript; charset=utf-8", "google.accounts.id"},
		{signInStylePath, "text/css; charset=utf-8", ".devsignin"},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tt.contentType || !strings.Contains(string(b), tt.contains) {
			t.Errorf("GET %s = %d %q, want 200 %q containing %q", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), tt.contentType, tt.contains)
		}
	}
}

func BenchmarkToken(b *testing.B) {
	p, err := New("http://localhost:8082", testClientID)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := p.Token(Identity{Name: "Ada Lovelace", Email: "ada@example.com"}); err != nil {
			b.Fatal(err)
		}
	}
}

// claimsOf verifies tok with go-oidc against issuer for aud and returns
// its claims.
func claimsOf(t *testing.T, issuer, aud, tok string) map[string]any {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), issuer)
	if err != nil {
		t.Fatalf("go-oidc discovery of %s: %v", issuer, err)
	}
	idToken, err := provider.Verifier(&oidc.Config{ClientID: aud}).Verify(t.Context(), tok)
	if err != nil {
		t.Fatalf("go-oidc refused the token: %v", err)
	}
	var claims map[string]any
	if err := idToken.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestServiceAccountTokensAreShapedAsGoogle's: POST /token with a service
// account's email and an audience gives the token Google's metadata server
// would: azp and sub the account's numeric ID, the audience asked for, no
// hd and no name. A person cannot ask for another audience.
func TestServiceAccountTokensAreShapedAsGoogles(t *testing.T) {
	_, srv := start(t)
	const sa = "nightly@acme-prod.iam.gserviceaccount.com"
	for _, aud := range []string{"", "https://api.example.com"} {
		form := url.Values{"email": {sa}}
		if aud != "" {
			form.Set("aud", aud)
		}
		status, body := postToken(t, srv, form)
		if status != http.StatusOK {
			t.Fatalf("POST /token %v = %d %v", form, status, body)
		}
		want := aud
		if want == "" {
			want = testClientID
		}
		c := claimsOf(t, srv.URL, want, body["id_token"])
		if c["azp"] != c["sub"] || strings.Trim(c["sub"].(string), "0123456789") != "" || c["email"] != sa || c["email_verified"] != true || c["hd"] != nil || c["name"] != nil {
			t.Errorf("aud %q: claims %v, want a service account's", aud, c)
		}
	}
	status, body := postToken(t, srv, url.Values{"email": {"ada@example.com"}, "aud": {"https://api.example.com"}})
	if status != http.StatusBadRequest || !strings.Contains(body["error_description"], "only a service account") {
		t.Errorf("a person asking for an audience: %d %v, want 400 saying only a service account may", status, body)
	}
}

// TestGitHubStandInIssuesGitHubsTokens: the GitHub Actions stand-in
// serves discovery and keys go-oidc accepts, and builds sub as GitHub does.
func TestGitHubStandInIssuesGitHubsTokens(t *testing.T) {
	p, srv := start(t)
	tests := []struct {
		name    string
		form    url.Values
		aud     string
		wantSub string
		want    map[string]any
	}{
		{"a push to main", url.Values{"repository": {"acme/app"}}, "https://github.com/acme", "repo:acme/app:ref:refs/heads/main",
			map[string]any{"repository": "acme/app", "repository_owner": "acme", "ref": "refs/heads/main", "ref_type": "branch", "event_name": "push"}},
		{"a job in an environment", url.Values{"repository": {"acme/app"}, "environment": {"production"}, "aud": {"https://api.example.com"}}, "https://api.example.com", "repo:acme/app:environment:production",
			map[string]any{"environment": "production"}},
		{"a tag", url.Values{"repository": {"acme/app"}, "ref": {"refs/tags/v1.2.0"}, "actor": {"octocat"}}, "https://github.com/acme", "repo:acme/app:ref:refs/tags/v1.2.0",
			map[string]any{"ref_type": "tag", "actor": "octocat"}},
		{"a pull request", url.Values{"repository": {"acme/app"}, "ref": {"refs/pull/7/merge"}, "event_name": {"pull_request"}}, "https://github.com/acme", "repo:acme/app:pull_request",
			map[string]any{"event_name": "pull_request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.PostForm(srv.URL+githubPath+TokenPath, tt.form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("POST /github/token = %d %v %v", resp.StatusCode, body, err)
			}
			c := claimsOf(t, p.GitHubIssuerURL(), tt.aud, body["value"])
			if c["sub"] != tt.wantSub || c["iss"] != srv.URL+"/github" {
				t.Errorf("sub %v, iss %v; want %s, %s/github", c["sub"], c["iss"], tt.wantSub, srv.URL)
			}
			for k, v := range tt.want {
				if c[k] != v {
					t.Errorf("%s = %v, want %v", k, c[k], v)
				}
			}
		})
	}
	// Google's verifier refuses the stand-in's tokens: another issuer and
	// another key.
	tok, err := p.GitHubToken(Run{Repository: "acme/app", Audience: testClientID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifier(t, srv.URL).Verify(t.Context(), tok); err == nil {
		t.Error("the Google stand-in's verifier accepted a GitHub token")
	}
	for _, form := range []url.Values{{}, {"repository": {"acme"}}, {"repository": {"acme/app"}, "ref": {"main"}}, {"repository": {"acme/app"}, "repo": {"x"}}} {
		resp, err := http.PostForm(srv.URL+githubPath+TokenPath, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("POST /github/token %v = %d, want 400", form, resp.StatusCode)
		}
	}
}
