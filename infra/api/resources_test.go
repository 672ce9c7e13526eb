package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
)

// The TOKEN authorizer reads the Authorization header, lets API Gateway
// answer 401 itself to anything not shaped like a JWT, and caches for the
// configured time.
func TestAuthorizerSettingsComeFromGateway(t *testing.T) {
	cfg := stacktest.Config()
	cfg["signin:authorizerCacheTtl"] = "60"
	m := stacktest.Deploy(t, nil, cfg)
	auth := m.One(t, "aws:apigateway/authorizer:Authorizer", "api")
	for _, c := range []struct{ key, want string }{
		{"type", "TOKEN"},
		{"identitySource", gateway.IdentitySource},
		{"identityValidationExpression", gateway.TokenPattern},
		{"authorizerUri", stacktest.Str(m.One(t, "aws:lambda/function:Function", "authorizer").State, "invokeArn")},
	} {
		if got := stacktest.Str(auth.Inputs, c.key); got != c.want {
			t.Errorf("%s = %q, want %q", c.key, got, c.want)
		}
	}
	if ttl := stacktest.Value(auth.Inputs, "authorizerResultTtlInSeconds"); !ttl.IsNumber() || ttl.NumberValue() != 60 {
		t.Errorf("authorizerResultTtlInSeconds = %v, want 60", ttl)
	}
	for _, method := range m.All("aws:apigateway/method:Method") {
		verb := stacktest.Str(method.Inputs, "httpMethod")
		switch {
		case verb == "OPTIONS" && stacktest.Str(method.Inputs, "authorization") != "NONE":
			t.Errorf("%s authorization = %q, want NONE: a preflight carries no token", method.Name, stacktest.Str(method.Inputs, "authorization"))
		case verb != "OPTIONS" && (stacktest.Str(method.Inputs, "authorization") != "CUSTOM" || stacktest.Str(method.Inputs, "authorizerId") != stacktest.AuthorizerID):
			t.Errorf("%s authorization = %q by %q, want CUSTOM by the one authorizer %q", method.Name,
				stacktest.Str(method.Inputs, "authorization"), stacktest.Str(method.Inputs, "authorizerId"), stacktest.AuthorizerID)
		}
	}
	if got, want := len(m.All("aws:apigateway/authorizer:Authorizer")), len(gateway.Routes.Authorizers()); got != want {
		t.Errorf("%d authorizers, want %d: the TOKEN one, and the REQUEST one when a route has groups", got, want)
	}
}

// The REQUEST authorizer and its invoke permission exist only when a route
// has groups; the restricted routes' methods are behind it, the open ones
// behind the TOKEN authorizer.
func TestRequestAuthorizerOnlyForRestrictedRoutes(t *testing.T) {
	// The route table with every route open.
	var open gateway.Table
	for _, r := range gateway.Routes {
		r.Groups = nil
		open = append(open, r)
	}
	m := &stacktest.Mocks{}
	if err := stacktest.Declare(m, stacktest.Config(), open); err != nil {
		t.Fatal(err)
	}
	if got := len(m.All("aws:apigateway/authorizer:Authorizer")); got != 1 {
		t.Errorf("open routes only: %d authorizers, want the TOKEN one", got)
	}
	cfg := stacktest.WithGroups(t, stacktest.Config(), authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}})
	m = &stacktest.Mocks{}
	if err := stacktest.Declare(m, cfg, append(slices.Clone(open), gateway.Route{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}})); err != nil {
		t.Fatal(err)
	}
	req := m.One(t, "aws:apigateway/authorizer:Authorizer", "api-request")
	if stacktest.Str(req.Inputs, "type") != "REQUEST" || stacktest.Str(req.Inputs, "identitySource") != strings.Join(gateway.RequestIdentitySources, ",") {
		t.Errorf("REQUEST authorizer inputs %v", req.Inputs)
	}
	if got := stacktest.Str(m.One(t, "aws:lambda/permission:Permission", "api-request-authorizer").Inputs, "sourceArn"); !strings.HasPrefix(got, stacktest.ExecutionARN+"/authorizers/") {
		t.Errorf("the REQUEST authorizer's permission: sourceArn %q, want %s/authorizers/<id>", got, stacktest.ExecutionARN)
	}
	for name, behind := range map[string]string{"api-api-me-delete": "api-request", "api-api-me-get": "api"} {
		deps := m.One(t, "aws:apigateway/method:Method", name).Dependencies
		if !slices.ContainsFunc(deps, func(d string) bool { return strings.HasSuffix(d, "$aws:apigateway/authorizer:Authorizer::"+behind) }) {
			t.Errorf("method %s depends on %v, want the authorizer %s", name, deps, behind)
		}
	}
}

// Pitfall 5: API Gateway may invoke each function only through its exact
// source ARN.
func TestInvokePermissionsUseExactSourceARNs(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	cases := []struct{ name, function, sourceARN string }{
		{"api-authorizer", "authorizer", stacktest.ExecutionARN + "/authorizers/" + stacktest.AuthorizerID},
		{"api-api-get", "hello", stacktest.ExecutionARN + "/*/GET/api"},
		{"api-api-me-get", "me", stacktest.ExecutionARN + "/*/GET/api/me"},
	}
	if got, want := len(m.All("aws:lambda/permission:Permission")), len(gateway.Routes)+len(gateway.Routes.Authorizers()); got != want {
		t.Errorf("%d permissions, want %d: one per authorizer and one per route", got, want)
	}
	for _, c := range cases {
		p := m.One(t, "aws:lambda/permission:Permission", c.name)
		fn := m.One(t, "aws:lambda/function:Function", c.function)
		if got := stacktest.Str(p.Inputs, "sourceArn"); got != c.sourceARN {
			t.Errorf("%s: sourceArn = %q, want %q", c.name, got, c.sourceARN)
		}
		if got := stacktest.Str(p.Inputs, "function"); got != stacktest.Str(fn.State, "name") {
			t.Errorf("%s: function = %q, want %q", c.name, got, stacktest.Str(fn.State, "name"))
		}
		if stacktest.Str(p.Inputs, "principal") != "apigateway.amazonaws.com" || stacktest.Str(p.Inputs, "action") != "lambda:InvokeFunction" {
			t.Errorf("%s: %s may %s, want apigateway.amazonaws.com may lambda:InvokeFunction", c.name, stacktest.Str(p.Inputs, "principal"), stacktest.Str(p.Inputs, "action"))
		}
	}
}

// A path parameter is any value in the source ARN: the permission covers
// /me/sessions/{id} for every id, and nothing else.
func TestMethodSourceARNWildcardsPathParameters(t *testing.T) {
	m := &stacktest.Mocks{}
	routes := append(slices.Clone(gateway.Routes), gateway.Route{Method: "DELETE", Path: "/me/sessions/{id}", Function: "me", Integration: gateway.Proxy})
	if err := stacktest.Declare(m, stacktest.Config(), routes); err != nil {
		t.Fatal(err)
	}
	p := m.One(t, "aws:lambda/permission:Permission", "api-api-me-sessions-{id}-delete")
	if got, want := stacktest.Str(p.Inputs, "sourceArn"), stacktest.ExecutionARN+"/*/DELETE/api/me/sessions/*"; got != want {
		t.Errorf("sourceArn = %q, want %q", got, want)
	}
	r := m.One(t, "aws:apigateway/resource:Resource", "api-api-me-sessions-{id}")
	if got := stacktest.Str(r.Inputs, "pathPart"); got != "{id}" {
		t.Errorf("pathPart = %q, want {id}", got)
	}
	if got := stacktest.Str(r.Inputs, "parentId"); got != "api-api-me-sessions-id" {
		t.Errorf("parentId = %q, want the resource of /me/sessions", got)
	}
	preflight := stacktest.StringMap(m.One(t, "aws:apigateway/integrationResponse:IntegrationResponse", "api-api-me-sessions-{id}-options-200").Inputs, "responseParameters")
	if got := preflight["method.response.header.Access-Control-Allow-Methods"]; got != "'DELETE,OPTIONS'" {
		t.Errorf("preflight of /me/sessions/{id} allows %s, want 'DELETE,OPTIONS'", got)
	}
}

// Pitfall 8: the display name is user-controlled, so the template escapes
// it; pitfall 7: the integration is non-proxy.
func TestGreetingIntegrationEscapesTheName(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	i := m.One(t, "aws:apigateway/integration:Integration", "api-api-get")
	for _, c := range []struct{ key, want string }{
		{"type", "AWS"},
		{"integrationHttpMethod", "POST"},
		{"passthroughBehavior", "NEVER"},
		{"uri", stacktest.Str(m.One(t, "aws:lambda/function:Function", "hello").State, "invokeArn")},
	} {
		if got := stacktest.Str(i.Inputs, c.key); got != c.want {
			t.Errorf("%s = %q, want %q", c.key, got, c.want)
		}
	}
	tmpl := stacktest.Str(i.Inputs, "requestTemplates", "application/json")
	if tmpl != gateway.RequestTemplate {
		t.Errorf("template = %q, want gateway.RequestTemplate %q", tmpl, gateway.RequestTemplate)
	}
	for _, want := range []string{`$util.escapeJavaScript($context.authorizer.name)`, `.replaceAll("\\'","'")`} {
		if !strings.Contains(tmpl, want) {
			t.Errorf("template %q lacks %s", tmpl, want)
		}
	}
}

// Pitfall 3: every answer, the API Gateway's own 4XX/5XX included, carries
// CORS headers for the site's exact origin, never "*". A page on another
// origin must not be able to read the answers.
func TestCORSAllowsExactlyTheSiteOrigin(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	want := "'" + stacktest.SiteOrigin + "'"
	cases := []struct{ typ, name, prefix string }{
		{"aws:apigateway/integrationResponse:IntegrationResponse", "api-api-get-200", "method.response.header."},
		{"aws:apigateway/integrationResponse:IntegrationResponse", "api-api-get-500", "method.response.header."},
		{"aws:apigateway/integrationResponse:IntegrationResponse", "api-api-options-200", "method.response.header."},
		{"aws:apigateway/integrationResponse:IntegrationResponse", "api-api-me-options-200", "method.response.header."},
	}
	for _, typ := range gateway.ErrorResponseTypes {
		cases = append(cases, struct{ typ, name, prefix string }{"aws:apigateway/response:Response", "api-" + strings.ToLower(typ), "gatewayresponse.header."})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params := stacktest.StringMap(m.One(t, c.typ, c.name).Inputs, "responseParameters")
			if got := params[c.prefix+"Access-Control-Allow-Origin"]; got != want {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, want)
			}
			if got := params[c.prefix+"Vary"]; got != "'Origin'" {
				t.Errorf("Vary = %q, want 'Origin'", got)
			}
		})
	}
	for _, r := range m.Resources() {
		for k, v := range stacktest.StringMap(r.Inputs, "responseParameters") {
			if strings.Contains(v, "*") {
				t.Errorf("%s %s: %s = %s allows any origin", r.Type, r.Name, k, v)
			}
		}
	}
	for name, path := range map[string]string{"api-api-options-200": "/", "api-api-me-options-200": "/me"} {
		preflight := stacktest.StringMap(m.One(t, "aws:apigateway/integrationResponse:IntegrationResponse", name).Inputs, "responseParameters")
		for h, v := range gateway.PreflightHeaders(stacktest.SiteOrigin, gateway.Routes.AllowedMethods(path)) {
			if got := preflight["method.response.header."+h]; got != "'"+v+"'" {
				t.Errorf("preflight of %s: %s = %q, want '%s'", path, h, got, v)
			}
		}
	}
	for _, typ := range gateway.ErrorResponseTypes {
		r := m.One(t, "aws:apigateway/response:Response", "api-"+strings.ToLower(typ))
		if got := stacktest.Str(r.Inputs, "responseTemplates", "application/json"); got != gateway.ErrorTemplate {
			t.Errorf("%s template = %q, want %q", typ, got, gateway.ErrorTemplate)
		}
	}
}

// A failing greeting answers 500 with a JSON body the page can read, not a
// 200 carrying the error.
func TestGreetingErrorsAnswer500(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	r := m.One(t, "aws:apigateway/integrationResponse:IntegrationResponse", "api-api-get-500")
	if got := stacktest.Str(r.Inputs, "selectionPattern"); got != ".+" {
		t.Errorf("selectionPattern = %q, want .+ (any Lambda error)", got)
	}
	if got := stacktest.Str(r.Inputs, "responseTemplates", "application/json"); got != string(gateway.ErrorBody(gateway.MessageInternalError)) {
		t.Errorf("body = %q, want %s", got, gateway.ErrorBody(gateway.MessageInternalError))
	}
	if got := stacktest.Str(m.One(t, "aws:apigateway/integrationResponse:IntegrationResponse", "api-api-get-200").Inputs, "selectionPattern"); got != "" {
		t.Errorf("the 200 answer has selectionPattern %q, want none (the default)", got)
	}
}

// The stage is named after the stack and throttled as configured.
func TestStageIsThrottled(t *testing.T) {
	cfg := stacktest.Config()
	cfg["signin:throttleRateLimit"] = "2.5"
	cfg["signin:throttleBurstLimit"] = "7"
	m := stacktest.Deploy(t, nil, cfg)
	stage := m.One(t, "aws:apigateway/stage:Stage", "api")
	if got := stacktest.Str(stage.Inputs, "stageName"); got != stacktest.Stack {
		t.Errorf("stage name = %q, want the stack's %q", got, stacktest.Stack)
	}
	if got := stacktest.Str(stage.Inputs, "deployment"); got != "api-id" {
		t.Errorf("stage serves deployment %q, want api-id", got)
	}
	s := m.One(t, "aws:apigateway/methodSettings:MethodSettings", "api")
	if got := stacktest.Str(s.Inputs, "methodPath"); got != "*/*" {
		t.Errorf("methodPath = %q, want */*", got)
	}
	for k, want := range map[string]float64{"throttlingRateLimit": 2.5, "throttlingBurstLimit": 7} {
		if v := stacktest.Value(s.Inputs, "settings", k); !v.IsNumber() || v.NumberValue() != want {
			t.Errorf("%s = %v, want %g", k, v, want)
		}
	}
}

// The API's origin, which the page's CSP names, comes from the REST API's
// execution ARN; an ARN of another shape stops the program rather than
// deploying a policy with a wrong origin.
func TestUnexpectedExecutionARNStopsTheProgram(t *testing.T) {
	m := &stacktest.Mocks{Alter: func(typ, _ string, state resource.PropertyMap) {
		if typ == "aws:apigateway/restApi:RestApi" {
			state["executionArn"] = resource.NewProperty("arn:aws:lambda:" + stacktest.Region + ":" + stacktest.Account + ":" + stacktest.RestAPIID)
		}
	}}
	err := stacktest.Declare(m, stacktest.Config(), gateway.Routes)
	if err == nil || !strings.Contains(err.Error(), "unexpected execution ARN") {
		t.Errorf("got %v, want an error about the unexpected execution ARN", err)
	}
}
