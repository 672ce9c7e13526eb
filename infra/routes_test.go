package main

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
)

// declaredRoutes reads the routes the program declared from the mocks'
// record, as API Gateway would serve them: each method (OPTIONS aside) on
// its resource's full path, the function its integration invokes and the
// integration's kind. It knows nothing of how package api names things.
func declaredRoutes(t *testing.T, m *mocks) (routes gateway.Table, preflights []string) {
	t.Helper()
	paths := map[string]string{str(m.one(t, "aws:apigateway/restApi:RestApi", "api").State, "rootResourceId"): "/"}
	resources := m.all("aws:apigateway/resource:Resource")
	for len(paths) < len(resources)+1 {
		progress := false
		for _, r := range resources {
			parent, ok := paths[str(r.Inputs, "parentId")]
			if _, done := paths[r.ID]; !ok || done {
				continue
			}
			paths[r.ID] = strings.TrimSuffix(parent, "/") + "/" + str(r.Inputs, "pathPart")
			progress = true
		}
		if !progress {
			t.Fatalf("resources not under the API's root: %d of %d placed", len(paths)-1, len(resources))
		}
	}
	functions := map[string]string{}
	for _, fn := range m.all("aws:lambda/function:Function") {
		functions[str(fn.State, "invokeArn")] = fn.Name
	}
	kinds := map[string]gateway.Integration{"AWS": gateway.Template, "AWS_PROXY": gateway.Proxy}
	for _, meth := range m.all("aws:apigateway/method:Method") {
		path, ok := paths[str(meth.Inputs, "resourceId")]
		if !ok {
			t.Fatalf("method %s is on an unknown resource %s", meth.Name, str(meth.Inputs, "resourceId"))
		}
		verb := str(meth.Inputs, "httpMethod")
		if verb == "OPTIONS" {
			preflights = append(preflights, path)
			continue
		}
		var integration *registered
		for _, i := range m.all("aws:apigateway/integration:Integration") {
			if str(i.Inputs, "resourceId") == str(meth.Inputs, "resourceId") && str(i.Inputs, "httpMethod") == verb {
				integration = &i
			}
		}
		if integration == nil {
			t.Fatalf("%s %s has no integration", verb, path)
		}
		routes = append(routes, gateway.Route{
			Method:      verb,
			Path:        path,
			Function:    functions[str(integration.Inputs, "uri")],
			Integration: kinds[str(integration.Inputs, "type")],
		})
	}
	slices.Sort(preflights)
	return sorted(routes), preflights
}

func sorted(t gateway.Table) gateway.Table {
	return slices.SortedFunc(slices.Values(t), func(a, b gateway.Route) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
}

// What the Pulumi program declares is the route table, route for route:
// the same (method, path under gateway.Prefix, function, kind), nothing
// more, nothing less, and a preflight on every routed resource. local/apigw's tests check the same
// of what the emulation serves, so the deployed API and `make dev` serve
// one set of routes: a route added on one side only fails one of them.
func TestDeclaredRoutesAreTheRouteTable(t *testing.T) {
	for _, c := range []struct {
		name   string
		routes gateway.Table
	}{
		{"gateway.Routes", gateway.Routes},
		{"a nested route with a parameter", append(slices.Clone(gateway.Routes),
			gateway.Route{Method: "POST", Path: "/me/sessions/{id}/renew", Function: "me", Integration: gateway.Proxy},
			gateway.Route{Method: "DELETE", Path: "/me/sessions/{id}", Function: "me", Integration: gateway.Proxy})},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &mocks{}
			if err := runRoutes(m, testConfig(), c.routes); err != nil {
				t.Fatal(err)
			}
			got, preflights := declaredRoutes(t, m)
			// API Gateway's resources are the routes' paths under the prefix.
			// Who may call a route is the authorizer's to decide
			// (TestAuthorizerEnvironment), not the method's.
			var resources gateway.Table
			for _, r := range c.routes {
				r.Path = r.ResourcePath()
				r.Groups = nil
				resources = append(resources, r)
			}
			if want := sorted(resources); !slices.EqualFunc(got, want, func(a, b gateway.Route) bool { return reflect.DeepEqual(a, b) }) {
				t.Errorf("the program declares\n%v\nthe route table under %s is\n%v", got, gateway.Prefix, want)
			}
			var want []string
			for _, p := range c.routes.Paths() {
				want = append(want, gateway.ResourcePath(p))
			}
			if !slices.Equal(preflights, want) {
				t.Errorf("preflights on %v, want one on every routed resource %v", preflights, want)
			}
		})
	}
}

// A wrong route table stops `pulumi preview` before anything is declared,
// with a message naming the route.
func TestABadRouteTableStopsTheProgram(t *testing.T) {
	for _, c := range []struct {
		name  string
		route gateway.Route
		want  string
	}{
		{"unknown function", gateway.Route{Method: "GET", Path: "/missing", Function: "missing", Integration: gateway.Proxy},
			"route GET /missing -> missing (proxy): no function missing: create functions/cmd/missing"},
		{"duplicate method and path", gateway.Route{Method: "GET", Path: "/me", Function: "me", Integration: gateway.Proxy},
			"route GET /me -> me (proxy): GET /me is already routed"},
		{"path without a leading slash", gateway.Route{Method: "POST", Path: "me", Function: "me", Integration: gateway.Proxy},
			`route POST me -> me (proxy): path "me" does not start with /`},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &mocks{}
			err := runRoutes(m, testConfig(), append(slices.Clone(gateway.Routes), c.route))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
			if len(m.resources) != 0 {
				t.Errorf("%d resources declared before the route table was checked", len(m.resources))
			}
		})
	}
}
