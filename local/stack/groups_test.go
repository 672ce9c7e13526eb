package stack

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/gateway"
	"signin/local/apigw"
	"signin/local/idp"
)

// groupRoutes are the route table's routes and routes restricted to
// groups, each served by the real me function, which answers any proxy
// route.
var groupRoutes = append(slices.Clone(gateway.Routes),
	gateway.Route{Method: "GET", Path: "/admin", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}},
	gateway.Route{Method: "GET", Path: "/admin/{id}", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}},
	gateway.Route{Method: "GET", Path: "/staff", Function: "me", Integration: gateway.Proxy, Groups: []string{"staff"}},
	gateway.Route{Method: "GET", Path: "/admin/{id}/secret", Function: "me", Integration: gateway.Proxy, Groups: []string{"staff"}},
)

const groupsJSON = `{"admins":{"emails":["ada@example.com"]},"staff":{"domains":["staff.example"]}}`

// TestGroupsRestrictRoutesFromTheCachedPolicy runs `make dev`'s stack with
// groups and routes restricted to them, the real authorizer and functions
// under the emulator. Each caller calls two routes with one fresh token:
// the first call runs an authorizer (miss); the second is answered from
// the cache (hit) when it is for the same authorizer's identity-source
// values (the token for an open route; the token and the route for a
// restricted one), and runs the authorizer again otherwise, so a cached
// answer never decides another route.
func TestGroupsRestrictRoutesFromTheCachedPolicy(t *testing.T) {
	st, err := Start(context.Background(), Options{Groups: groupsJSON, routes: groupRoutes, withoutStack: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client := &http.Client{}
	serial := 0
	// fresh returns a token no call has used: the provider's tokens for
	// one identity in one second are the same.
	fresh := func(id idp.Identity) string {
		serial++
		id.Name = id.Email + " " + strings.Repeat("I", serial)
		tok, err := st.Provider.Token(id)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	member := idp.Identity{Email: "ada@example.com", EmailVerified: true}
	nonMember := idp.Identity{Email: "bob@example.com", EmailVerified: true}
	// cache is the second call's X-Authorizer-Cache: "hit" when both
	// calls are for open routes, or for the same restricted route.
	cache := func(first, second string) string {
		restricted := func(p string) bool {
			return !slices.ContainsFunc(gateway.Routes, func(r gateway.Route) bool { return r.Path == p })
		}
		if !restricted(first) && !restricted(second) {
			return "hit"
		}
		return "miss"
	}
	steps := []struct {
		name   string
		id     idp.Identity
		first  string
		second string
		want   [2]int
	}{
		{"member: open, then restricted", member, "/me", "/admin", [2]int{200, 200}},
		{"member: restricted, then open", member, "/admin", "/me", [2]int{200, 200}},
		{"non-member: open, then restricted", nonMember, "/me", "/admin", [2]int{200, 403}},
		{"non-member: restricted, then open", nonMember, "/admin", "/me", [2]int{403, 200}},
		{"member: open, then a restricted path parameter route", member, "/", "/admin/42", [2]int{200, 200}},
		{"member: a restricted path parameter route, then open", member, "/admin/42", "/", [2]int{200, 200}},
		{"non-member: open, then a restricted path parameter route", nonMember, "/", "/admin/42", [2]int{200, 403}},
		{"non-member: a restricted path parameter route, then open", nonMember, "/admin/42", "/", [2]int{403, 200}},
		{"a Workspace domain group admits its hd", idp.Identity{Email: "carol@staff.example", EmailVerified: true}, "/staff", "/me", [2]int{200, 200}},
		{"a Workspace domain group refuses its email domain without hd", idp.Identity{Email: "carol@staff.example", EmailVerified: true, NoHostedDomain: true}, "/staff", "/me", [2]int{403, 200}},
		// An admin may call every route but the staff's, also with a
		// trailing slash (API Gateway routes /staff/ to /staff).
		{"member: open, then another group's route with a trailing slash", member, "/me", "/staff/", [2]int{200, 403}},
		{"member: another group's route with a trailing slash, then open", member, "/staff/", "/me", [2]int{403, 200}},
		{"member: open, then another group's path parameter route with a trailing slash", member, "/", "/admin/42/secret/", [2]int{200, 403}},
		{"member: their route with a trailing slash, then another group's", member, "/admin/", "/admin/42/secret", [2]int{200, 403}},
		{"without hd a listed non-gmail.com email is in no group", idp.Identity{Email: "ada@example.com", EmailVerified: true, NoHostedDomain: true}, "/me", "/admin", [2]int{200, 403}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			tok := fresh(s.id)
			for i, path := range []string{s.first, s.second} {
				resp, body := callPath(t, client, http.MethodGet, routeURL(st, path), tok)
				wantCache := []string{"miss", cache(s.first, s.second)}[i]
				if resp.StatusCode != s.want[i] || resp.Header.Get(apigw.CacheHeader) != wantCache {
					t.Errorf("GET %s = %d (authorizer cache %s) %s; want %d (%s)", path, resp.StatusCode, resp.Header.Get(apigw.CacheHeader), body, s.want[i], wantCache)
				}
				if resp.StatusCode == http.StatusForbidden && body != string(gateway.ErrorBody(gateway.MessageAccessDenied)) && body != string(gateway.ErrorBody(gateway.MessageExplicitDeny)) {
					t.Errorf("GET %s: 403 body %s, want API Gateway's denial", path, body)
				}
			}
		})
	}

	// GET /me answers the caller's groups.
	for email, want := range map[string][]string{"ada@example.com": {"admins"}, "bob@example.com": {}, "carol@staff.example": {"staff"}} {
		_, body := callPath(t, client, http.MethodGet, st.APIURL+"/me", fresh(idp.Identity{Email: email, EmailVerified: true}))
		var me struct{ Groups []string }
		if err := json.Unmarshal([]byte(body), &me); err != nil || me.Groups == nil || strings.Join(me.Groups, ",") != strings.Join(want, ",") {
			t.Errorf("GET /me for %s = %s, want groups %q", email, body, want)
		}
	}
}

// TestWrongGroupsStopTheStackBeforeBuilding: each mistake in the groups or in
// the routes' groups stops `make dev` with a message naming it, before a
// function is built or a port is taken.
func TestWrongGroupsStopTheStackBeforeBuilding(t *testing.T) {
	tests := []struct {
		name, groups string
		want         string
	}{
		{"a route naming an undefined group", `{"admins":{"emails":["ada@example.com"]}}`, "the group staff, which the routes GET /api/staff and GET /api/admin/{id}/secret name, is not defined in the stack's configuration: define it with `pulumi config set --path 'groups.staff.emails[0]' ada@example.com`"},
		{"a group with no members", `{"admins":{"emails":["ada@example.com"]},"staff":{}}`, "group staff has no members"},
		{"an invalid email", `{"admins":{"emails":["ada"]},"staff":{"domains":["staff.example"]}}`, `groups.admins.emails: "ada" is not an email address`},
		{"an invalid domain", `{"admins":{"emails":["ada@example.com"]},"staff":{"domains":["staff"]}}`, `groups.staff.domains: "staff" is not a domain name`},
		{"a group name that is not a plain identifier", groupsJSON[:len(groupsJSON)-1] + `,"two words":{"emails":["x@example.com"]}}`, `group name "two words" is not a plain identifier`},
		{"not JSON", `admins=ada@example.com`, "groups: groups are not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			built := false
			st, err := Start(context.Background(), Options{Groups: tt.groups, routes: groupRoutes, withoutStack: true,
				wrap: func(_ string, fn lambda.Handler) lambda.Handler { built = true; return fn }})
			if err == nil {
				st.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || built {
				t.Errorf("Start = %v (functions built: %v), want an error containing %q before building", err, built, tt.want)
			}
		})
	}
}
