package api_test

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
)

// declaredRoutes reads the routes the program declared from the mocks'
// record, as API Gateway would serve them: each method (OPTIONS aside) on
// its resource's full path, the function its integration invokes and the
// integration's kind. It knows nothing of how package api names things.
func declaredRoutes(t *testing.T, m *stacktest.Mocks) (routes gateway.Table, preflights []string) {
	t.Helper()
	paths := map[string]string{stacktest.Str(m.One(t, "aws:apigateway/restApi:RestApi", "api").State, "rootResourceId"): "/"}
	resources := m.All("aws:apigateway/resource:Resource")
	for len(paths) < len(resources)+1 {
		progress := false
		for _, r := range resources {
			parent, ok := paths[stacktest.Str(r.Inputs, "parentId")]
			if _, done := paths[r.ID]; !ok || done {
				continue
			}
			paths[r.ID] = strings.TrimSuffix(parent, "/") + "/" + stacktest.Str(r.Inputs, "pathPart")
			progress = true
		}
		if !progress {
			t.Fatalf("resources not under the API's root: %d of %d placed", len(paths)-1, len(resources))
		}
	}
	functions := map[string]string{}
	for _, fn := range m.All("aws:lambda/function:Function") {
		functions[stacktest.Str(fn.State, "invokeArn")] = fn.Name
	}
	kinds := map[string]gateway.Integration{"AWS": gateway.Template, "AWS_PROXY": gateway.Proxy}
	for _, meth := range m.All("aws:apigateway/method:Method") {
		path, ok := paths[stacktest.Str(meth.Inputs, "resourceId")]
		if !ok {
			t.Fatalf("method %s is on an unknown resource %s", meth.Name, stacktest.Str(meth.Inputs, "resourceId"))
		}
		verb := stacktest.Str(meth.Inputs, "httpMethod")
		if verb == "OPTIONS" {
			preflights = append(preflights, path)
			continue
		}
		var integration *stacktest.Resource
		for _, i := range m.All("aws:apigateway/integration:Integration") {
			if stacktest.Str(i.Inputs, "resourceId") == stacktest.Str(meth.Inputs, "resourceId") && stacktest.Str(i.Inputs, "httpMethod") == verb {
				integration = &i
			}
		}
		if integration == nil {
			t.Fatalf("%s %s has no integration", verb, path)
		}
		routes = append(routes, gateway.Route{
			Method:      verb,
			Path:        path,
			Function:    functions[stacktest.Str(integration.Inputs, "uri")],
			Integration: kinds[stacktest.Str(integration.Inputs, "type")],
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
			m := &stacktest.Mocks{}
			if err := stacktest.Declare(m, stacktest.Config(), c.routes); err != nil {
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
