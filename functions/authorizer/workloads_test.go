package authorizer

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"signin/functions/gateway"
)

// ghIssuer is a loopback stand-in for GitHub Actions' token issuer: OpenID
// Connect discovery and a key set. It counts the requests of each.
type ghIssuer struct {
	srv                  *httptest.Server
	discoveries, fetches atomic.Int64

	mu sync.Mutex
	// keys are the published keys; issuer, when set, is what discovery
	// names instead of the server's own URL; down fails every request;
	// maxAge is the key set's Cache-Control max-age.
	keys   map[string]*rsa.PublicKey
	issuer string
	down   bool
	maxAge int
}

func newGHIssuer(t testing.TB) *ghIssuer {
	testKeys(t)
	gh := &ghIssuer{keys: map[string]*rsa.PublicKey{"gh1": &nextKey.PublicKey}, maxAge: 3600}
	gh.srv = httptest.NewServer(gh)
	t.Cleanup(gh.srv.Close)
	return gh
}

func (gh *ghIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gh.mu.Lock()
	defer gh.mu.Unlock()
	if r.URL.Path == "/.well-known/openid-configuration" {
		gh.discoveries.Add(1)
	}
	if gh.down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/.well-known/openid-configuration":
		issuer := gh.issuer
		if issuer == "" {
			issuer = gh.srv.URL
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "jwks_uri": gh.srv.URL + "/.well-known/jwks", "id_token_signing_alg_values_supported": []string{"RS256"}})
	case "/.well-known/jwks":
		gh.fetches.Add(1)
		w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d", gh.maxAge))
		_, _ = w.Write(jwks(gh.keys))
	default:
		http.NotFound(w, r)
	}
}

func (gh *ghIssuer) set(change func(*ghIssuer)) {
	gh.mu.Lock()
	defer gh.mu.Unlock()
	change(gh)
}

// The workloads' settings in these tests.
const (
	ghAudience = "https://github.com/acme"
	apiAud     = "https://api.example.com"
	nightlySA  = "nightly@acme-prod.iam.gserviceaccount.com"
	nightlyID  = "104729238127452967301"
	reporterSA = "reporter@acme-prod.iam.gserviceaccount.com"
)

// ghClaims returns the claims of a GitHub Actions token of acme/app's
// workflow on main, as GitHub builds them, with changes (nil removes).
func ghClaims(iss string, changes map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss": iss, "aud": ghAudience,
		"sub":                   "repo:acme/app:ref:refs/heads/main",
		"repository":            "acme/app",
		"repository_id":         "690234871",
		"repository_owner":      "acme",
		"repository_owner_id":   "81234567",
		"repository_visibility": "private",
		"ref":                   "refs/heads/main",
		"ref_type":              "branch",
		"ref_protected":         "true",
		"sha":                   "9f3b2c7e4d1a0b8c6e5f4a3b2c1d0e9f8a7b6c5d",
		"workflow":              "deploy",
		"workflow_ref":          "acme/app/.github/workflows/deploy.yml@refs/heads/main",
		"job_workflow_ref":      "acme/app/.github/workflows/deploy.yml@refs/heads/main",
		"event_name":            "push",
		"actor":                 "octocat",
		"actor_id":              "583231",
		"run_id":                "7412958321",
		"run_number":            "42",
		"run_attempt":           "1",
		"runner_environment":    "github-hosted",
		"jti":                   "5f2b1c3d-8e7a-4b6c-9d0e-1f2a3b4c5d6e",
		"nbf":                   now.Add(-5 * time.Second).Unix(),
		"iat":                   now.Unix(),
		"exp":                   now.Add(5 * time.Minute).Unix(),
	}
	for k, v := range changes {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// saChanges turns Google's claims of a person into a service account's
// token for aud: azp and sub its numeric ID, its email, no hd and no name.
func saChanges(email, aud string, more map[string]any) map[string]any {
	c := map[string]any{"aud": aud, "azp": nightlyID, "sub": nightlyID, "email": email, "hd": nil,
		"name": nil, "given_name": nil, "family_name": nil, "picture": nil}
	for k, v := range more {
		c[k] = v
	}
	return c
}

// workloadFixture is an authorizer with Google's people, GitHub Actions
// workloads and Google service accounts, the groups listing them, and its
// log.
type workloadFixture struct {
	gh   *ghIssuer
	iss  *issuer
	log  *bytes.Buffer
	auth *Handler
}

func newWorkloadFixture(t testing.TB) *workloadFixture {
	f := &workloadFixture{gh: newGHIssuer(t), iss: newIssuer(t), log: new(bytes.Buffer)}
	cfg := Config{
		ClientID: clientID, Issuer: issuerURL, JWKSURL: f.iss.jwksURL(),
		Workloads: Workloads{
			"deploy":   {Issuer: f.gh.srv.URL, Audience: ghAudience, Claims: map[string]string{"repository": "acme/app", "ref": "refs/heads/main"}},
			"release":  {Issuer: f.gh.srv.URL, Audience: ghAudience, Claims: map[string]string{"repository": "acme/app", "environment": "production"}},
			"nightly":  {Issuer: issuerURL, Claims: map[string]string{"email": nightlySA}},
			"reporter": {Issuer: issuerURL, Audience: apiAud, Claims: map[string]string{"email": reporterSA}},
		},
		Groups: Groups{
			"admins":    {Emails: []string{"ada@example.com"}, Workloads: []string{"nightly"}},
			"deployers": {Workloads: []string{"deploy"}},
			"releasers": {Workloads: []string{"release", "reporter"}},
		},
	}
	logger := slog.New(slog.NewJSONHandler(f.log, nil))
	f.auth = New(cfg, NewKeySet(cfg.JWKSURL, logger), logger)
	return f
}

func (f *workloadFixture) gitHub(changes map[string]any) string {
	return signRS256(nextKey, map[string]any{"alg": "RS256", "kid": "gh1", "typ": "JWT"}, mustJSON(ghClaims(f.gh.srv.URL, changes)))
}

// TestWorkloadsAreAdmittedByExactClaims presents workloads' tokens, and
// look-alikes, and checks the exact answer, the reason logged, and who the
// context says called.
func TestWorkloadsAreAdmittedByExactClaims(t *testing.T) {
	testKeys(t)
	f := newWorkloadFixture(t)
	gh := f.gitHub
	google := func(changes map[string]any) string { return token(googleKey, "k1", changes) }
	ghKeyWithIss := func(iss string) string {
		return signRS256(nextKey, map[string]any{"alg": "RS256", "kid": "gh1"}, mustJSON(ghClaims(iss, nil)))
	}
	// withRaw appends raw members to GitHub's claims: duplicate names.
	withRaw := func(raw string) string {
		claims := mustJSON(ghClaims(f.gh.srv.URL, nil))
		return signRS256(nextKey, map[string]any{"alg": "RS256", "kid": "gh1"}, []byte(string(claims[:len(claims)-1])+","+raw+"}"))
	}
	tests := []struct {
		name       string
		token      string
		want       int
		reason     string
		wantName   string
		wantEmail  string
		wantGroups string
	}{
		{"the deploy workflow on main", gh(nil), 200, "valid workload token", "deploy", "", "deployers"},
		{"the production environment", gh(map[string]any{"sub": "repo:acme/app:environment:production", "environment": "production", "ref": "refs/heads/release"}), 200, "valid workload token", "release", "", "releasers"},
		{"main in production is both workloads, named by the first", gh(map[string]any{"sub": "repo:acme/app:environment:production", "environment": "production"}), 200, "valid workload token", "deploy", "", "deployers,releasers"},
		{"another repository", gh(map[string]any{"repository": "acme/other", "sub": "repo:acme/other:ref:refs/heads/main"}), 403, "no workload matches", "", "", ""},
		{"a look-alike repository", gh(map[string]any{"repository": "acme/app-evil", "sub": "repo:acme/app-evil:ref:refs/heads/main"}), 403, "no workload matches", "", "", ""},
		{"the repository in other case", gh(map[string]any{"repository": "Acme/App"}), 403, "no workload matches", "", "", ""},
		{"another ref", gh(map[string]any{"ref": "refs/heads/feature", "sub": "repo:acme/app:ref:refs/heads/feature"}), 403, "no workload matches", "", "", ""},
		{"another environment", gh(map[string]any{"ref": "refs/heads/release", "environment": "staging", "sub": "repo:acme/app:environment:staging"}), 403, "no workload matches", "", "", ""},
		{"a missing claim", gh(map[string]any{"ref": nil}), 403, "no workload matches", "", "", ""},
		{"a claim as an array", gh(map[string]any{"repository": []string{"acme/app"}}), 403, "no workload matches", "", "", ""},
		{"a claim as a number", gh(map[string]any{"ref": 1}), 403, "no workload matches", "", "", ""},
		{"a claim twice, the last one matching", withRaw(`"repository":"acme/app"`), 401, "malformed claims", "", "", ""},
		{"another audience", gh(map[string]any{"aud": "https://github.com/evil"}), 401, "wrong audience", "", "", ""},
		{"the workload's audience among others", gh(map[string]any{"aud": []string{"https://github.com/evil", ghAudience}}), 200, "valid workload token", "deploy", "", "deployers"},
		{"an expired token", gh(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), 401, "expired", "", "", ""},
		{"nbf beyond the leeway", gh(map[string]any{"nbf": time.Now().Add(10 * time.Minute).Unix()}), 401, "not yet valid", "", "", ""},
		{"iat as a quoted number", gh(map[string]any{"iat": fmt.Sprint(time.Now().Unix())}), 401, "malformed claims", "", "", ""},
		{"no subject", gh(map[string]any{"sub": nil}), 401, "no subject", "", "", ""},
		{"an unknown issuer", ghKeyWithIss("https://token.actions.example"), 401, "unknown issuer", "", "", ""},
		{"GitHub's claims signed by Google's key", signRS256(googleKey, map[string]any{"alg": "RS256", "kid": "k1"}, mustJSON(ghClaims(f.gh.srv.URL, nil))), 401, "unknown signing key", "", "", ""},
		{"GitHub's claims signed by another key under GitHub's kid", signRS256(foreignKey, map[string]any{"alg": "RS256", "kid": "gh1"}, mustJSON(ghClaims(f.gh.srv.URL, nil))), 401, "bad signature", "", "", ""},

		{"a declared service account", google(saChanges(nightlySA, clientID, nil)), 200, "valid workload token", "nightly", nightlySA, "admins"},
		{"a declared service account for its own audience", google(saChanges(reporterSA, apiAud, nil)), 200, "valid workload token", "reporter", reporterSA, "releasers"},
		{"a service account with email_verified false", google(saChanges(nightlySA, clientID, map[string]any{"email_verified": false})), 403, "service account email not verified", "", "", ""},
		{"a service account for another workload's audience", google(saChanges(nightlySA, apiAud, nil)), 403, "no workload matches", "", "", ""},
		{"an undeclared service account for the client: the people's rule", google(saChanges("intruder@acme-prod.iam.gserviceaccount.com", clientID, nil)), 401, "authorized party is another client", "", "", ""},
		{"an undeclared service account for a workload's audience", google(saChanges("intruder@acme-prod.iam.gserviceaccount.com", apiAud, nil)), 403, "no workload matches", "", "", ""},
		{"a service account for an audience no workload has", google(saChanges(nightlySA, "https://other.example", nil)), 401, "wrong audience", "", "", ""},
		{"a declared service account's email with an hd", google(saChanges(nightlySA, clientID, map[string]any{"hd": "acme-prod.iam.gserviceaccount.com"})), 401, "authorized party is another client", "", "", ""},

		{"a person whose email is a service account's: a person, without its groups", google(map[string]any{"email": nightlySA, "hd": nil}), 200, "valid token", "Ada Lovelace", nightlySA, ""},
		{"a person carrying a GitHub workload's claims: a person, without its groups", google(map[string]any{"repository": "acme/app", "ref": "refs/heads/main", "environment": "production"}), 200, "valid token", "Ada Lovelace", "ada@example.com", "admins"},
		{"a person's token", google(nil), 200, "valid token", "Ada Lovelace", "ada@example.com", "admins"},
		{"a person's token with Google's scheme-less issuer", google(map[string]any{"iss": "accounts.google.com"}), 200, "valid token", "Ada Lovelace", "ada@example.com", "admins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.log.Reset()
			resp, err := f.auth.Handle(t.Context(), eventFor(tt.token, methodARN))
			if got := status(t, resp, err); got != tt.want {
				t.Fatalf("answer %d, want %d; log: %s", got, tt.want, f.log)
			}
			var line map[string]any
			if err := json.Unmarshal(f.log.Bytes(), &line); err != nil || line["reason"] != tt.reason {
				t.Errorf("logged %s, want the reason %q", f.log, tt.reason)
			}
			if tt.want != 200 {
				return
			}
			c := resp.Context
			if c[gateway.ContextName] != tt.wantName || c[gateway.ContextEmail] != tt.wantEmail || c[gateway.ContextGroups] != tt.wantGroups {
				t.Errorf("context %v, want name %q, email %q, groups %q", c, tt.wantName, tt.wantEmail, tt.wantGroups)
			}
			if tt.wantName != "Ada Lovelace" && line["workload"] != tt.wantName {
				t.Errorf("logged %s, want the workload %s", f.log, tt.wantName)
			}
		})
	}
}

// TestWorkloadIssuerIsDiscoveredOnItsFirstToken: a workload issuer costs
// nothing until its first token (a Google-only stack's cold start is
// unchanged); then its discovery and keys are fetched once, and its keys
// kept for the lifetime it gives them.
func TestWorkloadIssuerIsDiscoveredOnItsFirstToken(t *testing.T) {
	f := newWorkloadFixture(t)
	clock := newClock()
	f.auth.now = clock.Now
	google, _ := f.auth.Handle(t.Context(), eventFor(token(googleKey, "k1", nil), methodARN))
	if google.PolicyDocument.Statement[0].Effect != "Allow" || f.gh.discoveries.Load() != 0 || f.gh.fetches.Load() != 0 {
		t.Fatalf("a person's token: %+v, GitHub asked %d+%d times, want Allow and none", google, f.gh.discoveries.Load(), f.gh.fetches.Load())
	}
	for range 3 {
		resp, err := f.auth.Handle(t.Context(), eventFor(f.gitHub(nil), methodARN))
		if got := status(t, resp, err); got != 200 {
			t.Fatalf("answer %d, want 200: %s", got, f.log)
		}
	}
	if d, k := f.gh.discoveries.Load(), f.gh.fetches.Load(); d != 1 || k != 1 {
		t.Fatalf("3 tokens: %d discoveries and %d key fetches, want 1 and 1", d, k)
	}
	// The issuer withdraws its key: once the key set's lifetime is over,
	// the key is refetched and no longer trusted.
	f.gh.set(func(gh *ghIssuer) { gh.keys = map[string]*rsa.PublicKey{"gh2": &foreignKey.PublicKey} })
	clock.advance(2 * time.Hour)
	resp, err := f.auth.Handle(t.Context(), eventFor(f.gitHub(nil), methodARN))
	if got := status(t, resp, err); got != 401 || f.gh.fetches.Load() != 2 || f.gh.discoveries.Load() != 1 {
		t.Errorf("a withdrawn key: %d after %d key fetches and %d discoveries, want 401 after 2 and 1", got, f.gh.fetches.Load(), f.gh.discoveries.Load())
	}
}

// TestWorkloadIssuerUnavailable: a workload issuer that cannot be
// discovered, or that names another issuer, is the server's failure (500),
// never a token's, retried at most once a second; people are unaffected.
func TestWorkloadIssuerUnavailable(t *testing.T) {
	tests := []struct {
		name   string
		change func(*ghIssuer)
	}{
		{"the issuer is down", func(gh *ghIssuer) { gh.down = true }},
		{"discovery names another issuer", func(gh *ghIssuer) { gh.issuer = "https://token.actions.githubusercontent.com" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newWorkloadFixture(t)
			clock := newClock()
			f.auth.now = clock.Now
			f.gh.set(tt.change)
			for range 3 {
				resp, err := f.auth.Handle(t.Context(), eventFor(f.gitHub(nil), methodARN))
				if got := status(t, resp, err); got != 500 {
					t.Fatalf("answer %d, want 500", got)
				}
			}
			if got := f.gh.discoveries.Load(); got != 1 {
				t.Errorf("3 tokens within a second: %d discoveries, want 1", got)
			}
			if !strings.Contains(f.log.String(), "discovering a workload issuer failed") {
				t.Errorf("log %s: want the failure logged as an error", f.log)
			}
			resp, err := f.auth.Handle(t.Context(), eventFor(token(googleKey, "k1", nil), methodARN))
			if got := status(t, resp, err); got != 200 {
				t.Errorf("a person's token: %d, want 200", got)
			}
			f.gh.set(func(gh *ghIssuer) { gh.down, gh.issuer = false, "" })
			clock.advance(retryAfterFailure)
			resp, err = f.auth.Handle(t.Context(), eventFor(f.gitHub(nil), methodARN))
			if got := status(t, resp, err); got != 200 {
				t.Errorf("after a second with the issuer back: %d, want 200", got)
			}
		})
	}
}

// TestGoogleOnlyStackHasNoWorkloadVerifiers: without workloads, every token
// takes the people's path, as before workloads existed.
func TestGoogleOnlyStackHasNoWorkloadVerifiers(t *testing.T) {
	f := newFixture(t, nil, nil)
	if f.auth.issuers != nil || f.auth.claimNames != nil {
		t.Errorf("verifiers %v, claims %v: want none", f.auth.issuers, f.auth.claimNames)
	}
}
