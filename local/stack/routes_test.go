package stack

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/local/apigw"
	"signin/local/idp"
)

// claim returns the claim name of the JWT tok, unverified.
func claim(t *testing.T, tok, name string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	s, _ := claims[name].(string)
	return s
}

// GET /me, a Lambda proxy route, answers the caller's verified identity
// from the authorizer's context, and only to a valid token of an allowed
// user; every answer carries the CORS headers, the function's own on a 200.
func TestMeAnswersTheVerifiedCaller(t *testing.T) {
	// Identities of their own: a token another test used is in the cache.
	ada := token(t, idp.Identity{Name: "Ada Lovelace", Email: "ada.me@example.com", EmailVerified: true})
	tampered := ada[:strings.LastIndex(ada, ".")] + "." + strings.Repeat("A", 342)
	forged := strings.Split(ada, ".")
	payload, _ := json.Marshal(map[string]any{"sub": "1", "email": "mallory@example.com", "email_verified": true, "name": "Mallory"})
	forged[1] = base64.RawURLEncoding.EncodeToString(payload)
	tests := []struct {
		name          string
		authorization string
		wantStatus    int
		wantBody      string
	}{
		{"an allowed user gets their identity", ada, 200,
			`{"sub":"` + claim(t, ada, "sub") + `","email":"ada.me@example.com","name":"Ada Lovelace","groups":[]}`},
		{"attack: no token is 401", "", 401, `{"message":"Unauthorized"}`},
		{"attack: a tampered signature is 401", tampered, 401, `{"message":"Unauthorized"}`},
		{"attack: claims swapped under a valid signature are 401", strings.Join(forged, "."), 401, `{"message":"Unauthorized"}`},
		{"attack: a user outside the allowed domain is 403", token(t, idp.Identity{Name: "Mallory", Email: "mallory.me@example.net", EmailVerified: true}),
			403, `{"message":"User is not authorized to access this resource with an explicit deny"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := callPath(t, http.DefaultClient, http.MethodGet, shared.APIURL+"/me", tt.authorization)
			if resp.StatusCode != tt.wantStatus || body != tt.wantBody {
				t.Errorf("GET /me = %d %s, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != shared.SiteURL {
				t.Errorf("Access-Control-Allow-Origin = %q on the %d, want %q", got, resp.StatusCode, shared.SiteURL)
			}
			if got := resp.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
		})
	}
}

// Pitfall 2: the authorizer's answer for GET / covers the stage, so one
// token serves GET /me from the cache: the authorizer runs once for both.
func TestOneTokenServesEveryRouteWithOneAuthorizerCall(t *testing.T) {
	tok := token(t, idp.Identity{Name: "Grace Hopper", Email: "grace@example.com", EmailVerified: true})
	before := calls.invocations("authorizer")
	for i, c := range []struct{ path, cache string }{{"/", "miss"}, {"/me", "hit"}, {"/", "hit"}} {
		resp, body := callPath(t, http.DefaultClient, http.MethodGet, routeURL(shared, c.path), tok)
		if resp.StatusCode != 200 || resp.Header.Get(apigw.CacheHeader) != c.cache {
			t.Errorf("call %d, GET %s = %d %s with %s %q, want 200 and %q", i+1, c.path, resp.StatusCode, body,
				apigw.CacheHeader, resp.Header.Get(apigw.CacheHeader), c.cache)
		}
	}
	if got := calls.invocations("authorizer") - before; got != 1 {
		t.Errorf("the authorizer ran %d times, want 1", got)
	}
}

// What `make dev` serves is the route table: the API holds gateway.Routes,
// nothing added or dropped, and each route reaches its own function.
// infra's TestDeclaredRoutesAreTheRouteTable checks the same of what the
// Pulumi program declares.
func TestDevServesTheRouteTable(t *testing.T) {
	if got := shared.api.Routes(); !reflect.DeepEqual(got, gateway.Routes) {
		t.Fatalf("make dev serves\n%v\nthe route table is\n%v", got, gateway.Routes)
	}
	open := token(t, idp.Identity{Name: "Route Test", Email: "routes@example.com", EmailVerified: true})
	for _, r := range gateway.Routes {
		path := strings.NewReplacer("{", "", "}", "").Replace(r.Path)
		tok := open
		if len(r.Groups) > 0 {
			tok = token(t, member(t, r.Groups[0]))
		}
		before := calls.invocations(r.Function)
		resp, body := callPath(t, http.DefaultClient, r.Method, routeURL(shared, path), tok)
		if resp.StatusCode != 200 || calls.invocations(r.Function) != before+1 {
			t.Errorf("%s %s = %d %s after %d calls of %s, want 200 from it", r.Method, path, resp.StatusCode, body,
				calls.invocations(r.Function)-before, r.Function)
		}
	}
}

// member returns an identity in the group name of the shared stack's
// configuration (the stack file's groups): its first email, or a user of
// its first Workspace domain.
func member(t *testing.T, name string) idp.Identity {
	t.Helper()
	g, ok := shared.access.Groups[name]
	switch {
	case !ok:
		t.Fatalf("the stack defines no group %s", name)
	case len(g.Emails) > 0:
		return idp.Identity{Name: "Member of " + name, Email: g.Emails[0], EmailVerified: true}
	case len(g.Domains) == 0:
		t.Fatalf("the group %s has no members", name)
	}
	return idp.Identity{Name: "Member of " + name, Email: "member@" + g.Domains[0], EmailVerified: true}
}
