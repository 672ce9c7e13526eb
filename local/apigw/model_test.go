package apigw

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/functions/policy"
)

// TestPoliciesAnswerEveryRoutedRequest draws small route tables (literal
// and parameter segments, two methods, two groups) and, for every caller
// and every request path of up to three segments, routes the request as
// API Gateway does (match) and evaluates the caller's policy as IAM
// does: allowed exactly when the route it reaches is open or names one of
// the caller's groups. The parameters' values equal literals or hold
// colons, where IAM's * in the middle of a resource stops.
func TestPoliciesAnswerEveryRoutedRequest(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	segments := []string{"a", "b", "{p}", "{q}"}
	groupSets := [][]string{nil, {"g1"}, {"g2"}, {"g1", "g2"}}
	methods := []string{"GET", "POST"}
	var paths []string
	var walk func(prefix string, depth int)
	walk = func(prefix string, depth int) {
		paths = append(paths, prefix)
		if depth < 3 {
			for _, s := range []string{"a", "b", "c:d", "e:f:g"} {
				walk(prefix+"/"+s, depth+1)
			}
		}
	}
	walk("", 0)
	paths[0] = "/"
	g := &Gateway{cfg: Config{Region: "eu-central-1", AccountID: "123456789012", APIID: "local0api", Stage: "local"}}
	stage := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local"
	checked := 0
	for range 1500 {
		var table gateway.Table
		for range 1 + rng.IntN(5) {
			path := ""
			for range rng.IntN(4) {
				path += "/" + segments[rng.IntN(len(segments))]
			}
			if path == "" {
				path = "/"
			}
			table = append(table, gateway.Route{Method: methods[rng.IntN(2)], Path: path, Function: "f", Integration: gateway.Proxy, Groups: groupSets[rng.IntN(len(groupSets))]})
		}
		if table.Validate([]string{"f", gateway.AuthorizerFunction}) != nil {
			continue
		}
		access, err := policy.NewAccess(authorizer.AccessRoutes(table))
		if err != nil {
			continue
		}
		checked++
		for _, mine := range groupSets {
			answer, err := json.Marshal(events.APIGatewayCustomAuthorizerResponse{PrincipalID: "1",
				PolicyDocument: access.Document(stage, func(g string) bool { return slices.Contains(mine, g) })})
			if err != nil {
				t.Fatal(err)
			}
			p, err := parseAuthorizerPolicy(answer)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range paths {
				resource, params, ok := match(table, path)
				for _, method := range methods {
					i := slices.IndexFunc(table, func(r gateway.Route) bool { return r.Path == resource && r.Method == method })
					if !ok || i < 0 {
						continue
					}
					r := table[i]
					want := len(r.Groups) == 0 || slices.ContainsFunc(r.Groups, func(g string) bool { return slices.Contains(mine, g) })
					if got := p.evaluate(g.methodARN(method, r, params)) == allowed; got != want {
						t.Fatalf("table %v, a caller in %v calling %s %s: allowed %v, want %v; policy %s", table, mine, method, path, got, want, answer)
					}
				}
			}
		}
	}
	if checked < 500 {
		t.Fatalf("only %d tables were accepted: draw more", checked)
	}
}
