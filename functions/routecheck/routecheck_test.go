package routecheck

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"signin/functions/authorizer"
	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/stackconfig"
	"signin/functions/stackfile"
)

// The route table in this repository passes against the repository's
// function commands and its default stack's configuration (the groups a
// team defines there): every route's function exists, every command is
// routed. `make test` runs the same check first (make routes).
func TestTheRouteTablePassesAgainstTheFunctionCommands(t *testing.T) {
	stack, err := LoadStack(filepath.Join("..", "..", stackfile.FileName(stackfile.DefaultStack)))
	if err != nil {
		t.Fatal(err)
	}
	if err := Check("..", gateway.Routes, stack); err != nil {
		t.Fatal(err)
	}
	commands, err := bundle.Commands("..")
	if err != nil {
		t.Fatal(err)
	}
	got, want := slices.Sorted(slices.Values(gateway.Routes.Functions())), slices.Sorted(slices.Values(commands))
	if !slices.Equal(got, want) {
		t.Errorf("Functions() = %v, want every command %v", got, want)
	}
}

// functions writes a functions module with the commands names under a
// temporary folder and returns it.
func functions(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		path := filepath.Join(dir, "cmd", name, "main.go")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("package main"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// route returns a Template route of hello for method and path, restricted
// to groups.
func route(method, path string, groups ...string) gateway.Route {
	return gateway.Route{Method: method, Path: path, Function: "hello", Integration: gateway.Template, Groups: groups}
}

// deep returns n routes whose paths make n*10 resources under the root.
func deep(n int) gateway.Table {
	var t gateway.Table
	for i := range n {
		segments := make([]string, 10)
		for j := range segments {
			segments[j] = fmt.Sprintf("s%d", j)
		}
		t = append(t, route("GET", fmt.Sprintf("/d%03d/", i)+strings.Join(segments[1:], "/")))
	}
	return t
}

// Each part of the check refuses what it guards with a message naming the
// problem and how to fix it.
func TestCheckNamesEachProblem(t *testing.T) {
	dir := functions(t, "authorizer", "hello")
	admins := authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}}
	emails := make([]string, 300)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%03d@example.com", i)
	}
	for _, c := range []struct {
		name   string
		dir    string
		routes gateway.Table
		stack  Stack
		want   string
	}{
		{"a valid table", dir, gateway.Table{route("GET", "/"), route("GET", "/admin", "admins")}, Stack{Access: stackconfig.Authorizer{Groups: admins}}, ""},
		{"a duplicate route", dir, gateway.Table{route("GET", "/"), route("GET", "/")}, Stack{}, "GET / is already routed"},
		{"a function without its command", functions(t, "authorizer"), gateway.Table{route("GET", "/")}, Stack{}, "no function hello: create functions/cmd/hello"},
		{"a command without a route", functions(t, "authorizer", "hello", "orders"), gateway.Table{route("GET", "/")}, Stack{}, "functions/cmd/orders has no route"},
		{"a group the stack does not define", dir, gateway.Table{route("GET", "/admin", "admins")}, Stack{}, "the group admins, which the route GET /api/admin names, is not defined"},
		{"a method ARN over 1,600 bytes", dir, gateway.Table{route("GET", "/"+strings.Repeat("a", 1600))}, Stack{}, "its method ARN could exceed API Gateway's 1600 bytes"},
		{"301 resources", dir, append(deep(29), route("GET", "/"), route("GET", "/a/b/c/d/e/f/g/h/i")), Stack{}, "the API has 301 resources"},
		{"an environment over 4 KB", dir, gateway.Table{route("GET", "/")}, Stack{Access: stackconfig.Authorizer{AllowedEmails: emails}}, "the authorizer's environment holds them all, and would not fit: the Lambda environment takes 6"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Check(c.dir, c.routes, c.stack)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v\nwant an error containing %q", err, c.want)
			}
		})
	}
	if err := Check(filepath.Join(dir, "missing"), gateway.Table{route("GET", "/")}, Stack{}); err == nil {
		t.Error("a folder without cmd/ passed")
	}
}

// One check names every problem at once, whichever part finds it: the
// table, the functions on disk, the groups and the quotas are not fixed one
// round at a time.
func TestCheckNamesEveryProblemInOneError(t *testing.T) {
	emails := make([]string, 300)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%03d@example.com", i)
	}
	routes := gateway.Table{route("GET", "/"), route("GET", "/"), route("GET", "/admin", "admins"), {Method: "GET", Path: "/me", Function: "me", Integration: gateway.Proxy}}
	err := Check(functions(t, "authorizer", "hello"), routes, Stack{Access: stackconfig.Authorizer{AllowedEmails: emails}})
	for _, want := range []string{
		"GET / is already routed",
		"no function me: create functions/cmd/me",
		"the group admins, which the route GET /api/admin names, is not defined",
		"would not fit: the Lambda environment takes",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not name %q:\n%v", want, err)
		}
	}
}

// LoadStack reads what the route check needs of a stack file: its client
// ID and its authorizer settings, refusing a wrong setting by name.
func TestLoadStackReadsTheClientIDAndTheAuthorizerSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	st, err := LoadStack(write("Pulumi.team.yaml", `config:
  signin:googleClientId: 123-abc.apps.googleusercontent.com
  signin:groups:
    admins:
      emails: [ada@example.com]
`))
	if err != nil {
		t.Fatal(err)
	}
	if st.ClientID != "123-abc.apps.googleusercontent.com" || len(st.Access.Groups["admins"].Emails) != 1 {
		t.Errorf("LoadStack = %+v", st)
	}
	if _, err := LoadStack(write("Pulumi.bad.yaml", "config:\n  signin:authorizerCacheTtl: 9999\n")); err == nil || !strings.Contains(err.Error(), "Pulumi.bad.yaml: authorizerCacheTtl is 9999") {
		t.Errorf("a TTL over the quota: got %v", err)
	}
	if _, err := LoadStack(filepath.Join(dir, "Pulumi.missing.yaml")); err == nil {
		t.Error("a missing stack file was read")
	}
}
