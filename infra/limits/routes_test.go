package limits

import (
	"fmt"
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

// hundredRoutes are 100 routes in four groups, as functions/policy's
// TestDocumentOfAHundredRoutesFitsTheBudget has them: a quarter open, the
// others spread over the groups, half with a path parameter.
func hundredRoutes() (gateway.Table, []string) {
	groups := []string{"admins", "finance", "support", "engineering"}
	var routes gateway.Table
	for i := range 100 {
		r := route(fmt.Sprintf("/department-%02d/reports", i/4))
		r.Method = []string{"GET", "POST", "PUT", "DELETE"}[i%4]
		if i%2 == 1 {
			r.Path += "/{reportId}"
		}
		if i%4 != 0 {
			r.Groups = []string{groups[i%len(groups)]}
		}
		routes = append(routes, r)
	}
	return routes, groups
}

// 100 routes in four groups fit the budget with the longest stage ARN,
// subject, email and name; 160 routes half of which admins alone may call
// do not, naming the caller whose answer is too large. A stack of groups
// no route names adds them to every caller's context.
func TestAuthorizerAnswerMeasuresEachCallersPolicy(t *testing.T) {
	routes, groups := hundredRoutes()
	size, mine, bounded, err := largestAnswer("production", groups, routes)
	if err != nil || bounded || size > AuthorizerAnswerBudget {
		t.Fatalf("100 routes in 4 groups: %d bytes for %v (bounded %v), %v", size, mine, bounded, err)
	}
	t.Logf("100 routes in 4 groups: the largest answer takes %d bytes, for a caller in %v", size, mine)
	if err := CheckAuthorizerAnswer("production", groups, routes); err != nil {
		t.Error(err)
	}
	unnamed, _, _, err := largestAnswer("production", append(slices.Clone(groups), "auditors"), routes)
	if err != nil || unnamed != size+len(",auditors") {
		t.Errorf("with a group no route names: %d bytes, %v; want %d", unnamed, err, size+len(",auditors"))
	}

	var halves gateway.Table
	for i := range 160 {
		if i%2 == 1 {
			halves = append(halves, route(fmt.Sprintf("/x%03d", i), "admins"))
		} else {
			halves = append(halves, route(fmt.Sprintf("/x%03d", i)))
		}
	}
	err = CheckAuthorizerAnswer("dev", []string{"admins"}, halves)
	if want := "the authorizer's answer to a caller in the groups [] takes up to"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("160 routes, half for admins: got %v, want an error containing %q", err, want)
	}
	if err := CheckAuthorizerAnswer("dev", []string{"admins"}, halves[:100]); err != nil {
		t.Errorf("100 routes, half for admins: %v", err)
	}
}

// Groups the same routes name are one class; past maxGroupClasses classes
// the check measures the bound, which is at least the largest answer.
func TestAuthorizerAnswerBoundsManyGroups(t *testing.T) {
	classes, others := groupClasses([]string{"ops", "admins", "auditors"}, gateway.Table{route("/a", "admins", "ops"), route("/b", "ops", "admins")})
	if want := [][]string{{"admins", "ops"}}; !slices.EqualFunc(classes, want, slices.Equal) || !slices.Equal(others, []string{"auditors"}) {
		t.Errorf("classes %v others %v, want %v and [auditors]", classes, others, want)
	}

	var routes gateway.Table
	var groups []string
	for i := range maxGroupClasses + 1 {
		g := fmt.Sprintf("g%02d", i)
		groups = append(groups, g)
		routes = append(routes, route("/"+g, g), route("/"+g+"/{id}"))
	}
	exact, _, bounded, err := largestAnswer("dev", groups, routes[:2*maxGroupClasses])
	if err != nil || bounded {
		t.Fatalf("%d classes: bounded %v, %v", maxGroupClasses, bounded, err)
	}
	bound, _, bounded, err := largestAnswer("dev", groups, routes)
	if err != nil || !bounded || bound < exact {
		t.Errorf("%d classes: %d bytes, bounded %v, %v; want a bound of at least %d", maxGroupClasses+1, bound, bounded, err, exact)
	}
}
