package main

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/infra/config"
	"signin/infra/function"
	"signin/site"
)

// Pitfall 6: the go1.x runtime is gone; functions run a bootstrap on
// provided.al2023 and Graviton.
func TestFunctionsRunABootstrapOnProvidedAL2023Arm64(t *testing.T) {
	m := deploy(t, nil, testConfig())
	fns := m.all("aws:lambda/function:Function")
	if want := len(gateway.Routes.Functions()); len(fns) != want {
		t.Fatalf("got %d functions, want %d: the authorizer and every route's function", len(fns), want)
	}
	for _, fn := range fns {
		t.Run(fn.Name, func(t *testing.T) {
			for _, c := range []struct{ key, want string }{
				{"runtime", "provided.al2023"},
				{"handler", "bootstrap"},
			} {
				if got := str(fn.Inputs, c.key); got != c.want {
					t.Errorf("%s = %q, want %q", c.key, got, c.want)
				}
			}
			arch := value(fn.Inputs, "architectures")
			if !arch.IsArray() || len(arch.ArrayValue()) != 1 || arch.ArrayValue()[0].StringValue() != "arm64" {
				t.Errorf("architectures = %v, want [arm64]", arch)
			}
			if !value(fn.Inputs, "code").IsArchive() {
				t.Errorf("code is %v, want the built archive", value(fn.Inputs, "code"))
			}
			if str(fn.Inputs, "sourceCodeHash") == "" {
				t.Error("sourceCodeHash is not set: every preview would show a code change")
			}
		})
	}
}

// Pitfall 11: destroy leaves log groups behind unless the stack owns them.
func TestFunctionsLogToAStackOwnedLogGroupWithRetention(t *testing.T) {
	m := deploy(t, nil, testConfig())
	for _, fn := range m.all("aws:lambda/function:Function") {
		lg := m.one(t, "aws:cloudwatch/logGroup:LogGroup", fn.Name)
		if got := value(lg.Inputs, "retentionInDays"); !got.IsNumber() || got.NumberValue() != config.DefaultLogRetentionDays {
			t.Errorf("%s: log retention = %v, want %d days", fn.Name, got, config.DefaultLogRetentionDays)
		}
		if got, want := str(fn.Inputs, "loggingConfig", "logGroup"), str(lg.State, "name"); got != want {
			t.Errorf("%s logs to %q, want its own log group %q", fn.Name, got, want)
		}
	}
}

// Least privilege: a function's role may only write logs.
func TestRolesCarryOnlyBasicExecution(t *testing.T) {
	m := deploy(t, nil, testConfig())
	roles := m.all("aws:iam/role:Role")
	attachments := m.all("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
	if n := len(gateway.Routes.Functions()); len(roles) != n || len(attachments) != n {
		t.Fatalf("got %d roles and %d policy attachments, want %d and %d", len(roles), len(attachments), n, n)
	}
	for _, kind := range []string{"aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"} {
		if n := len(m.all(kind)); n != 0 {
			t.Errorf("%d %s declared, want none", n, kind)
		}
	}
	for _, role := range roles {
		var trust struct {
			Statement []struct {
				Effect    string
				Principal map[string]string
				Action    string
			}
		}
		if err := json.Unmarshal([]byte(str(role.Inputs, "assumeRolePolicy")), &trust); err != nil {
			t.Fatalf("%s: assume role policy: %v", role.Name, err)
		}
		if len(trust.Statement) != 1 || trust.Statement[0].Principal["Service"] != "lambda.amazonaws.com" || trust.Statement[0].Action != "sts:AssumeRole" {
			t.Errorf("%s: trust policy = %+v, want only lambda.amazonaws.com to assume it", role.Name, trust)
		}
		if value(role.Inputs, "inlinePolicies").HasValue() || value(role.Inputs, "managedPolicyArns").HasValue() {
			t.Errorf("%s: the role carries policies beyond its attachment", role.Name)
		}
	}
	for _, a := range attachments {
		if got := str(a.Inputs, "policyArn"); got != basicExecutionARN {
			t.Errorf("%s attaches %q, want only %q", a.Name, got, basicExecutionARN)
		}
	}
}

// The authorizer is told the client ID, the allow-lists, the groups and
// the routes restricted to groups (the open ones are the TOKEN
// authorizer's, which needs no list), the stack's and a test's, and
// nothing that would replace Google as the issuer.
func TestAuthorizerEnvironment(t *testing.T) {
	cfg := testConfig()
	cfg["signin:allowedEmails"] = `["ada@example.com","grace@example.org"]`
	cfg = withGroups(t, cfg, authorizer.Groups{"auditors": {Emails: []string{"Ada@Example.com"}}})
	m := &mocks{}
	routes := append(slices.Clone(gateway.Routes), gateway.Route{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy, Groups: []string{"auditors"}})
	if err := runRoutes(m, cfg, routes); err != nil {
		t.Fatal(err)
	}
	got := stringMap(m.one(t, "aws:lambda/function:Function", "authorizer").Inputs, "environment", "variables")
	// The restricted routes, as "METHOD /path" under their groups.
	wantRoutes := map[string][]string{}
	for _, r := range routes.Restricted() {
		groups := strings.Join(r.Groups, ",")
		wantRoutes[groups] = append(wantRoutes[groups], r.Method+" "+r.Path)
	}
	var gotRoutes map[string][]string
	if err := json.Unmarshal([]byte(got["ROUTE_GROUPS"]), &gotRoutes); err != nil || !reflect.DeepEqual(gotRoutes, wantRoutes) {
		t.Errorf("ROUTE_GROUPS = %s, want the routes %v", got["ROUTE_GROUPS"], wantRoutes)
	}
	delete(got, "ROUTE_GROUPS")
	// The stack's groups and the test's, the addresses lower-cased.
	groups, err := json.Marshal(mustGroups(t, cfg[groupsKey]))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"GOOGLE_CLIENT_ID": cfg[clientIDKey],
		"ALLOWED_EMAILS":   "ada@example.com,grace@example.org",
		"ACCESS_GROUPS":    string(groups),
		"SSL_CERT_DIR":     "/dev/null",
	}
	var domains []string
	if err := json.Unmarshal([]byte(cmp.Or(cfg["signin:allowedDomains"], "[]")), &domains); err != nil {
		t.Fatal(err)
	}
	if len(domains) > 0 {
		want["ALLOWED_DOMAINS"] = strings.Join(domains, ",")
	}
	if cfg["signin:trustEmailsWithoutHd"] == "true" {
		want["TRUST_EMAILS_WITHOUT_HD"] = "true"
	}
	if !maps.Equal(got, want) {
		t.Errorf("authorizer environment = %v, want %v and ROUTE_GROUPS", got, want)
	}
	if env := value(m.one(t, "aws:lambda/function:Function", "hello").Inputs, "environment"); env.HasValue() {
		t.Errorf("hello has an environment %v, want none", env)
	}
}

// A proxy function answers with its own CORS headers, so it is told the
// site's exact origin; a template function needs nothing.
func TestProxyFunctionsAreToldTheSiteOrigin(t *testing.T) {
	m := deploy(t, nil, testConfig())
	for _, name := range gateway.Routes.Functions() {
		kind, _ := gateway.Routes.Integration(name)
		if kind != gateway.Proxy {
			continue
		}
		got := stringMap(m.one(t, "aws:lambda/function:Function", name).Inputs, "environment", "variables")
		if want := map[string]string{gateway.SiteOriginVariable: siteOrigin}; !maps.Equal(got, want) {
			t.Errorf("%s environment = %v, want %v", name, got, want)
		}
	}
}

// Every role the stack creates starts with function.RolePrefix, the one
// prefix the deploy role's policy names: a new function needs no policy
// change.
func TestEveryRoleSharesThePrefixTheDeployPolicyNames(t *testing.T) {
	m := deploy(t, nil, testConfig())
	for _, role := range m.all("aws:iam/role:Role") {
		if got, want := str(role.Inputs, "namePrefix"), function.RolePrefix+role.Name+"-"; got != want {
			t.Errorf("%s: namePrefix = %q, want %q", role.Name, got, want)
		}
		if !strings.HasPrefix(str(role.State, "name"), function.RolePrefix) {
			t.Errorf("%s is named %q, outside %s*", role.Name, str(role.State, "name"), function.RolePrefix)
		}
	}
}

// The TOKEN authorizer reads the Authorization header, lets API Gateway
// answer 401 itself to anything not shaped like a JWT, and caches for the
// configured time.
func TestAuthorizerSettingsComeFromGateway(t *testing.T) {
	cfg := testConfig()
	cfg["signin:authorizerCacheTtl"] = "60"
	m := deploy(t, nil, cfg)
	auth := m.one(t, "aws:apigateway/authorizer:Authorizer", "api")
	for _, c := range []struct{ key, want string }{
		{"type", "TOKEN"},
		{"identitySource", gateway.IdentitySource},
		{"identityValidationExpression", gateway.TokenPattern},
		{"authorizerUri", str(m.one(t, "aws:lambda/function:Function", "authorizer").State, "invokeArn")},
	} {
		if got := str(auth.Inputs, c.key); got != c.want {
			t.Errorf("%s = %q, want %q", c.key, got, c.want)
		}
	}
	if ttl := value(auth.Inputs, "authorizerResultTtlInSeconds"); !ttl.IsNumber() || ttl.NumberValue() != 60 {
		t.Errorf("authorizerResultTtlInSeconds = %v, want 60", ttl)
	}
	for _, method := range m.all("aws:apigateway/method:Method") {
		verb := str(method.Inputs, "httpMethod")
		switch {
		case verb == "OPTIONS" && str(method.Inputs, "authorization") != "NONE":
			t.Errorf("%s authorization = %q, want NONE: a preflight carries no token", method.Name, str(method.Inputs, "authorization"))
		case verb != "OPTIONS" && (str(method.Inputs, "authorization") != "CUSTOM" || str(method.Inputs, "authorizerId") != authorizerID):
			t.Errorf("%s authorization = %q by %q, want CUSTOM by the one authorizer %q", method.Name,
				str(method.Inputs, "authorization"), str(method.Inputs, "authorizerId"), authorizerID)
		}
	}
	if got, want := len(m.all("aws:apigateway/authorizer:Authorizer")), len(gateway.Routes.Authorizers()); got != want {
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
	m := &mocks{}
	if err := runRoutes(m, testConfig(), open); err != nil {
		t.Fatal(err)
	}
	if got := len(m.all("aws:apigateway/authorizer:Authorizer")); got != 1 {
		t.Errorf("open routes only: %d authorizers, want the TOKEN one", got)
	}
	cfg := withGroups(t, testConfig(), authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}})
	m = &mocks{}
	if err := runRoutes(m, cfg, append(slices.Clone(open), gateway.Route{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}})); err != nil {
		t.Fatal(err)
	}
	req := m.one(t, "aws:apigateway/authorizer:Authorizer", "api-request")
	if str(req.Inputs, "type") != "REQUEST" || str(req.Inputs, "identitySource") != strings.Join(gateway.RequestIdentitySources, ",") {
		t.Errorf("REQUEST authorizer inputs %v", req.Inputs)
	}
	if got := str(m.one(t, "aws:lambda/permission:Permission", "api-request-authorizer").Inputs, "sourceArn"); !strings.HasPrefix(got, executionARN+"/authorizers/") {
		t.Errorf("the REQUEST authorizer's permission: sourceArn %q, want %s/authorizers/<id>", got, executionARN)
	}
	for name, behind := range map[string]string{"api-api-me-delete": "api-request", "api-api-me-get": "api"} {
		deps := m.one(t, "aws:apigateway/method:Method", name).Dependencies
		if !slices.ContainsFunc(deps, func(d string) bool { return strings.HasSuffix(d, "$aws:apigateway/authorizer:Authorizer::"+behind) }) {
			t.Errorf("method %s depends on %v, want the authorizer %s", name, deps, behind)
		}
	}
}

// Pitfall 5: API Gateway may invoke each function only through its exact
// source ARN.
func TestInvokePermissionsUseExactSourceARNs(t *testing.T) {
	m := deploy(t, nil, testConfig())
	cases := []struct{ name, function, sourceARN string }{
		{"api-authorizer", "authorizer", executionARN + "/authorizers/" + authorizerID},
		{"api-api-get", "hello", executionARN + "/*/GET/api"},
		{"api-api-me-get", "me", executionARN + "/*/GET/api/me"},
	}
	if got, want := len(m.all("aws:lambda/permission:Permission")), len(gateway.Routes)+len(gateway.Routes.Authorizers()); got != want {
		t.Errorf("%d permissions, want %d: one per authorizer and one per route", got, want)
	}
	for _, c := range cases {
		p := m.one(t, "aws:lambda/permission:Permission", c.name)
		fn := m.one(t, "aws:lambda/function:Function", c.function)
		if got := str(p.Inputs, "sourceArn"); got != c.sourceARN {
			t.Errorf("%s: sourceArn = %q, want %q", c.name, got, c.sourceARN)
		}
		if got := str(p.Inputs, "function"); got != str(fn.State, "name") {
			t.Errorf("%s: function = %q, want %q", c.name, got, str(fn.State, "name"))
		}
		if str(p.Inputs, "principal") != "apigateway.amazonaws.com" || str(p.Inputs, "action") != "lambda:InvokeFunction" {
			t.Errorf("%s: %s may %s, want apigateway.amazonaws.com may lambda:InvokeFunction", c.name, str(p.Inputs, "principal"), str(p.Inputs, "action"))
		}
	}
}

// A path parameter is any value in the source ARN: the permission covers
// /me/sessions/{id} for every id, and nothing else.
func TestMethodSourceARNWildcardsPathParameters(t *testing.T) {
	m := &mocks{}
	routes := append(slices.Clone(gateway.Routes), gateway.Route{Method: "DELETE", Path: "/me/sessions/{id}", Function: "me", Integration: gateway.Proxy})
	if err := runRoutes(m, testConfig(), routes); err != nil {
		t.Fatal(err)
	}
	p := m.one(t, "aws:lambda/permission:Permission", "api-api-me-sessions-{id}-delete")
	if got, want := str(p.Inputs, "sourceArn"), executionARN+"/*/DELETE/api/me/sessions/*"; got != want {
		t.Errorf("sourceArn = %q, want %q", got, want)
	}
	r := m.one(t, "aws:apigateway/resource:Resource", "api-api-me-sessions-{id}")
	if got := str(r.Inputs, "pathPart"); got != "{id}" {
		t.Errorf("pathPart = %q, want {id}", got)
	}
	if got := str(r.Inputs, "parentId"); got != "api-api-me-sessions-id" {
		t.Errorf("parentId = %q, want the resource of /me/sessions", got)
	}
	preflight := stringMap(m.one(t, "aws:apigateway/integrationResponse:IntegrationResponse", "api-api-me-sessions-{id}-options-200").Inputs, "responseParameters")
	if got := preflight["method.response.header.Access-Control-Allow-Methods"]; got != "'DELETE,OPTIONS'" {
		t.Errorf("preflight of /me/sessions/{id} allows %s, want 'DELETE,OPTIONS'", got)
	}
}

// Pitfall 8: the display name is user-controlled, so the template escapes
// it; pitfall 7: the integration is non-proxy.
func TestGreetingIntegrationEscapesTheName(t *testing.T) {
	m := deploy(t, nil, testConfig())
	i := m.one(t, "aws:apigateway/integration:Integration", "api-api-get")
	for _, c := range []struct{ key, want string }{
		{"type", "AWS"},
		{"integrationHttpMethod", "POST"},
		{"passthroughBehavior", "NEVER"},
		{"uri", str(m.one(t, "aws:lambda/function:Function", "hello").State, "invokeArn")},
	} {
		if got := str(i.Inputs, c.key); got != c.want {
			t.Errorf("%s = %q, want %q", c.key, got, c.want)
		}
	}
	tmpl := str(i.Inputs, "requestTemplates", "application/json")
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
	m := deploy(t, nil, testConfig())
	want := "'" + siteOrigin + "'"
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
			params := stringMap(m.one(t, c.typ, c.name).Inputs, "responseParameters")
			if got := params[c.prefix+"Access-Control-Allow-Origin"]; got != want {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, want)
			}
			if got := params[c.prefix+"Vary"]; got != "'Origin'" {
				t.Errorf("Vary = %q, want 'Origin'", got)
			}
		})
	}
	for _, r := range m.resources {
		for k, v := range stringMap(r.Inputs, "responseParameters") {
			if strings.Contains(v, "*") {
				t.Errorf("%s %s: %s = %s allows any origin", r.Type, r.Name, k, v)
			}
		}
	}
	for name, path := range map[string]string{"api-api-options-200": "/", "api-api-me-options-200": "/me"} {
		preflight := stringMap(m.one(t, "aws:apigateway/integrationResponse:IntegrationResponse", name).Inputs, "responseParameters")
		for h, v := range gateway.PreflightHeaders(siteOrigin, gateway.Routes.AllowedMethods(path)) {
			if got := preflight["method.response.header."+h]; got != "'"+v+"'" {
				t.Errorf("preflight of %s: %s = %q, want '%s'", path, h, got, v)
			}
		}
	}
	for _, typ := range gateway.ErrorResponseTypes {
		r := m.one(t, "aws:apigateway/response:Response", "api-"+strings.ToLower(typ))
		if got := str(r.Inputs, "responseTemplates", "application/json"); got != gateway.ErrorTemplate {
			t.Errorf("%s template = %q, want %q", typ, got, gateway.ErrorTemplate)
		}
	}
}

// A failing greeting answers 500 with a JSON body the page can read, not a
// 200 carrying the error.
func TestGreetingErrorsAnswer500(t *testing.T) {
	m := deploy(t, nil, testConfig())
	r := m.one(t, "aws:apigateway/integrationResponse:IntegrationResponse", "api-api-get-500")
	if got := str(r.Inputs, "selectionPattern"); got != ".+" {
		t.Errorf("selectionPattern = %q, want .+ (any Lambda error)", got)
	}
	if got := str(r.Inputs, "responseTemplates", "application/json"); got != string(gateway.ErrorBody(gateway.MessageInternalError)) {
		t.Errorf("body = %q, want %s", got, gateway.ErrorBody(gateway.MessageInternalError))
	}
	if got := str(m.one(t, "aws:apigateway/integrationResponse:IntegrationResponse", "api-api-get-200").Inputs, "selectionPattern"); got != "" {
		t.Errorf("the 200 answer has selectionPattern %q, want none (the default)", got)
	}
}

// The bucket is private: no public access at all, only the site's
// distribution may read its objects, and nothing without TLS.
func TestBucketIsReadableOnlyByTheDistribution(t *testing.T) {
	m := deploy(t, nil, testConfig())
	bucket := m.one(t, "aws:s3/bucketV2:BucketV2", "site")
	block := m.one(t, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		if v := value(block.Inputs, k); !v.IsBool() || !v.BoolValue() {
			t.Errorf("public access block %s = %v, want true", k, v)
		}
	}
	if got := str(m.one(t, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "site").Inputs, "rule", "objectOwnership"); got != "BucketOwnerEnforced" {
		t.Errorf("object ownership = %q, want BucketOwnerEnforced (no ACLs)", got)
	}
	if v := value(bucket.Inputs, "forceDestroy"); !v.IsBool() || !v.BoolValue() {
		t.Error("forceDestroy is not set: destroy would fail on the page's files")
	}
	var policy struct {
		Statement []struct {
			Sid       string
			Effect    string
			Principal json.RawMessage
			Action    string
			Resource  json.RawMessage
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(str(m.one(t, "aws:s3/bucketPolicy:BucketPolicy", "site").Inputs, "policy")), &policy); err != nil {
		t.Fatal(err)
	}
	if len(policy.Statement) != 2 {
		t.Fatalf("bucket policy has %d statements, want 2: the distribution's read and the denial without TLS", len(policy.Statement))
	}
	bucketARN := str(bucket.State, "arn")
	dist := m.one(t, "aws:cloudfront/distribution:Distribution", "site")
	read := policy.Statement[0]
	if read.Effect != "Allow" || string(read.Principal) != `{"Service":"cloudfront.amazonaws.com"}` || read.Action != "s3:GetObject" ||
		string(read.Resource) != `"`+bucketARN+`/*"` || read.Condition["StringEquals"]["AWS:SourceArn"] != str(dist.State, "arn") {
		t.Errorf("bucket policy statement = %+v, want only distribution %s to get objects", read, str(dist.State, "arn"))
	}
	// An attacker on the path between a client and S3 must not see or
	// change the bucket: any request without TLS is denied, whoever makes
	// it and whatever it does, on the bucket and on every object.
	deny := policy.Statement[1]
	if deny.Effect != "Deny" || string(deny.Principal) != `"*"` || deny.Action != "s3:*" ||
		string(deny.Resource) != `["`+bucketARN+`","`+bucketARN+`/*"]` || deny.Condition["Bool"]["aws:SecureTransport"] != "false" {
		t.Errorf("bucket policy statement = %+v, want every request without TLS denied on the bucket and its objects", deny)
	}
	for _, o := range m.all("aws:s3/bucketObjectv2:BucketObjectv2") {
		if acl := str(o.Inputs, "acl"); acl != "" {
			t.Errorf("%s has ACL %q", o.Name, acl)
		}
	}
}

// Google accepts only HTTPS origins: viewers are sent to HTTPS and the
// distribution signs its requests to the bucket.
func TestViewersAreOnHTTPS(t *testing.T) {
	m := deploy(t, nil, testConfig())
	dist := m.one(t, "aws:cloudfront/distribution:Distribution", "site")
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"defaultCacheBehavior", "viewerProtocolPolicy"}, "redirect-to-https"},
		{[]string{"defaultRootObject"}, "index.html"},
		{[]string{"defaultCacheBehavior", "responseHeadersPolicyId"}, "site-id"},
	} {
		if got := str(dist.Inputs, c.path...); got != c.want {
			t.Errorf("%s = %q, want %q", strings.Join(c.path, "."), got, c.want)
		}
	}
	if v := value(dist.Inputs, "defaultCacheBehavior", "compress"); !v.IsBool() || !v.BoolValue() {
		t.Error("compression is off")
	}
	if bucket := origin(t, dist, "bucket"); str(bucket, "originAccessControlId") != "site-id" {
		t.Errorf("bucket origin = %v, want the bucket through the origin access control", bucket)
	}
	oac := m.one(t, "aws:cloudfront/originAccessControl:OriginAccessControl", "site")
	if str(oac.Inputs, "signingBehavior") != "always" || str(oac.Inputs, "signingProtocol") != "sigv4" {
		t.Errorf("origin access control signs %q with %q, want always with sigv4", str(oac.Inputs, "signingBehavior"), str(oac.Inputs, "signingProtocol"))
	}
}

// The origin access control and the response headers policy are
// account-wide whatever the region: a fixed name would make a second stack of
// the same name in the account (another person's local backend, another
// region) fail to deploy, so their names are left to Pulumi, which adds a
// random suffix.
func TestAccountWideCloudFrontResourcesAreAutoNamed(t *testing.T) {
	m := deploy(t, nil, testConfig())
	for _, typ := range []string{
		"aws:cloudfront/originAccessControl:OriginAccessControl",
		"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
	} {
		t.Run(typ, func(t *testing.T) {
			if name := str(m.one(t, typ, "site").Inputs, "name"); name != "" {
				t.Errorf("name = %q, want none: Pulumi names it uniquely", name)
			}
		})
	}
}

// The page's security headers: a CSP allowing Google Identity Services and
// its own origin (where the API is) and nothing inline, HSTS, nosniff, no framing, a referrer policy
// and the opener policy Google's popup needs.
func TestSecurityHeaders(t *testing.T) {
	m := deploy(t, nil, testConfig())
	p := m.one(t, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site").Inputs
	csp := str(p, "securityHeadersConfig", "contentSecurityPolicy", "contentSecurityPolicy")
	want, err := site.Config{ClientID: testClientID}.ContentSecurityPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if csp != want {
		t.Errorf("CSP = %q, want %q", csp, want)
	}
	directives := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		directives[f[0]] = f[1:]
	}
	for _, c := range []struct{ directive, source string }{
		{"script-src", "https://accounts.google.com/gsi/client"},
		{"style-src", "https://accounts.google.com/gsi/style"},
		{"frame-src", "https://accounts.google.com/gsi/"},
		{"connect-src", "https://accounts.google.com/gsi/"},
		{"connect-src", "'self'"},
		{"img-src", "https://*.googleusercontent.com"},
		{"default-src", "'self'"},
		{"frame-ancestors", "'none'"},
	} {
		if !slices.Contains(directives[c.directive], c.source) {
			t.Errorf("%s %v lacks %s", c.directive, directives[c.directive], c.source)
		}
	}
	for _, unsafe := range []string{"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"} {
		for d, sources := range directives {
			if slices.Contains(sources, unsafe) {
				t.Errorf("%s allows %s", d, unsafe)
			}
		}
	}
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"securityHeadersConfig", "frameOptions", "frameOption"}, "DENY"},
		{[]string{"securityHeadersConfig", "referrerPolicy", "referrerPolicy"}, "strict-origin-when-cross-origin"},
	} {
		if got := str(p, c.path...); got != c.want {
			t.Errorf("%s = %q, want %q", strings.Join(c.path, "."), got, c.want)
		}
	}
	if v := value(p, "securityHeadersConfig", "strictTransportSecurity", "accessControlMaxAgeSec"); !v.IsNumber() || v.NumberValue() < 31536000 {
		t.Errorf("HSTS max-age = %v, want at least a year", v)
	}
	if v := value(p, "securityHeadersConfig", "contentTypeOptions", "override"); !v.IsBool() || !v.BoolValue() {
		t.Error("X-Content-Type-Options: nosniff is not set")
	}
	items := value(p, "customHeadersConfig", "items").ArrayValue()
	if len(items) != 1 || str(items[0].ObjectValue(), "header") != "Cross-Origin-Opener-Policy" || str(items[0].ObjectValue(), "value") != "same-origin-allow-popups" {
		t.Errorf("custom headers = %v, want Cross-Origin-Opener-Policy: same-origin-allow-popups", items)
	}
}

// The page's files are uploaded as site.Build renders them for the stack's
// client, with their content types and caching: the document revalidated
// on every use, everything else content-hashed and kept a year.
func TestSiteFiles(t *testing.T) {
	m := deploy(t, nil, testConfig())
	objects := map[string]registered{}
	for _, o := range m.all("aws:s3/bucketObjectv2:BucketObjectv2") {
		objects[str(o.Inputs, "key")] = o
	}
	files, err := site.Build(site.Config{ClientID: testClientID})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		o, ok := objects[f.Name]
		if !ok {
			t.Errorf("%s is not uploaded", f.Name)
			continue
		}
		for field, want := range map[string]string{"contentType": f.ContentType, "cacheControl": f.CacheControl} {
			if got := str(o.Inputs, field); got != want {
				t.Errorf("%s: %s = %q, want %q", f.Name, field, got, want)
			}
		}
		if got, err := base64.StdEncoding.DecodeString(str(o.Inputs, "contentBase64")); err != nil || !bytes.Equal(got, f.Body) {
			t.Errorf("%s: uploaded %d bytes (%v), want the %d bytes site.Build renders", f.Name, len(got), err, len(f.Body))
		}
	}
	if len(objects) != len(files) {
		t.Errorf("uploaded %d objects, want %d", len(objects), len(files))
	}
}

// The stage is named after the stack and throttled as configured.
func TestStageIsThrottled(t *testing.T) {
	cfg := testConfig()
	cfg["signin:throttleRateLimit"] = "2.5"
	cfg["signin:throttleBurstLimit"] = "7"
	m := deploy(t, nil, cfg)
	stage := m.one(t, "aws:apigateway/stage:Stage", "api")
	if got := str(stage.Inputs, "stageName"); got != testStack {
		t.Errorf("stage name = %q, want the stack's %q", got, testStack)
	}
	if got := str(stage.Inputs, "deployment"); got != "api-id" {
		t.Errorf("stage serves deployment %q, want api-id", got)
	}
	s := m.one(t, "aws:apigateway/methodSettings:MethodSettings", "api")
	if got := str(s.Inputs, "methodPath"); got != "*/*" {
		t.Errorf("methodPath = %q, want */*", got)
	}
	for k, want := range map[string]float64{"throttlingRateLimit": 2.5, "throttlingBurstLimit": 7} {
		if v := value(s.Inputs, "settings", k); !v.IsNumber() || v.NumberValue() != want {
			t.Errorf("%s = %v, want %g", k, v, want)
		}
	}
}

// The API's origin, which the page's CSP names, comes from the REST API's
// execution ARN; an ARN of another shape stops the program rather than
// deploying a policy with a wrong origin.
func TestUnexpectedExecutionARNStopsTheProgram(t *testing.T) {
	m := &mocks{alter: func(typ, _ string, state resource.PropertyMap) {
		if typ == "aws:apigateway/restApi:RestApi" {
			state["executionArn"] = resource.NewProperty("arn:aws:lambda:" + region + ":" + account + ":" + restAPIID)
		}
	}}
	err := run(m, testConfig())
	if err == nil || !strings.Contains(err.Error(), "unexpected execution ARN") {
		t.Errorf("got %v, want an error about the unexpected execution ARN", err)
	}
}

// outputsOf runs the program with cfg and returns its stack outputs.
func outputsOf(t *testing.T, cfg map[string]string) map[string]string {
	t.Helper()
	got := map[string]string{}
	var mu sync.Mutex
	// RunErr waits for the resources' outputs, not for applies on an output
	// known from the start, such as a custom domain's address: each apply
	// says when it has run.
	var applied sync.WaitGroup
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		outputs, err := program(ctx, gateway.Routes, buildOnceForTests)
		for name, value := range outputs {
			applied.Add(1)
			value.ApplyT(func(v string) string {
				defer applied.Done()
				mu.Lock()
				defer mu.Unlock()
				got[name] = v
				return v
			})
		}
		return err
	}, pulumi.WithMocks(testProject, testStack, &mocks{}), withConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { applied.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("some stack outputs never resolved")
	}
	mu.Lock()
	defer mu.Unlock()
	return maps.Clone(got)
}

// The stack outputs tell the user what to register at Google and open, and
// name what was created: every function of the route table among them,
// under the names the deploy command and users already know for the first
// two, and the dashboard's address. With custom domains, the site's and the
// API's addresses are on them; with the API's logs, the access log group.
func TestStackOutputs(t *testing.T) {
	for _, c := range []struct {
		name            string
		cfg             map[string]string
		siteURL, apiURL string
		accessLog       string
	}{
		{"default", testConfig(), siteOrigin + "/", apiURL, ""},
		{"every option", optionsConfig(), "https://app." + zoneName + "/", "https://api." + zoneName + "/api", "/aws/apigateway/signin-dev-access-0a1b2c3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := map[string]string{
				site.OutputSiteURL:        c.siteURL,
				site.OutputAPIURL:         c.apiURL,
				site.OutputBucketName:     "signin-site-0a1b2c3",
				site.OutputDistributionID: distributionID,
				"authorizerFunctionName":  "authorizer-0a1b2c3",
				"helloFunctionName":       "hello-0a1b2c3",
				site.OutputAlarmTopicARN:  "arn:aws:sns:" + region + ":" + account + ":alarms-0a1b2c3",
				site.OutputDashboardURL:   "https://" + region + ".console.aws.amazon.com/cloudwatch/home?region=" + region + "#dashboards/dashboard/signin-dev-" + region,
			}
			if c.accessLog != "" {
				want[site.OutputAccessLogGroup] = c.accessLog
			}
			for _, fn := range gateway.Routes.Functions() {
				want[site.FunctionNameOutput(fn)] = fn + "-0a1b2c3"
			}
			if got := outputsOf(t, c.cfg); !maps.Equal(got, want) {
				t.Errorf("outputs = %v, want %v", got, want)
			}
		})
	}
}

// origin returns the distribution's origin id.
func origin(t *testing.T, dist registered, id string) resource.PropertyMap {
	t.Helper()
	for _, o := range value(dist.Inputs, "origins").ArrayValue() {
		if str(o.ObjectValue(), "originId") == id {
			return o.ObjectValue()
		}
	}
	t.Fatalf("the distribution has no origin %q", id)
	return nil
}

// Pitfalls 19 and 20: the site's /api and /api/* go to the API's regional
// domain, over HTTPS only, never cached, with every viewer header but Host
// (so Authorization reaches the API, and API Gateway, which answers 403 to
// a Host not its own, sees its own name); and no custom error response
// turns an API 403 or 404 into the page.
func TestTheAPIIsOnTheSiteOrigin(t *testing.T) {
	for _, c := range []struct {
		name             string
		cfg              map[string]string
		host, originPath string
	}{
		{"execute-api", testConfig(), strings.TrimPrefix(apiOrigin, "https://"), "/" + testStack},
		{"custom domain", optionsConfig(), "api." + zoneName, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dist := deploy(t, nil, c.cfg).one(t, "aws:cloudfront/distribution:Distribution", "site")
			api := origin(t, dist, "api")
			if got := str(api, "domainName"); got != c.host {
				t.Errorf("API origin domainName = %q, want %q", got, c.host)
			}
			if got := str(api, "originPath"); got != c.originPath {
				t.Errorf("API origin originPath = %q, want %q", got, c.originPath)
			}
			if got := str(api, "customOriginConfig", "originProtocolPolicy"); got != "https-only" {
				t.Errorf("API origin protocol policy = %q, want https-only: the token must not cross the network in the clear", got)
			}
			if got := value(api, "customOriginConfig", "originSslProtocols"); !got.IsArray() || len(got.ArrayValue()) != 1 || got.ArrayValue()[0].StringValue() != "TLSv1.2" {
				t.Errorf("API origin TLS versions = %v, want TLSv1.2 only", got)
			}
			if v := value(dist.Inputs, "customErrorResponses"); v.IsArray() && len(v.ArrayValue()) > 0 {
				t.Errorf("custom error responses %v apply to the API's behaviours too: an API 403 or 404 would become the page", v)
			}
			behaviours := value(dist.Inputs, "orderedCacheBehaviors").ArrayValue()
			var patterns []string
			for _, b := range behaviours {
				b := b.ObjectValue()
				patterns = append(patterns, str(b, "pathPattern"))
				for _, want := range []struct{ field, value, why string }{
					{"targetOriginId", "api", "the API"},
					{"cachePolicyId", "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled: no API answer is cached, and Authorization may be forwarded"},
					{"originRequestPolicyId", "b689b0a8-53d0-40ab-baf2-68738e2966ac", "AllViewerExceptHostHeader: Authorization reaches the API, Host does not"},
					{"viewerProtocolPolicy", "https-only", "no token over plain HTTP"},
				} {
					if got := str(b, want.field); got != want.value {
						t.Errorf("%s: %s = %q, want %q (%s)", str(b, "pathPattern"), want.field, got, want.value, want.why)
					}
				}
				if got, want := stringList(value(b, "allowedMethods")), cloudFrontMethods(gateway.Routes.Methods()); !slices.Equal(got, want) {
					t.Errorf("%s: allowedMethods = %v, want %v, CloudFront's smallest set that holds the route table's methods %v", str(b, "pathPattern"), got, want, gateway.Routes.Methods())
				}
				for _, unwanted := range []string{"forwardedValues", "defaultTtl", "maxTtl", "minTtl"} {
					if v := value(b, unwanted); !v.IsNull() {
						t.Errorf("%s: %s = %v, want none beside the cache policy", str(b, "pathPattern"), unwanted, v)
					}
				}
			}
			if want := []string{gateway.Prefix, gateway.Prefix + "/*"}; !slices.Equal(patterns, want) {
				t.Errorf("API behaviours = %v, want %v", patterns, want)
			}
		})
	}
}

// cloudFrontMethods returns the smallest of the sets of methods CloudFront
// lets a cache behaviour allow that holds methods.
func cloudFrontMethods(methods []string) []string {
	for _, set := range [][]string{
		{"GET", "HEAD"},
		{"GET", "HEAD", "OPTIONS"},
	} {
		if !slices.ContainsFunc(methods, func(m string) bool { return !slices.Contains(set, m) }) {
			return set
		}
	}
	return []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}
}

// stringList returns the strings of the list v.
func stringList(v resource.PropertyValue) []string {
	var out []string
	if v.IsArray() {
		for _, e := range v.ArrayValue() {
			out = append(out, e.StringValue())
		}
	}
	return out
}
