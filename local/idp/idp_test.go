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
