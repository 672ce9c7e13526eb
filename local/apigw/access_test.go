package apigw

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/functions/policy"
)

// checkPolicies writes the policy policy.Access gives a caller in each
// combination of groups, and evaluates it as API Gateway does, with this
// package's IAM matcher, for a request to each route of table (each path
// parameter given value), with and without a trailing slash (which API
// Gateway routes to the same resource, the method ARN perhaps keeping
// it). It fails the test for every route whose answer is not the route
// table's: allowed when the route is open or names one of the caller's
// groups, 403 otherwise; with a trailing slash, 403 when the route is
// not the caller's (a 403 for one of theirs fails closed).
func checkPolicies(t *testing.T, table gateway.Table, groups []string, value string) {
	t.Helper()
	access, err := policy.NewAccess(authorizer.AccessRoutes(table))
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{cfg: Config{Region: "eu-central-1", AccountID: "123456789012", APIID: "local0api", Stage: "local"}}
	stage := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local"
	for mask := range 1 << len(groups) {
		var mine []string
		for i, name := range groups {
			if mask&(1<<i) != 0 {
				mine = append(mine, name)
			}
		}
		answer, err := json.Marshal(events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "1",
			PolicyDocument: access.Document(stage, func(g string) bool { return slices.Contains(mine, g) }),
		})
		if err != nil {
			t.Fatal(err)
		}
		p, err := parseAuthorizerPolicy(answer)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range table {
			params := map[string]string{}
			for _, seg := range gateway.Segments(r.Path) {
				if name, ok := gateway.IsParameter(seg); ok {
					params[name] = value
				}
			}
			want := len(r.Groups) == 0 || slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(mine, g) })
			arn := g.methodARN(r.Method, r, params)
			if got := p.evaluate(arn) == allowed; got != want {
				t.Errorf("a caller in %v calling %s (parameters %q): allowed %v, want %v; policy %s", mine, r, value, got, want, answer)
			}
			if !want && p.evaluate(arn+"/") == allowed {
				t.Errorf("a caller in %v calling %s with a trailing slash (parameters %q): allowed; policy %s", mine, r, value, answer)
			}
		}
	}
}

// TestPoliciesAllowExactlyTheCallersRoutes: for every combination of
// groups, the policy the authorizer writes lets a request through, as
// API Gateway evaluates it, exactly when the route table admits the
// caller, including routes a path parameter's * would otherwise cover:
// /admin/{id} restricted does not allow /admin-other, and /admin/{id}
// allowed does not allow /admin/{id}/secret of another group, even with
// a colon in the parameter's value, where IAM's * in the middle of a
// resource stops.
func TestPoliciesAllowExactlyTheCallersRoutes(t *testing.T) {
	table := gateway.Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
		{Method: "GET", Path: "/me", Function: "me", Integration: gateway.Proxy},
		{Method: "GET", Path: "/admin/{id}", Function: "admin", Integration: gateway.Proxy, Groups: []string{"admins"}},
		{Method: "DELETE", Path: "/admin/{id}", Function: "admin", Integration: gateway.Proxy, Groups: []string{"owners"}},
		{Method: "GET", Path: "/admin/{id}/secret", Function: "admin", Integration: gateway.Proxy, Groups: []string{"owners"}},
		{Method: "GET", Path: "/admin/{id}/notes", Function: "admin", Integration: gateway.Proxy, Groups: []string{"admins", "support"}},
		{Method: "GET", Path: "/admin-other", Function: "admin", Integration: gateway.Proxy, Groups: []string{"support"}},
		{Method: "GET", Path: "/admin", Function: "admin", Integration: gateway.Proxy},
		{Method: "GET", Path: "/files/{name}", Function: "files", Integration: gateway.Proxy, Groups: []string{"admins"}},
		{Method: "GET", Path: "/files/{name}/raw", Function: "files", Integration: gateway.Proxy},
	}
	// Enough routes of another group that a caller outside it gets the
	// list of their routes, and one in it the stage less the others.
	for i := range 6 {
		table = append(table, gateway.Route{Method: "GET", Path: fmt.Sprintf("/finance/report-%d", i), Function: "finance", Integration: gateway.Proxy, Groups: []string{"finance"}})
	}
	for _, value := range []string{"1", "secret", "a%2Fb", "x*y", "x:y", "2026-01-01T00:00:00Z"} {
		checkPolicies(t, table, []string{"admins", "owners", "support", "finance"}, value)
	}
}

// TestPoliciesOfAHundredRoutes: the same for 100 routes in four groups.
func TestPoliciesOfAHundredRoutes(t *testing.T) {
	groups := []string{"admins", "finance", "support", "engineering"}
	var table gateway.Table
	for i := range 100 {
		r := gateway.Route{Method: gateway.Methods[i%4], Path: fmt.Sprintf("/department-%02d/reports", i/4), Function: "reports", Integration: gateway.Proxy}
		if i%2 == 1 {
			r.Path += "/{reportId}"
		}
		if i%4 != 0 {
			r.Groups = []string{groups[i%len(groups)]}
		}
		table = append(table, r)
	}
	checkPolicies(t, table, groups, "2026-q1")
}
