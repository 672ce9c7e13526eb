package stack

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/local/apigw"
	"signin/local/idp"
)

// TestRestrictedRoutesAreDecidedOnTheMatchedRoute runs `make dev`'s stack
// with the real authorizer and functions on a table that mixes open and
// restricted routes under the same path parameters, and calls every route
// and each variant API Gateway routes to a restricted route (a trailing
// slash, a colon or an ISO time in a parameter, an encoded slash) as a
// member of the route's group, a member of another group and a caller in
// no group: each with a fresh token, alone and after an open route warmed
// the cache. Members get 200; every other caller 403 or 404, never a 2xx,
// whatever the request's spelling.
func TestRestrictedRoutesAreDecidedOnTheMatchedRoute(t *testing.T) {
	route := func(method, path string, groups ...string) gateway.Route {
		return gateway.Route{Method: method, Path: path, Function: "me", Integration: gateway.Proxy, Groups: groups}
	}
	table := append(slices.Clone(gateway.Routes),
		route("GET", "/invoices", "admins"),
		route("GET", "/invoices/{id}"),
		route("GET", "/invoices/{id}/secret", "admins"),
		route("DELETE", "/invoices/{id}", "admins"),
		route("GET", "/reports/{year}/{month}/summary", "auditors"),
		route("GET", "/reports/{year}"),
	)
	st, err := Start(context.Background(), Options{routes: table, withoutStack: true,
		Groups: `{"admins":{"emails":["ada@example.com"]},"auditors":{"domains":["audit.example"]}}`})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	callers := map[string]idp.Identity{
		"admins":   {Email: "ada@example.com", EmailVerified: true},
		"auditors": {Email: "alan@audit.example", EmailVerified: true},
		"":         {Email: "eve@example.com", EmailVerified: true},
	}
	// requests are every route's requests and their variants, each with
	// the group whose members may call it ("" for an open route).
	requests := []struct{ method, path, group string }{
		{"GET", "/", ""},
		{"GET", "/me", ""},
		{"GET", "/invoices", "admins"},
		{"GET", "/invoices/", "admins"},
		{"GET", "/invoices/7", ""},
		{"GET", "/invoices/7/", ""},
		{"GET", "/invoices/7/secret", "admins"},
		{"GET", "/invoices/7/secret/", "admins"},
		{"GET", "/invoices/x:y/secret", "admins"},
		{"GET", "/invoices/2026-01-02T03:04:05Z/secret", "admins"},
		{"GET", "/invoices/a%2Fb/secret", "admins"},
		{"DELETE", "/invoices/7", "admins"},
		{"DELETE", "/invoices/7/", "admins"},
		{"DELETE", "/invoices/x:y", "admins"},
		{"DELETE", "/invoices/2026-01-02T03:04:05Z", "admins"},
		{"DELETE", "/invoices/a%2Fb", "admins"},
		{"GET", "/reports/2026/01/summary", "auditors"},
		{"GET", "/reports/2026/01/summary/", "auditors"},
		{"GET", "/reports/2026:Q1/01/summary", "auditors"},
		{"GET", "/reports/2026-01-02T03:04:05Z/01/summary", "auditors"},
		{"GET", "/reports/2026%2F01/01/summary", "auditors"},
		{"GET", "/reports/2026", ""},
		{"GET", "/reports/2026/", ""},
	}
	client := &http.Client{}
	serial := 0
	fresh := func(id idp.Identity) string {
		serial++
		id.Name = fmt.Sprintf("%s %d", id.Email, serial)
		tok, err := st.Provider.Token(id)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	for _, r := range requests {
		for group, id := range callers {
			for _, warm := range []bool{false, true} {
				name := fmt.Sprintf("%s %s as %q", r.method, r.path, group)
				if warm {
					name += " after an open route"
				}
				t.Run(name, func(t *testing.T) {
					tok := fresh(id)
					if warm {
						if resp, body := callPath(t, client, http.MethodGet, routeURL(st, "/invoices/1"), tok); resp.StatusCode != http.StatusOK {
							t.Fatalf("warming: GET /invoices/1 = %d %s", resp.StatusCode, body)
						}
					}
					resp, body := callPath(t, client, r.method, routeURL(st, r.path), tok)
					switch member := r.group == "" || r.group == group; {
					case member && resp.StatusCode != http.StatusOK:
						t.Errorf("= %d %s, want 200", resp.StatusCode, body)
					case !member && resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound:
						t.Errorf("= %d (authorizer cache %s) %s, want 403 or 404: the caller is not in %s", resp.StatusCode, resp.Header.Get(apigw.CacheHeader), body, r.group)
					}
					if r.group != "" && resp.Header.Get(apigw.CacheHeader) != "miss" {
						t.Errorf("a restricted route answered from the cache (%s) on a fresh token's first call to it", resp.Header.Get(apigw.CacheHeader))
					}
					if resp.StatusCode == http.StatusOK && !strings.Contains(body, id.Email) {
						t.Errorf("200 body %s, want an answer naming the caller", body)
					}
				})
			}
		}
	}
}
