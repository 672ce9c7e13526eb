package main

import (
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
)

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
			m := &stacktest.Mocks{}
			err := runRoutes(m, stacktest.Config(), append(slices.Clone(gateway.Routes), c.route))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
			if len(m.Resources()) != 0 {
				t.Errorf("%d resources declared before the route table was checked", len(m.Resources()))
			}
		})
	}
}
