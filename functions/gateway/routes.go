package gateway

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Routes is the route table: the one definition of the API's shape. Every
// route is one line: its method, its path, the function behind it (the
// command functions/cmd/<function>) and how the request reaches it. The
// Pulumi program declares the API from it, the local stack emulates it, and
// the build, `make dev` and the tests read it.
//
// A route without Groups runs behind the TOKEN authorizer, whose answer is
// the whole stage; a route with Groups behind the REQUEST authorizer, which
// decides on the route API Gateway matched (RequestIdentitySources). Both
// are the function AuthorizerFunction.
var Routes = Table{
	{Method: "GET", Path: "/", Function: "hello", Integration: Template},
	{Method: "GET", Path: "/me", Function: "me", Integration: Proxy},
}

// AuthorizerFunction is the function of the API's authorizers, TOKEN and
// REQUEST: the command functions/cmd/authorizer.
const AuthorizerFunction = "authorizer"

// Integration is how API Gateway hands a request to a route's function.
type Integration string

// The integration kinds.
const (
	// Template is the tutorial's non-proxy AWS integration: the function
	// gets the event RequestTemplate renders, {"name": "..."}, and answers
	// a JSON object that becomes the 200 body (its error is a 500).
	Template Integration = "template"
	// Proxy is a Lambda proxy (AWS_PROXY) integration: the function gets
	// the whole request as events.APIGatewayProxyRequest, the authorizer's
	// principalId and context in requestContext.authorizer, and answers
	// events.APIGatewayProxyResponse with its own status, headers (CORS
	// included: see SiteOriginVariable) and body. Its error or malformed
	// answer is API Gateway's 502.
	Proxy Integration = "proxy"
)

// Route is one line of the route table.
type Route struct {
	// Method is the HTTP method, one of Methods.
	Method string
	// Path is the resource path: "/" or "/"-separated segments, each a
	// literal (letters, digits, '.', '_', '-') or a path parameter such as
	// {id}, for example /orders/{id}.
	Path string
	// Function names the function behind the route: the command
	// functions/cmd/<Function>.
	Function string
	// Integration is how the request reaches the function.
	Integration Integration
	// Groups, when not empty, are the only callers allowed: a caller in
	// any one of them may call the route, everyone else gets API
	// Gateway's 403. Empty means every caller the stack admits. Each
	// names a group of the stack's configuration (groups.<name>), a plain
	// identifier such as admins.
	Groups []string
}

// Prefix is the path under which the REST API's resources live: every
// route answers at Prefix followed by its Path, both at the API's own
// address and on the site's origin, where CloudFront (and `make dev`'s site
// server) forwards Prefix and everything below it to the API unchanged. One
// path space: the page calls /api/me on its own origin, another client
// <invoke-url>/api/me, and API Gateway sees the same resource.
const Prefix = "/api"

// ResourcePath returns the route's resource path in API Gateway: its Path
// below Prefix, "/api" for "/", "/api/me" for "/me". Method ARNs and
// invoke permissions are built from it.
func (r Route) ResourcePath() string {
	return ResourcePath(r.Path)
}

// ResourcePath returns the resource path in API Gateway of a route path.
func ResourcePath(path string) string {
	if path == "/" {
		return Prefix
	}
	return Prefix + path
}

// String names the route as error messages do: "GET /me -> me (proxy)".
func (r Route) String() string {
	s := fmt.Sprintf("%s %s -> %s (%s)", r.Method, r.Path, r.Function, r.Integration)
	if len(r.Groups) > 0 {
		s += " for " + strings.Join(r.Groups, ", ")
	}
	return s
}

// Methods are the HTTP methods a route may have. OPTIONS is the CORS
// preflight every resource answers itself, with no token.
var Methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}

// MaxFunctionNameLength bounds a function's name so that every name AWS
// derives from it fits: the IAM role name prefix (at most 38 characters,
// the stack's role prefix included), the Lambda function and its log group.
const MaxFunctionNameLength = 24

// SiteOriginVariable is the environment variable that tells a proxy
// function the site's exact origin, for its CORS headers. The Pulumi program
// and the local stack set it on every function behind a Proxy route.
const SiteOriginVariable = "SITE_ORIGIN"

// Environment returns the environment variables of the function name of
// routes, as the Pulumi program and the local stack set them: authorizer
// for the TOKEN authorizer (its settings, see authorizer.Config), the
// site's origin (SiteOriginVariable) for a function behind a Proxy route,
// which sets its own CORS headers, and none for a function behind a
// Template route. V is the type of a value: a string for the local stack, a
// Pulumi input for the program, whose site origin is known only once the
// distribution exists.
func Environment[V any](routes Table, name string, authorizer map[string]V, siteOrigin V) map[string]V {
	if name == AuthorizerFunction {
		return authorizer
	}
	if kind, _ := routes.Integration(name); kind == Proxy {
		return map[string]V{SiteOriginVariable: siteOrigin}
	}
	return nil
}

// Table is a route table.
type Table []Route

// Authorizer types, as API Gateway names them.
const (
	// TokenAuthorizer is the type of the authorizer of the open routes.
	TokenAuthorizer = "TOKEN"
	// RequestAuthorizer is the type of the authorizer of the routes
	// restricted to groups.
	RequestAuthorizer = "REQUEST"
)

// Authorizers returns the types of the authorizers an API serving t has:
// TokenAuthorizer, and RequestAuthorizer when a route has Groups.
func (t Table) Authorizers() []string {
	if len(t.Restricted()) > 0 {
		return []string{TokenAuthorizer, RequestAuthorizer}
	}
	return []string{TokenAuthorizer}
}

// Restricted returns the routes with Groups, in the table's order: those
// the REQUEST authorizer decides.
func (t Table) Restricted() Table {
	var out Table
	for _, r := range t {
		if len(r.Groups) > 0 {
			out = append(out, r)
		}
	}
	return out
}

var (
	functionName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	literal      = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	parameter    = regexp.MustCompile(`^\{[A-Za-z_][A-Za-z0-9_]*\}$`)
	groupName    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
)

// maxGroupNameLength bounds the name of a group.
const maxGroupNameLength = 64

// CheckGroupName reports whether name can name a group: a plain identifier
// of ASCII letters, digits, '_' and '-', starting with a letter, at most
// maxGroupNameLength characters. The caller's groups reach the functions
// as one comma-separated context value, so a name holds no comma.
func CheckGroupName(name string) error {
	if !groupName.MatchString(name) || len(name) > maxGroupNameLength {
		return fmt.Errorf("group name %q is not a plain identifier (letters, digits, '_' and '-', starting with a letter, at most %d characters), such as admins", name, maxGroupNameLength)
	}
	return nil
}

// Functions returns every function of the API, each once: the authorizer
// first, then the routes' functions in the order the table first names
// them.
func (t Table) Functions() []string {
	names := []string{AuthorizerFunction}
	for _, r := range t {
		if !slices.Contains(names, r.Function) {
			names = append(names, r.Function)
		}
	}
	return names
}

// Integration returns how the function name is integrated, and false when
// no route names it.
func (t Table) Integration(name string) (Integration, bool) {
	for _, r := range t {
		if r.Function == name {
			return r.Integration, true
		}
	}
	return "", false
}

// Methods returns the methods of the routes, each once, in the order of
// Methods.
func (t Table) Methods() []string {
	var used []string
	for _, m := range Methods {
		if slices.ContainsFunc(t, func(r Route) bool { return r.Method == m }) {
			used = append(used, m)
		}
	}
	return used
}

// Paths returns the paths of the routes, each once, sorted: the resources
// that answer a CORS preflight.
func (t Table) Paths() []string {
	var paths []string
	for _, r := range t {
		if !slices.Contains(paths, r.Path) {
			paths = append(paths, r.Path)
		}
	}
	slices.Sort(paths)
	return paths
}

// AllowedMethods returns the Access-Control-Allow-Methods value of the
// preflight of path: its routes' methods and OPTIONS, comma-separated in
// the order of Methods.
func (t Table) AllowedMethods(path string) string {
	var allowed []string
	for _, m := range Methods {
		if slices.ContainsFunc(t, func(r Route) bool { return r.Path == path && r.Method == m }) {
			allowed = append(allowed, m)
		}
	}
	return strings.Join(append(allowed, "OPTIONS"), ",")
}

// Segments splits a route's path into its segments; "/" has none.
func Segments(path string) []string {
	if path == "/" {
		return nil
	}
	return strings.Split(strings.TrimPrefix(path, "/"), "/")
}

// IsParameter reports whether a path segment is a path parameter, such as
// {id}, and returns its name.
func IsParameter(segment string) (string, bool) {
	if !parameter.MatchString(segment) {
		return "", false
	}
	return segment[1 : len(segment)-1], true
}

// Validate checks the table against the function commands that exist
// (the directory names under functions/cmd). It reports every problem,
// each naming its route: an unsupported method, a malformed path, a
// duplicate method and path, two parameters where API Gateway allows one, a
// function that has no command or is the authorizer, a function behind
// routes of both kinds, a group name that is not a plain identifier or is
// listed twice, and a command no route uses. Whether the groups exist is
// the stack configuration's check (authorizer.Groups.Check).
func (t Table) Validate(commands []string) error {
	var errs []error
	fail := func(r Route, format string, args ...any) {
		errs = append(errs, fmt.Errorf("gateway: route %s: %s", r, fmt.Sprintf(format, args...)))
	}
	seen := map[string]bool{}
	// paramAt maps a parent path to the one parameter segment under it.
	paramAt := map[string]string{}
	kinds := map[string]Integration{}
	for _, r := range t {
		if !slices.Contains(Methods, r.Method) {
			fail(r, "method %q is not one of %s", r.Method, strings.Join(Methods, ", "))
		}
		if err := CheckPath(r.Path); err != nil {
			fail(r, "%v", err)
		} else {
			parent := ""
			for _, seg := range Segments(r.Path) {
				if _, ok := IsParameter(seg); ok {
					if other, ok := paramAt[parent]; ok && other != seg {
						fail(r, "%s/%s and %s/%s: API Gateway allows one path parameter under a resource", parent, other, parent, seg)
					}
					paramAt[parent] = seg
				}
				parent += "/" + seg
			}
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			fail(r, "%s is already routed", key)
		}
		seen[key] = true
		switch {
		case r.Integration != Template && r.Integration != Proxy:
			fail(r, "integration %q is neither %q nor %q", r.Integration, Template, Proxy)
		case kinds[r.Function] != "" && kinds[r.Function] != r.Integration:
			fail(r, "function %s is behind a %s route too: a function gets one kind of event", r.Function, kinds[r.Function])
		default:
			kinds[r.Function] = r.Integration
		}
		switch {
		case !functionName.MatchString(r.Function) || len(r.Function) > MaxFunctionNameLength:
			fail(r, "function name %q is not lower-case letters, digits and '-' (at most %d, starting with a letter)", r.Function, MaxFunctionNameLength)
		case r.Function == AuthorizerFunction:
			fail(r, "%s is the TOKEN authorizer, not a route's function", AuthorizerFunction)
		case !slices.Contains(commands, r.Function):
			fail(r, "no function %s: create functions/cmd/%s (package main)", r.Function, r.Function)
		}
		for i, g := range r.Groups {
			if err := CheckGroupName(g); err != nil {
				fail(r, "%v", err)
			} else if slices.Contains(r.Groups[:i], g) {
				fail(r, "group %s is listed twice", g)
			}
		}
	}
	for _, c := range commands {
		if c != AuthorizerFunction && !slices.ContainsFunc(t, func(r Route) bool { return r.Function == c }) {
			errs = append(errs, fmt.Errorf("gateway: functions/cmd/%s has no route: add a line for it to gateway.Routes, or remove it", c))
		}
	}
	if !slices.Contains(commands, AuthorizerFunction) {
		errs = append(errs, fmt.Errorf("gateway: no functions/cmd/%s: the API needs its TOKEN authorizer", AuthorizerFunction))
	}
	return errors.Join(errs...)
}

// CheckPath reports what is wrong with a route's path: one that does not
// start with /, has an empty segment, or a segment that is neither a
// literal nor a path parameter, or names a parameter twice.
func CheckPath(path string) error {
	if !strings.HasPrefix(path, "/") {
		return fmt.Errorf("path %q does not start with /", path)
	}
	params := map[string]bool{}
	for _, seg := range Segments(path) {
		name, isParam := IsParameter(seg)
		switch {
		case seg == "":
			return fmt.Errorf("path %q has an empty segment (a doubled or trailing /)", path)
		case isParam && params[name]:
			return fmt.Errorf("path %q names the parameter {%s} twice", path, name)
		case isParam:
			params[name] = true
		case !literal.MatchString(seg):
			return fmt.Errorf("path %q: segment %q is neither a literal (letters, digits, '.', '_', '-') nor a parameter such as {id}", path, seg)
		}
	}
	return nil
}
