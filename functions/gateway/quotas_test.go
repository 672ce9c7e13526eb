package gateway

import (
	"slices"
	"strings"
	"testing"
)

// quotaRoute returns a GET route of path for the groups.
func quotaRoute(path string, groups ...string) Route {
	return Route{Method: "GET", Path: path, Function: "hello", Integration: Proxy, Groups: groups}
}

// The API's resources are its root and every path the routes' resource
// paths pass through, under the prefix; 300 fit, 301 do not.
func TestResourcesAreTheRootAndEveryPathUnderThePrefix(t *testing.T) {
	got := Table{quotaRoute("/"), quotaRoute("/me"), quotaRoute("/orders/{id}"), quotaRoute("/orders/{id}/items")}.Resources()
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
	for _, table := range []Table{{quotaRoute("/")}, {quotaRoute("/"), quotaRoute("/admin", "admins")}} {
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

// An environment of 4 KB fits, one byte more does not, counted as Lambda
// counts it: the compact JSON object, escapes included.
func TestCheckEnvironmentAcceptsTheEdgeAndRefusesOnePast(t *testing.T) {
	envOf := func(n int) map[string]string {
		// {"A":"..."} is 8 bytes of JSON around the value.
		return map[string]string{"A": strings.Repeat("x", n-8)}
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"environment of 4,096 bytes", envOf(MaxEnvironment), ""},
		{"environment of 4,097 bytes", envOf(MaxEnvironment + 1), "takes 4097 bytes, 1 more than the 4096"},
		{"environment with characters JSON escapes", map[string]string{"A": strings.Repeat(`"`, 2045)}, "takes 4098 bytes"},
		{"no environment", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			switch err := CheckEnvironment(c.env); {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// The environment's size counts keys, values and the JSON around them,
// and the message names the largest variables first.
func TestCheckEnvironmentNamesTheLargestVariablesFirst(t *testing.T) {
	err := CheckEnvironment(map[string]string{
		"GOOGLE_CLIENT_ID": "id",
		"ALLOWED_EMAILS":   strings.Repeat("e", 4000),
		"ALLOWED_DOMAINS":  strings.Repeat("d", 100),
	})
	want := "takes 4166 bytes, 70 more than the 4096 (4 KB) Lambda allows (bytes by variable: ALLOWED_EMAILS 4014, ALLOWED_DOMAINS 115, GOOGLE_CLIENT_ID 18)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %q", err, want)
	}
}
