package gateway

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestValidateNamesTheBadRoute(t *testing.T) {
	commands := []string{"authorizer", "hello", "me", "orders"}
	good := Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: Template},
		{Method: "GET", Path: "/me", Function: "me", Integration: Proxy},
		{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: Proxy},
	}
	tests := []struct {
		name     string
		change   func(Table) Table
		commands []string
		want     string
	}{
		{"duplicate method and path", func(t Table) Table {
			return append(t, Route{Method: "GET", Path: "/me", Function: "orders", Integration: Proxy})
		}, commands,
			"route GET /me -> orders (proxy): GET /me is already routed"},
		{"unknown function", func(t Table) Table {
			return append(t, Route{Method: "GET", Path: "/profile", Function: "profile", Integration: Proxy})
		}, commands,
			"route GET /profile -> profile (proxy): no function profile: create functions/cmd/profile"},
		{"path without a leading slash", func(t Table) Table { t[1].Path = "me"; return t }, commands,
			`route GET me -> me (proxy): path "me" does not start with /`},
		{"trailing slash", func(t Table) Table { t[1].Path = "/me/"; return t }, commands,
			`path "/me/" has an empty segment`},
		{"doubled slash", func(t Table) Table { t[2].Path = "/orders//{id}"; return t }, commands,
			`path "/orders//{id}" has an empty segment`},
		{"invalid segment", func(t Table) Table { t[1].Path = "/me?x"; return t }, commands,
			`segment "me?x" is neither a literal`},
		{"greedy parameter", func(t Table) Table { t[2].Path = "/orders/{proxy+}"; return t }, commands,
			`segment "{proxy+}" is neither a literal`},
		{"parameter named twice", func(t Table) Table { t[2].Path = "/orders/{id}/items/{id}"; return t }, commands,
			`names the parameter {id} twice`},
		{"two parameters under one resource", func(t Table) Table {
			return append(t, Route{Method: "DELETE", Path: "/orders/{orderId}", Function: "orders", Integration: Proxy})
		}, commands,
			"route DELETE /orders/{orderId} -> orders (proxy): /orders/{id} and /orders/{orderId}: API Gateway allows one path parameter"},
		{"unsupported method", func(t Table) Table { t[1].Method = "OPTIONS"; return t }, commands,
			`route OPTIONS /me -> me (proxy): method "OPTIONS" is not one of GET, HEAD, POST, PUT, PATCH, DELETE`},
		{"lower-case method", func(t Table) Table { t[1].Method = "get"; return t }, commands,
			`method "get" is not one of`},
		{"unknown integration", func(t Table) Table { t[1].Integration = "http"; return t }, commands,
			`integration "http" is neither "template" nor "proxy"`},
		{"one function behind both kinds", func(t Table) Table {
			return append(t, Route{Method: "GET", Path: "/hello", Function: "me", Integration: Template})
		}, commands,
			"route GET /hello -> me (template): function me is behind a proxy route too"},
		{"the authorizer behind a route", func(t Table) Table { t[1].Function = "authorizer"; return t }, commands,
			"authorizer is the TOKEN authorizer"},
		{"a function name AWS cannot carry", func(t Table) Table { t[1].Function = "Me_Too"; return t }, commands,
			`function name "Me_Too" is not lower-case`},
		{"a function name too long for its role", func(t Table) Table { t[1].Function = strings.Repeat("m", MaxFunctionNameLength+1); return t },
			append(slices.Clone(commands), strings.Repeat("m", MaxFunctionNameLength+1)), "at most 24"},
		{"a command with no route", func(t Table) Table { return t }, append(slices.Clone(commands), "profile"),
			"functions/cmd/profile has no route"},
		{"no authorizer command", func(t Table) Table { return t }, []string{"hello", "me", "orders"},
			"no functions/cmd/authorizer"},
		{"a group name that is not a plain identifier", func(t Table) Table { t[2].Groups = []string{"admins", "ops team"}; return t }, commands,
			`route GET /orders/{id} -> orders (proxy) for admins, ops team: group name "ops team" is not a plain identifier`},
		{"a group name with a comma", func(t Table) Table { t[2].Groups = []string{"a,b"}; return t }, commands,
			`group name "a,b" is not a plain identifier`},
		{"a group listed twice", func(t Table) Table { t[2].Groups = []string{"admins", "admins"}; return t }, commands,
			"group admins is listed twice"},
	}
	if err := good.Validate(commands); err != nil {
		t.Fatalf("the good table: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.change(slices.Clone(good)).Validate(tt.commands)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestResourcePathIsThePathUnderThePrefix(t *testing.T) {
	for path, want := range map[string]string{"/": "/api", "/me": "/api/me", "/orders/{id}": "/api/orders/{id}"} {
		if got := (Route{Path: path}).ResourcePath(); got != want {
			t.Errorf("ResourcePath of %s = %q, want %q", path, got, want)
		}
	}
}

func TestAllowedMethodsComeFromTheTable(t *testing.T) {
	table := Table{
		{Method: "DELETE", Path: "/orders/{id}", Function: "orders", Integration: Proxy},
		{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: Proxy},
		{Method: "GET", Path: "/", Function: "hello", Integration: Template},
	}
	for path, want := range map[string]string{"/": "GET,OPTIONS", "/orders/{id}": "GET,DELETE,OPTIONS", "/other": "OPTIONS"} {
		if got := table.AllowedMethods(path); got != want {
			t.Errorf("AllowedMethods(%s) = %q, want %q", path, got, want)
		}
	}
	if got := table.Paths(); !slices.Equal(got, []string{"/", "/orders/{id}"}) {
		t.Errorf("Paths() = %v", got)
	}
	if got := table.Functions(); !slices.Equal(got, []string{AuthorizerFunction, "orders", "hello"}) {
		t.Errorf("Functions() = %v, want the authorizer, then each function once in table order", got)
	}
}

// The mapping template reads the authorizer context entry the authorizer
// writes, ContextName: renaming the key must rename it in the template too,
// or API Gateway would render an empty name while every other test passes.
func TestRequestTemplateReadsContextName(t *testing.T) {
	refs := regexp.MustCompile(`\$context\.authorizer\.([A-Za-z0-9_]+)`).FindAllStringSubmatch(RequestTemplate, -1)
	if len(refs) != 1 || refs[0][1] != ContextName {
		t.Errorf("RequestTemplate %s reads the authorizer context %v, want only %q (ContextName)", RequestTemplate, refs, ContextName)
	}
}

// Each function gets the environment of its kind: the authorizer its
// settings, a proxy function the site's origin for its CORS headers, a
// template function nothing.
func TestEnvironmentFollowsTheIntegration(t *testing.T) {
	table := Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: Template},
		{Method: "GET", Path: "/me", Function: "me", Integration: Proxy},
	}
	settings := map[string]string{"GOOGLE_CLIENT_ID": "id"}
	const origin = "https://d111111abcdef8.cloudfront.net"
	tests := []struct {
		name string
		want map[string]string
	}{
		{AuthorizerFunction, settings},
		{"me", map[string]string{SiteOriginVariable: origin}},
		{"hello", nil},
		{"unrouted", nil},
	}
	for _, tt := range tests {
		if got := Environment(table, tt.name, settings, origin); !maps.Equal(got, tt.want) {
			t.Errorf("Environment(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMethodsAreTheTableMethodsOnce(t *testing.T) {
	routes := Table{{Method: "POST", Path: "/a"}, {Method: "GET", Path: "/"}, {Method: "GET", Path: "/b"}}
	if got, want := routes.Methods(), []string{"GET", "POST"}; !slices.Equal(got, want) {
		t.Errorf("Methods() = %v, want %v", got, want)
	}
}
