package authorizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/gateway"
)

// requestEvent returns the REQUEST event API Gateway sends for a request
// for path, matched to the route method resource, with the header
// Authorization: token.
func requestEvent(method, resource, path, token string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:       "REQUEST",
		MethodArn:  "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/" + method + path,
		Resource:   resource,
		Path:       path,
		HTTPMethod: method,
		Headers:    map[string]string{"authorization": token},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			ResourcePath: resource, HTTPMethod: method, ResourceID: "a1b2c3", Stage: "dev",
		},
	}
}

// TestGroupsDecideTheRoutes presents tokens to an authorizer whose routes
// name groups, and checks the caller's groups in the context, the TOKEN
// answer (the whole stage, for the open routes) and the REQUEST answer of
// each restricted route (Allow or Deny of the whole stage). A Workspace
// domain is the token's hd, never the email's suffix; an email counts only
// when verified and when Google is authoritative for it (hd, or gmail.com),
// unless the stack trusts every verified email.
func TestGroupsDecideTheRoutes(t *testing.T) {
	testKeys(t)
	table := gateway.Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
		{Method: "GET", Path: "/admin/{id}", Function: "admin", Integration: gateway.Proxy, Groups: []string{"admins"}},
		{Method: "GET", Path: "/reports", Function: "reports", Integration: gateway.Proxy, Groups: []string{"staff", "admins"}},
	}
	groups := Groups{
		"admins": {Emails: []string{"ada@example.com", "grace@gmail.com", "bob@outside.example"}},
		"staff":  {Domains: []string{"example.com"}},
	}
	tests := []struct {
		name       string
		changes    map[string]any
		trust      bool
		wantGroups string
		// admin and reports are the answers of the restricted routes.
		admin, reports int
	}{
		{"a listed email with hd, in the domain group too: every route", map[string]any{"email": "Ada@Example.com"}, false, "admins,staff", 200, 200},
		{"the domain group's hd alone", map[string]any{"email": "carol@example.com"}, false, "staff", 403, 200},
		{"a listed gmail.com address", map[string]any{"email": "grace@gmail.com", "hd": nil}, false, "admins", 200, 200},
		{"a listed address of the domain without hd: no group", map[string]any{"hd": nil}, false, "", 403, 403},
		{"a listed address without hd, with the stack trusting such addresses", map[string]any{"email": "bob@outside.example", "hd": nil}, true, "admins", 200, 200},
		{"a listed address with another hd", map[string]any{"hd": "other.example"}, false, "admins", 200, 200},
		{"an unverified email with the domain's hd: no group", map[string]any{"email_verified": false}, false, "", 403, 403},
		{"an hd that is not a member", map[string]any{"email": "eve@evil.example", "hd": "evil.example"}, false, "", 403, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := newIssuer(t)
			cfg := Config{ClientID: clientID, Issuer: issuerURL, JWKSURL: iss.jwksURL(),
				Groups: groups, Routes: table, TrustEmailsWithoutHostedDomain: tt.trust}
			logger := slog.New(slog.NewJSONHandler(new(bytes.Buffer), nil))
			auth := New(cfg, NewKeySet(cfg.JWKSURL, logger), logger)
			tok := token(googleKey, "k1", tt.changes)
			resp, err := auth.Handle(t.Context(), eventFor(tok, methodARN))
			if got := status(t, resp, err); got != http.StatusOK {
				t.Fatalf("TOKEN answer %d, want 200 (the whole stage)", got)
			}
			if got := resp.Context[gateway.ContextGroups]; got != tt.wantGroups {
				t.Errorf("groups %q, want %q", got, tt.wantGroups)
			}
			for _, c := range []struct {
				method, resource, path string
				want                   int
			}{
				{"GET", "/api/admin/{id}", "/api/admin/7", tt.admin},
				{"GET", "/api/reports", "/api/reports", tt.reports},
			} {
				resp, err := auth.HandleRequest(t.Context(), requestEvent(c.method, c.resource, c.path, tok))
				if got := status(t, resp, err); got != c.want {
					t.Errorf("REQUEST %s %s: answer %d, want %d", c.method, c.resource, got, c.want)
				}
			}
		})
	}
}

// TestRequestDecidesOnTheMatchedRouteNotTheMethodARN: a REQUEST event's
// methodArn carries the request's spelling (a trailing slash, a decoded
// %2F, a colon): whatever it says, the route API Gateway matched, the
// event's resource and httpMethod, decides. A route the configuration does
// not restrict, or an Authorization header given twice, is not answered
// with a policy.
func TestRequestDecidesOnTheMatchedRouteNotTheMethodARN(t *testing.T) {
	testKeys(t)
	iss := newIssuer(t)
	cfg := Config{ClientID: clientID, Issuer: issuerURL, JWKSURL: iss.jwksURL(),
		Groups: Groups{"admins": {Emails: []string{"ada@example.com"}}},
		Routes: gateway.Table{
			{Method: "GET", Path: "/orders", Function: "orders", Integration: gateway.Proxy, Groups: []string{"admins"}},
			{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy},
			{Method: "GET", Path: "/orders/{id}/secret", Function: "orders", Integration: gateway.Proxy, Groups: []string{"admins"}},
		}}
	logger := slog.New(slog.NewJSONHandler(new(bytes.Buffer), nil))
	auth := New(cfg, NewKeySet(cfg.JWKSURL, logger), logger)
	member, other := token(googleKey, "k1", nil), token(googleKey, "k1", map[string]any{"email": "eve@example.com"})
	twice := requestEvent("GET", "/api/orders", "/api/orders", member)
	twice.Headers["Authorization"] = member
	tests := []struct {
		name  string
		event events.APIGatewayCustomAuthorizerRequestTypeRequest
		want  int
	}{
		{"a member, the route's own spelling", requestEvent("GET", "/api/orders", "/api/orders", member), 200},
		{"another caller, a trailing slash", requestEvent("GET", "/api/orders", "/api/orders/", other), 403},
		{"another caller, an encoded slash decoded in the ARN", requestEvent("GET", "/api/orders/{id}/secret", "/api/orders/a/b/secret", other), 403},
		{"another caller, a colon in the parameter", requestEvent("GET", "/api/orders/{id}/secret", "/api/orders/x:y/secret", other), 403},
		{"a member, an ISO time in the parameter", requestEvent("GET", "/api/orders/{id}/secret", "/api/orders/2026-01-02T03:04:05Z/secret", member), 200},
		{"a route that is not restricted", requestEvent("GET", "/api/orders/{id}", "/api/orders/1", member), 500},
		{"a method the route does not have", requestEvent("DELETE", "/api/orders", "/api/orders", member), 500},
		{"the Authorization header twice", twice, 401},
		{"no token", requestEvent("GET", "/api/orders", "/api/orders", ""), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := auth.HandleRequest(t.Context(), tt.event)
			if got := status(t, resp, err); got != tt.want {
				t.Errorf("answer %d (%v), want %d", got, err, tt.want)
			}
		})
	}
}

// TestDispatchAnswersBothEventTypes: the Lambda handler reads API
// Gateway's JSON of either type, and refuses another.
func TestDispatchAnswersBothEventTypes(t *testing.T) {
	testKeys(t)
	iss := newIssuer(t)
	cfg := Config{ClientID: clientID, Issuer: issuerURL, JWKSURL: iss.jwksURL(),
		Groups: Groups{"admins": {Emails: []string{"ada@example.com"}}},
		Routes: gateway.Table{{Method: "GET", Path: "/admin", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}}}}
	logger := slog.New(slog.NewJSONHandler(new(bytes.Buffer), nil))
	auth := New(cfg, NewKeySet(cfg.JWKSURL, logger), logger)
	other := token(googleKey, "k1", map[string]any{"email": "eve@example.com"})
	request, err := json.Marshal(requestEvent("GET", "/api/admin", "/api/admin", other))
	if err != nil {
		t.Fatal(err)
	}
	tokenEvent, err := json.Marshal(eventFor(other, methodARN))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, event string
		want        int
	}{
		{"TOKEN: the whole stage for an open route", string(tokenEvent), 200},
		{"REQUEST: the restricted route, the caller in no group", string(request), 403},
		{"another type", `{"type":"COGNITO_USER_POOLS","methodArn":"` + methodARN + `"}`, 500},
	} {
		var e Event
		if err := json.Unmarshal([]byte(c.event), &e); err != nil {
			t.Fatal(err)
		}
		resp, err := auth.Dispatch(t.Context(), e)
		if got := status(t, resp, err); got != c.want {
			t.Errorf("%s: answer %d, want %d", c.name, got, c.want)
		}
	}
}

// TestAHundredRestrictedRoutesGetAnswersOfOneSize: 100 routes in four
// groups, each path with two parameters before a literal segment, pass
// the table's and the authorizer's checks, and every answer, to a caller
// in any combination of the groups on any route, is Allow or Deny of the
// whole stage: the policy the same size for every caller, the answer
// within 1 KB however many routes there are.
func TestAHundredRestrictedRoutesGetAnswersOfOneSize(t *testing.T) {
	testKeys(t)
	names := []string{"admins", "auditors", "finance", "support"}
	var table gateway.Table
	for i := range 100 {
		r := gateway.Route{Method: gateway.Methods[i%4], Path: fmt.Sprintf("/d%02d/{a}/{b}/items", i/4), Function: "me", Integration: gateway.Proxy}
		if i%4 != 0 {
			r.Groups = []string{names[i%4]}
		}
		table = append(table, r)
	}
	groups := Groups{}
	for _, g := range names {
		groups[g] = Members{Emails: []string{g + "@example.com"}}
	}
	if err := table.Validate([]string{"me", gateway.AuthorizerFunction}); err != nil {
		t.Fatal(err)
	}
	if err := CheckAccess(groups, table); err != nil {
		t.Fatal(err)
	}
	iss := newIssuer(t)
	cfg := Config{ClientID: clientID, Issuer: issuerURL, JWKSURL: iss.jwksURL(), Groups: groups, Routes: table}
	env := cfg.Environ()
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(new(bytes.Buffer), nil))
	auth := New(cfg, NewKeySet(cfg.JWKSURL, logger), logger)
	// sizes are the policies' sizes by effect: Allow and Deny differ by
	// their effect's name alone.
	sizes, largest := map[string]int{}, 0
	for _, caller := range append(slices.Clone(names), "nobody") {
		tok := token(googleKey, "k1", map[string]any{"email": caller + "@example.com", "hd": "example.com"})
		for _, r := range table.Restricted() {
			resp, err := auth.HandleRequest(t.Context(), requestEvent(r.Method, r.ResourcePath(), strings.NewReplacer("{a}", "x:y", "{b}", "2026-01-02T03:04:05Z").Replace(r.ResourcePath()), tok))
			want := http.StatusForbidden
			if slices.Contains(r.Groups, caller) {
				want = http.StatusOK
			}
			if got := status(t, resp, err); got != want {
				t.Errorf("%s on %s %s: answer %d, want %d", caller, r.Method, r.Path, got, want)
			}
			doc, err := json.Marshal(resp.PolicyDocument)
			if err != nil {
				t.Fatal(err)
			}
			answer, err := json.Marshal(resp)
			if err != nil {
				t.Fatal(err)
			}
			effect := resp.PolicyDocument.Statement[0].Effect
			if size, ok := sizes[effect]; ok && len(doc) != size {
				t.Errorf("%s on %s %s: a policy of %d bytes, want %d as every other %s", caller, r.Method, r.Path, len(doc), size, effect)
			}
			sizes[effect], largest = len(doc), max(largest, len(answer))
		}
	}
	if largest > 1<<10 {
		t.Errorf("the largest answer has %d bytes, want at most 1 KB", largest)
	}
	t.Logf("policies by effect %v bytes; the largest answer %d bytes", sizes, largest)
}
