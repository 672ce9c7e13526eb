package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

const stage = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev"

func in(groups ...string) func(string) bool {
	return func(g string) bool { return slices.Contains(groups, g) }
}

func resources(doc events.APIGatewayCustomAuthorizerPolicy, effect string) []string {
	var out []string
	for _, s := range doc.Statement {
		if s.Effect == effect {
			out = append(out, s.Resource...)
		}
	}
	return out
}

func mustAccess(t testing.TB, routes []Route) *Access {
	t.Helper()
	a, err := NewAccess(routes)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDocumentAllowsExactlyTheCallersRoutes(t *testing.T) {
	a := mustAccess(t, []Route{
		{Method: "GET", Path: "/api"},
		{Method: "GET", Path: "/api/me"},
		{Method: "GET", Path: "/api/admin", Groups: []string{"admins"}},
		{Method: "GET", Path: "/api/admin/{id}", Groups: []string{"admins"}},
		{Method: "GET", Path: "/api/admin/{id}/secret", Groups: []string{"owners"}},
		{Method: "GET", Path: "/api/reports", Groups: []string{"admins", "finance"}},
	})
	tests := []struct {
		name        string
		member      func(string) bool
		allow, deny []string
	}{
		{"in every group: the whole stage", in("admins", "owners", "finance"), []string{stage + "/*/*"}, nil},
		{"in no group: the open routes", in(),
			[]string{stage + "/GET/api", stage + "/GET/api/me"}, nil},
		{"admin: the stage but the secret, shorter than the five routes and the Deny of the secret /api/admin/* matches", in("admins"),
			[]string{stage + "/*/*"}, []string{stage + "/GET/api/admin/*/secret", stage + "/GET/api/admin/*:*/secret", stage + "/GET/api/admin/*/secret/", stage + "/GET/api/admin/*:*/secret/"}},
		{"finance: the reports", in("finance"),
			[]string{stage + "/GET/api", stage + "/GET/api/me", stage + "/GET/api/reports"}, nil},
		{"owner: the secret without the admin routes", in("owners"),
			[]string{stage + "/GET/api", stage + "/GET/api/me", stage + "/GET/api/admin/*/secret", stage + "/GET/api/admin/*:*/secret"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := a.Document(stage, tt.member)
			if got := resources(doc, Allow); !slices.Equal(got, tt.allow) {
				t.Errorf("allowed %q, want %q", got, tt.allow)
			}
			if got := resources(doc, Deny); !slices.Equal(got, tt.deny) {
				t.Errorf("denied %q, want %q", got, tt.deny)
			}
		})
	}
}

func TestDocumentDeniesTheStageToACallerOfNoRoute(t *testing.T) {
	a := mustAccess(t, []Route{{Method: "GET", Path: "/api", Groups: []string{"admins"}}})
	doc := a.Document(stage, in())
	if got := resources(doc, Deny); !slices.Equal(got, []string{stage + "/*/*"}) || len(resources(doc, Allow)) > 0 {
		t.Errorf("document %+v, want a Deny of the whole stage", doc)
	}
}

// TestDocumentOfAHundredRoutesFitsTheBudget writes the policy of callers in
// each combination of four groups over 100 routes (a quarter open, the rest
// spread over the groups, half of them with a path parameter), and checks
// the authorizer's whole answer stays within 8 KB, the budget
// docs/security.md states, and each resource within the method ARN's 1,600
// bytes.
func TestDocumentOfAHundredRoutesFitsTheBudget(t *testing.T) {
	routes, groups := hundredRoutes()
	a := mustAccess(t, routes)
	const budget = 8 << 10
	largest := 0
	for mask := range 1 << len(groups) {
		var mine []string
		for i, g := range groups {
			if mask&(1<<i) != 0 {
				mine = append(mine, g)
			}
		}
		answer, err := json.Marshal(events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "110169484474386276334",
			PolicyDocument: a.Document(stage, in(mine...)),
			Context: map[string]any{
				"name":   strings.Repeat("N", 100),
				"email":  strings.Repeat("e", 60) + "@example.com",
				"groups": strings.Join(mine, ","),
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		largest = max(largest, len(answer))
		if len(answer) > budget {
			t.Errorf("groups %v: the answer has %d bytes, more than %d", mine, len(answer), budget)
		}
	}
	t.Logf("largest answer: %d bytes", largest)
}

// Bound is at least as long as the document of a caller in any
// combination of groups, so a table it fits needs no caller's document
// written: 100 routes, and routes whose Denies (each with a *:* and a
// trailing-slash form) outweigh the rest.
func TestBoundIsAtLeastEveryDocument(t *testing.T) {
	routes, groups := hundredRoutes()
	routes = append(routes, Route{Method: "GET", Path: "/api/department-00/reports/{reportId}/secret", Groups: []string{"owners"}})
	checkBound(t, routes, groups)
	denied := []Route{{Method: "GET", Path: "/api/x/{id}"}}
	for k := range 3 {
		denied = append(denied, Route{Method: "GET", Path: fmt.Sprintf("/api/x/{id}/s%d", k), Groups: []string{"owners"}})
	}
	checkBound(t, denied, []string{"owners"})
}

func checkBound(t *testing.T, routes []Route, groups []string) {
	t.Helper()
	a := mustAccess(t, routes)
	bound, err := json.Marshal(a.Bound(stage))
	if err != nil {
		t.Fatal(err)
	}
	for mask := range 1 << len(groups) {
		var mine []string
		for i, g := range groups {
			if mask&(1<<i) != 0 {
				mine = append(mine, g)
			}
		}
		doc, err := json.Marshal(a.Document(stage, in(mine...)))
		if err != nil {
			t.Fatal(err)
		}
		if len(doc) > len(bound) {
			t.Errorf("groups %v: the document has %d bytes, more than the bound's %d", mine, len(doc), len(bound))
		}
	}
}

// LongestStage is a stage ARN Stage reads, and for the longest stage name
// it is the bound NewAccess checks method ARNs with.
func TestLongestStageIsAStageARN(t *testing.T) {
	longest := LongestStage(strings.Repeat("s", maxStageNameLength))
	got, err := Stage(longest + "/GET/api/me")
	if err != nil || got != longest {
		t.Errorf("Stage(%s/GET/api/me) = %q, %v", longest, got, err)
	}
	if len(longest) != maxStageLength {
		t.Errorf("the longest stage ARN has %d bytes, NewAccess counts %d", len(longest), maxStageLength)
	}
}

// hundredRoutes are 100 routes in four groups: a quarter open, half with a
// path parameter.
func hundredRoutes() ([]Route, []string) {
	groups := []string{"admins", "finance", "support", "engineering"}
	var routes []Route
	for i := range 100 {
		r := Route{Method: []string{"GET", "POST", "PUT", "DELETE"}[i%4], Path: fmt.Sprintf("/api/department-%02d/reports", i/4)}
		if i%2 == 1 {
			r.Path = fmt.Sprintf("/api/department-%02d/reports/{reportId}", i/4)
		}
		if i%4 != 0 {
			r.Groups = []string{groups[i%len(groups)]}
		}
		routes = append(routes, r)
	}
	return routes, groups
}

// BenchmarkDocument writes the policy of a caller in one of four groups
// over 100 routes: the work each decision adds to the token's check.
func BenchmarkDocument(b *testing.B) {
	routes, _ := hundredRoutes()
	a := mustAccess(b, routes)
	for b.Loop() {
		a.Document(stage, in("finance"))
	}
}

// BenchmarkNewAccess checks 100 routes, as the authorizer does once at
// start.
func BenchmarkNewAccess(b *testing.B) {
	routes, _ := hundredRoutes()
	for b.Loop() {
		mustAccess(b, routes)
	}
}

func TestNewAccessRefusesRoutesAPolicyCannotTellApart(t *testing.T) {
	tests := []struct {
		name   string
		routes []Route
		want   string
	}{
		// A caller outside admins may call /a/{x} and /a/{x}/b/c, whose
		// resource /a/* matches requests for /a/{x}/{y}: the policy
		// denies /a/*/*, which matches /a/1/b/c too.
		{"a Deny that matches a route the caller may call", []Route{
			{Method: "GET", Path: "/api/a/{x}"},
			{Method: "GET", Path: "/api/a/{x}/{y}", Groups: []string{"admins"}},
			{Method: "GET", Path: "/api/a/{x}/b/c"},
		}, "routes GET /api/a/{x}/b/c and GET /api/a/{x}/{y}: a caller who may call GET /api/a/{x} but not GET /api/a/{x}/{y} gets a Deny of GET/api/a/*/*"},
		{"the same with groups", []Route{
			{Method: "GET", Path: "/api/a/{x}", Groups: []string{"ops"}},
			{Method: "GET", Path: "/api/a/{x}/{y}", Groups: []string{"admins"}},
			{Method: "GET", Path: "/api/a/{x}/b/c", Groups: []string{"ops", "admins"}},
		}, "routes GET /api/a/{x}/b/c and GET /api/a/{x}/{y}"},
		{"a wildcard in a path", []Route{{Method: "GET", Path: "/api/*"}}, "without * or ?"},
		{"a path ending in a slash", []Route{{Method: "GET", Path: "/api/admin/"}}, "not ending with one"},
		{"a path too long for a method ARN", []Route{{Method: "GET", Path: "/api/" + strings.Repeat("x", MaxMethodARNLength)}}, "exceed API Gateway's 1600 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewAccess(tt.routes); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewAccess = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestNewAccessAcceptsRoutesAPolicyTellsApart: a restricted /admin/{id}
// beside /admin/{id}/secret of another group, or the same groups on
// routes a resource covers, need no refusal.
func TestNewAccessAcceptsRoutesAPolicyTellsApart(t *testing.T) {
	for _, routes := range [][]Route{
		{{Method: "GET", Path: "/api/admin/{id}", Groups: []string{"admins"}}, {Method: "GET", Path: "/api/admin/{id}/secret", Groups: []string{"owners"}}, {Method: "GET", Path: "/api/admin-other"}},
		{{Method: "GET", Path: "/api/files/{name}/raw", Groups: []string{"admins"}}, {Method: "GET", Path: "/api/files/{dir}", Groups: []string{"admins"}}},
		{{Method: "GET", Path: "/api/files/{name}/raw"}, {Method: "GET", Path: "/api/files/{dir}", Groups: []string{"admins"}}},
		{{Method: "GET", Path: "/api/a/{x}/b", Groups: []string{"ops"}}, {Method: "GET", Path: "/api/a/{x}", Groups: []string{"admins"}}},
		{{Method: "GET", Path: "/api/a/{x}"}, {Method: "GET", Path: "/api/a/{x}/{y}", Groups: []string{"admins"}}, {Method: "GET", Path: "/api/a/{x}/b/c", Groups: []string{"admins"}}},
		{{Method: "GET", Path: "/api/files/{dir}"}, {Method: "POST", Path: "/api/files/{dir}/raw", Groups: []string{"admins"}}},
	} {
		if _, err := NewAccess(routes); err != nil {
			t.Errorf("NewAccess(%v) = %v", routes, err)
		}
	}
}

// TestVariantsMatchValuesWithColons: IAM's * in the middle of a resource
// stays within a colon-separated segment, so each such * also comes as
// *:*; a final * runs across colons and needs no other form.
func TestVariantsMatchValuesWithColons(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"GET/api/me", []string{"GET/api/me"}},
		{"GET/api/admin/*", []string{"GET/api/admin/*"}},
		{"GET/api/admin/*/secret", []string{"GET/api/admin/*/secret", "GET/api/admin/*:*/secret"}},
		{"GET/api/a/*/b/*", []string{"GET/api/a/*/b/*", "GET/api/a/*:*/b/*"}},
		{"GET/api/a/*/b/*/c", []string{"GET/api/a/*/b/*/c", "GET/api/a/*/b/*:*/c", "GET/api/a/*:*/b/*/c", "GET/api/a/*:*/b/*:*/c"}},
	}
	for _, tt := range tests {
		if got := variants(tt.pattern); !slices.Equal(got, tt.want) {
			t.Errorf("variants(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
	}
}

func TestOverlap(t *testing.T) {
	tests := []struct {
		p, q string
		want bool
	}{
		{"GET/api/admin/*", "GET/api/admin/*/secret", true},
		{"GET/api/admin/*/secret", "GET/api/admin/*", false},
		{"GET/api/admin/*", "GET/api/admin-other", false},
		{"GET/api/admin/*", "GET/api/admin", false},
		{"GET/api/admin", "GET/api/admin/*", false},
		{"GET/api/admin/*", "GET/api/admin/*", true},
		{"GET/api/a/*/c", "GET/api/a/*/*", true},
		{"GET/api/a/*/c/*", "GET/api/a/*/*", false},
		{"GET/api/a/*/*", "GET/api/a/*/c/*", true},
		{"GET/api/a/*", "GET/api/a/b", true},
		{"GET/api/a/b", "GET/api/a/*", true},
		{"GET/api/*/b", "GET/api/a/*", true},
		{"GET/api", "GET/api", true},
		{"GET/api", "GET/api/me", false},
	}
	for _, tt := range tests {
		if got := overlap(tt.p, tt.q); got != tt.want {
			t.Errorf("overlap(%q, %q) = %v, want %v", tt.p, tt.q, got, tt.want)
		}
	}
}

// TestSlashFormsDenyOnlyTrailingSlashRequests: the trailing-slash form of
// a Deny's resource matches no request of any route without a trailing
// slash, and a route's request with one exactly when the resource itself
// matches the route's request, so it refuses nothing NewAccess has not
// already shown the resource refuses.
func TestSlashFormsDenyOnlyTrailingSlashRequests(t *testing.T) {
	routes, _ := hundredRoutes()
	routes = append(routes,
		Route{Method: "GET", Path: "/api"},
		Route{Method: "GET", Path: "/api/admin", Groups: []string{"admins"}},
		Route{Method: "GET", Path: "/api/admin/{id}", Groups: []string{"admins"}},
		Route{Method: "GET", Path: "/api/admin/{id}/secret", Groups: []string{"owners"}},
		Route{Method: "GET", Path: "/api/admin/{id}/notes/{note}", Groups: []string{"owners"}},
	)
	a := mustAccess(t, routes)
	slashForms := 0
	for j := range a.routes {
		for _, d := range a.denials[j] {
			resource, slash := strings.CutSuffix(d, "/")
			if !slash {
				continue
			}
			slashForms++
			for i := range a.routes {
				if overlap(d, a.patterns[i]) {
					t.Errorf("%s matches a request for %s without a trailing slash", d, a.routes[i])
				}
				if got, want := overlap(d, a.patterns[i]+"/"), overlap(resource, a.patterns[i]); got != want {
					t.Errorf("%s matches a request for %s with a trailing slash: %v, but %s its request: %v", d, a.routes[i], got, resource, want)
				}
			}
		}
	}
	if slashForms == 0 {
		t.Fatal("no Deny resource has a trailing-slash form")
	}
	for _, r := range []string{"GET/api/admin/*", "GET/api/admin/*/notes/*"} {
		if slices.Contains(a.denials[slices.IndexFunc(a.patterns, func(p string) bool { return p == r })], r+"/") {
			t.Errorf("%s, which ends in a *, has a trailing-slash form", r)
		}
	}
}
