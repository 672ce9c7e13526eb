package limits

import (
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
)

// route returns a GET route of path for the groups.
func route(path string, groups ...string) gateway.Route {
	return gateway.Route{Method: "GET", Path: path, Function: "hello", Integration: gateway.Proxy, Groups: groups}
}

// The API's resources are its root and every path the routes' resource
// paths pass through, under the prefix; 300 fit, 301 do not.
func TestResourcesAreTheRootAndEveryPathUnderThePrefix(t *testing.T) {
	got := Resources(gateway.Table{route("/"), route("/me"), route("/orders/{id}"), route("/orders/{id}/items")})
	want := []string{"/", "/api", "/api/me", "/api/orders", "/api/orders/{id}", "/api/orders/{id}/items"}
	if !slices.Equal(got, want) {
		t.Errorf("Resources = %v, want %v", got, want)
	}
	if err := CheckResources(MaxResources); err != nil {
		t.Errorf("%d resources: %v", MaxResources, err)
	}
	if err := CheckResources(MaxResources + 1); err == nil || !strings.Contains(err.Error(), "301 resources") {
		t.Errorf("%d resources: got %v, want an error naming 301 resources", MaxResources+1, err)
	}
}

// An API has at most 10 authorizers; this stack's have one or two.
func TestAuthorizersPerAPIAreAtMostTheQuota(t *testing.T) {
	for _, table := range []gateway.Table{{route("/")}, {route("/"), route("/admin", "admins")}} {
		if err := CheckAuthorizers(len(table.Authorizers())); err != nil {
			t.Errorf("%v: %v", table, err)
		}
	}
	if err := CheckAuthorizers(MaxAuthorizers); err != nil {
		t.Errorf("%d authorizers: %v", MaxAuthorizers, err)
	}
	if err := CheckAuthorizers(MaxAuthorizers + 1); err == nil || !strings.Contains(err.Error(), "11 authorizers, more than the 10") {
		t.Errorf("%d authorizers: got %v, want an error naming 11 authorizers", MaxAuthorizers+1, err)
	}
}
