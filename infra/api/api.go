// Package api declares the REST API of the route table (gateway.Routes):
// a resource per path segment, every route's method behind an authorizer
// (the open routes behind the TOKEN authorizer, and, when some route is
// restricted to groups, those behind a REQUEST authorizer of the same
// function) with its integration (the mapping template or Lambda proxy), a
// CORS preflight per resource, API Gateway's own errors made readable by the
// page, the invoke permission of every function with its exact source ARN,
// a deployment that follows every change, the table's included, and, as
// options, the stage's access and execution logs and X-Ray tracing.
//
// Every setting of the API comes from package signin/functions/gateway, the
// same definition the local stack emulates.
//
// The API is declared in two steps because the site and the API each need
// the other's origin: New declares the REST API, whose origin the site's
// Content-Security-Policy names; Route declares the rest once the site's
// origin is known.
package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
)

// componentType is the Pulumi type token of the component.
const componentType = "signin:index:Api"

// errorSelectionPattern selects a Template route's function errors: any
// error message. A successful answer has none and takes the default 200.
const errorSelectionPattern = ".+"

// Gateway is the REST API in front of the functions.
type Gateway struct {
	pulumi.ResourceState

	// RestAPI is the REST API.
	RestAPI *apigateway.RestApi
	// origin is the API's origin, such as
	// https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com: what the
	// page's Content-Security-Policy allows it to call.
	origin pulumi.StringOutput
	// URL is the API's own address: the stage's gateway.Prefix, which the
	// routes' paths follow, such as
	// https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/dev/api.
	URL pulumi.StringOutput
	// Region is the API's region, as its execution ARN names it.
	Region pulumi.StringOutput
	// Host is the execute-api domain name, the origin CloudFront forwards
	// the site's gateway.Prefix to, and OriginPath the stage's path on it.
	Host       pulumi.StringOutput
	OriginPath string
	// stageName is the name of the stage: the stack's name.
	stageName string

	// Set by Route.

	// authorizer is the TOKEN authorizer.
	authorizer *apigateway.Authorizer
	// requestAuthorizer is the REQUEST authorizer of the routes restricted
	// to groups, nil when no route is.
	requestAuthorizer *apigateway.Authorizer
	// deployment is the deployment the stage serves.
	deployment *apigateway.Deployment
	// Stage serves the API at URL.
	Stage *apigateway.Stage
	// AccessLog is the stage's access log group, nil unless logging is on.
	AccessLog *cloudwatch.LogGroup
}

// Args configure the REST API.
type Args struct {
	// DisableExecuteAPIEndpoint turns off the default execute-api address,
	// leaving a custom domain (NewDomain) as the only way in.
	DisableExecuteAPIEndpoint bool
}

// New declares the component and its REST API. The stage is named after the
// stack.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Gateway, error) {
	a := &Gateway{stageName: ctx.Stack()}
	if err := ctx.RegisterComponentResource(componentType, name, a, opts...); err != nil {
		return nil, fmt.Errorf("api %s: %w", name, err)
	}
	var err error
	a.RestAPI, err = apigateway.NewRestApi(ctx, name, &apigateway.RestApiArgs{
		Description: pulumi.String("Greets users signed in with Google (" + ctx.Project() + "/" + ctx.Stack() + ")"),
		EndpointConfiguration: &apigateway.RestApiEndpointConfigurationArgs{
			Types: pulumi.String("REGIONAL"),
		},
		DisableExecuteApiEndpoint: pulumi.Bool(args.DisableExecuteAPIEndpoint),
	}, pulumi.Parent(a))
	if err != nil {
		return nil, fmt.Errorf("api %s: rest api: %w", name, err)
	}
	a.origin = pulumi.All(a.RestAPI.ID(), a.RestAPI.ExecutionArn).ApplyT(func(v []any) (string, error) {
		return origin(string(v[0].(pulumi.ID)), v[1].(string))
	}).(pulumi.StringOutput)
	a.URL = pulumi.Sprintf("%s/%s%s", a.origin, a.stageName, gateway.Prefix)
	a.Region = a.RestAPI.ExecutionArn.ApplyT(region).(pulumi.StringOutput)
	a.Host = a.origin.ApplyT(func(o string) string { return strings.TrimPrefix(o, "https://") }).(pulumi.StringOutput)
	a.OriginPath = "/" + a.stageName
	return a, nil
}

// origin returns the invoke origin of the REST API id, whose execution ARN
// (arn:aws:execute-api:<region>:<account>:<id>) names its region.
func origin(id, executionARN string) (string, error) {
	r, err := region(executionARN)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", id, r), nil
}

// region returns the region an execution ARN names.
func region(executionARN string) (string, error) {
	parts := strings.Split(executionARN, ":")
	if len(parts) != 6 || parts[2] != "execute-api" || parts[3] == "" {
		return "", fmt.Errorf("api: unexpected execution ARN %q", executionARN)
	}
	return parts[3], nil
}

// RouteArgs configure what the API serves.
type RouteArgs struct {
	// SiteOrigin is the page's exact origin, the only one CORS allows.
	SiteOrigin pulumi.StringInput
	// Routes is the route table; it must be valid (gateway.Table.Validate).
	Routes gateway.Table
	// Authorizer is the function of the authorizers, TOKEN and REQUEST.
	Authorizer *lambda.Function
	// Functions holds the function of every route, by name.
	Functions map[string]*lambda.Function
	// AuthorizerCacheTTL is how many seconds an authorizer's answer is
	// cached for the same identity-source values: a token, or a token and
	// a route.
	AuthorizerCacheTTL int
	// ThrottleRateLimit is the steady rate of requests per second.
	ThrottleRateLimit float64
	// ThrottleBurstLimit is the burst of requests.
	ThrottleBurstLimit int
	// Logging, if set, turns on the stage's access log and execution
	// logging.
	Logging *Logging
	// Tracing turns on X-Ray tracing of the stage.
	Tracing bool
}

// Route declares the authorizers, the resources (under gateway.Prefix),
// methods, integrations and responses of args.Routes, the preflights, the gateway responses, the
// functions' invoke permissions, the deployment and the throttled stage.
func (a *Gateway) Route(ctx *pulumi.Context, name string, args RouteArgs) error {
	d := &declarer{ctx: ctx, api: a, name: name, names: map[string]string{}}
	if err := d.declare(args); err != nil {
		return fmt.Errorf("api %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{
		"url":    a.URL,
		"origin": a.origin,
	}); err != nil {
		return fmt.Errorf("api %s: %w", name, err)
	}
	return nil
}

// declarer declares the resources of Route and keeps what the deployment
// must follow.
type declarer struct {
	ctx  *pulumi.Context
	api  *Gateway
	name string
	// config holds, for every resource, method, integration, response,
	// authorizer and gateway response, the properties a deployment
	// snapshots, and the route table.
	config []any
	// resources are the resources the deployment must wait for.
	resources []pulumi.Resource
	// names maps each resource name to the path it was derived from, so
	// two paths never share one.
	names map[string]string
	// ids maps each path declared so far to its resource's ID.
	ids map[string]pulumi.StringOutput
}

func (d *declarer) opts() pulumi.ResourceOption { return pulumi.Parent(d.api) }

// track makes the deployment follow resource's configuration.
func (d *declarer) track(res pulumi.Resource, config ...any) {
	d.resources = append(d.resources, res)
	d.config = append(d.config, pulumi.All(config...))
}

func (d *declarer) declare(args RouteArgs) error {
	ctx, rest := d.ctx, d.api.RestAPI
	siteOrigin := args.SiteOrigin.ToStringOutput()
	cors := siteOrigin.ApplyT(gateway.CORSHeaders).(pulumi.StringMapOutput)
	// API Gateway applies a change of the execute-api endpoint only when
	// the API is deployed again.
	d.config = append(d.config, rest.DisableExecuteApiEndpoint)
	table, err := json.Marshal(args.Routes)
	if err != nil {
		return fmt.Errorf("route table: %w", err)
	}
	d.config = append(d.config, string(table))

	auth, err := apigateway.NewAuthorizer(ctx, d.name, &apigateway.AuthorizerArgs{
		RestApi:                      rest.ID(),
		Type:                         pulumi.String(gateway.TokenAuthorizer),
		AuthorizerUri:                args.Authorizer.InvokeArn,
		IdentitySource:               pulumi.String(gateway.IdentitySource),
		IdentityValidationExpression: pulumi.String(gateway.TokenPattern),
		AuthorizerResultTtlInSeconds: pulumi.Int(args.AuthorizerCacheTTL),
	}, d.opts())
	if err != nil {
		return fmt.Errorf("authorizer: %w", err)
	}
	d.api.authorizer = auth
	d.track(auth, auth.Type, auth.AuthorizerUri, auth.IdentitySource, auth.IdentityValidationExpression, auth.AuthorizerResultTtlInSeconds)
	if err := d.permission(d.name+"-"+gateway.AuthorizerFunction, args.Authorizer, authorizerSourceARN(rest.ExecutionArn, auth.ID())); err != nil {
		return fmt.Errorf("authorizer permission: %w", err)
	}
	if slices.Contains(args.Routes.Authorizers(), gateway.RequestAuthorizer) {
		// The routes restricted to groups: decided on the route API
		// Gateway matched, cached per token and route.
		name := d.name + "-" + strings.ToLower(gateway.RequestAuthorizer)
		req, err := apigateway.NewAuthorizer(ctx, name, &apigateway.AuthorizerArgs{
			RestApi:                      rest.ID(),
			Type:                         pulumi.String(gateway.RequestAuthorizer),
			AuthorizerUri:                args.Authorizer.InvokeArn,
			IdentitySource:               pulumi.String(strings.Join(gateway.RequestIdentitySources, ",")),
			AuthorizerResultTtlInSeconds: pulumi.Int(args.AuthorizerCacheTTL),
		}, d.opts())
		if err != nil {
			return fmt.Errorf("request authorizer: %w", err)
		}
		d.api.requestAuthorizer = req
		d.track(req, req.Type, req.AuthorizerUri, req.IdentitySource, req.AuthorizerResultTtlInSeconds)
		if err := d.permission(name+"-"+gateway.AuthorizerFunction, args.Authorizer, authorizerSourceARN(rest.ExecutionArn, req.ID())); err != nil {
			return fmt.Errorf("request authorizer permission: %w", err)
		}
	}

	d.ids = map[string]pulumi.StringOutput{"/": rest.RootResourceId}
	for _, path := range args.Routes.Paths() {
		if err := d.resource(gateway.ResourcePath(path)); err != nil {
			return err
		}
	}
	for _, r := range args.Routes {
		fn, ok := args.Functions[r.Function]
		if !ok {
			return fmt.Errorf("route %s: no function %s declared", r, r.Function)
		}
		behind := d.api.authorizer
		if len(r.Groups) > 0 {
			behind = d.api.requestAuthorizer
		}
		if err := d.route(r, fn, behind, cors); err != nil {
			return fmt.Errorf("route %s: %w", r, err)
		}
	}
	for _, path := range args.Routes.Paths() {
		if err := d.preflight(gateway.ResourcePath(path), siteOrigin.ApplyT(func(origin string) map[string]string {
			return gateway.PreflightHeaders(origin, args.Routes.AllowedMethods(path))
		}).(pulumi.StringMapOutput)); err != nil {
			return fmt.Errorf("preflight of %s: %w", path, err)
		}
	}

	for _, t := range gateway.ErrorResponseTypes {
		res, err := apigateway.NewResponse(ctx, d.name+"-"+strings.ToLower(t), &apigateway.ResponseArgs{
			RestApiId:          rest.ID(),
			ResponseType:       pulumi.String(t),
			ResponseParameters: quoted("gatewayresponse.header.", cors),
			ResponseTemplates:  pulumi.StringMap{"application/json": pulumi.String(gateway.ErrorTemplate)},
		}, d.opts())
		if err != nil {
			return fmt.Errorf("gateway response %s: %w", t, err)
		}
		d.track(res, res.ResponseType, res.StatusCode, res.ResponseParameters, res.ResponseTemplates)
	}

	d.api.deployment, err = apigateway.NewDeployment(ctx, d.name, &apigateway.DeploymentArgs{
		RestApi:     rest.ID(),
		Description: pulumi.String("Replaced whenever a route, resource, method, integration, response or the authorizer changes"),
		Triggers:    pulumi.StringMap{"configuration": fingerprint(d.config...)},
	}, d.opts(), pulumi.DependsOn(d.resources))
	if err != nil {
		return fmt.Errorf("deployment: %w", err)
	}
	stage := &apigateway.StageArgs{
		RestApi:    rest.ID(),
		Deployment: d.api.deployment.ID(),
		StageName:  pulumi.String(d.api.stageName),
		// Said either way, so that turning tracing off turns it off.
		XrayTracingEnabled: pulumi.Bool(args.Tracing),
	}
	settings := &apigateway.MethodSettingsSettingsArgs{
		ThrottlingRateLimit:  pulumi.Float64(args.ThrottleRateLimit),
		ThrottlingBurstLimit: pulumi.Int(args.ThrottleBurstLimit),
		// Said, not left out, so that turning the logs off turns them off.
		LoggingLevel: pulumi.String(loggingOff),
	}
	var logging []pulumi.Resource
	if l := args.Logging; l != nil {
		access, execution, err := d.logGroups(l)
		if err != nil {
			return err
		}
		d.api.AccessLog = access
		stage.AccessLogSettings = accessLogSettings(access)
		// Request and response bodies and headers stay out of the logs:
		// they carry the callers' tokens.
		settings.LoggingLevel = pulumi.String(l.ExecutionLevel)
		settings.DataTraceEnabled = pulumi.Bool(false)
		logging = append(append(logging, l.After...), execution)
	}
	d.api.Stage, err = apigateway.NewStage(ctx, d.name, stage, d.opts(), pulumi.DependsOn(logging))
	if err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	if _, err := apigateway.NewMethodSettings(ctx, d.name, &apigateway.MethodSettingsArgs{
		RestApi:    rest.ID(),
		StageName:  d.api.Stage.StageName,
		MethodPath: pulumi.String("*/*"),
		Settings:   settings,
	}, d.opts(), pulumi.DependsOn(logging)); err != nil {
		return fmt.Errorf("method settings: %w", err)
	}
	return nil
}

// nameRun is what of a path is left out of the names derived from it.
var nameRun = regexp.MustCompile(`[^A-Za-z0-9{}._-]+`)

// resourceName returns the name of what is declared for a resource path,
// such as api-api (for /api), api-api-me or api-api-orders-{id}, and refuses a name another path
// already took (as /a-b and /a/b would).
func (d *declarer) resourceName(path string) (string, error) {
	name := strings.TrimSuffix(d.name+"-"+nameRun.ReplaceAllString(strings.TrimPrefix(path, "/"), "-"), "-")
	if other, ok := d.names[name]; ok && other != path {
		return "", fmt.Errorf("the paths %s and %s would share the resource name %s: rename one", other, path, name)
	}
	d.names[name] = path
	return name, nil
}

// resource declares the API Gateway resource of path and of each of its
// parents not declared yet.
func (d *declarer) resource(path string) error {
	if _, ok := d.ids[path]; ok {
		return nil
	}
	segments := gateway.Segments(path)
	parent := "/" + strings.Join(segments[:len(segments)-1], "/")
	if err := d.resource(parent); err != nil {
		return err
	}
	name, err := d.resourceName(path)
	if err != nil {
		return err
	}
	res, err := apigateway.NewResource(d.ctx, name, &apigateway.ResourceArgs{
		RestApi:  d.api.RestAPI.ID(),
		ParentId: d.ids[parent],
		PathPart: pulumi.String(segments[len(segments)-1]),
	}, d.opts())
	if err != nil {
		return fmt.Errorf("resource %s: %w", path, err)
	}
	d.track(res, res.ParentId, res.PathPart)
	d.ids[path] = res.ID().ToStringOutput()
	return nil
}

// route declares the method of r behind the authorizer auth, its integration
// with fn by r's kind, and fn's permission to be invoked for it.
func (d *declarer) route(r gateway.Route, fn *lambda.Function, auth *apigateway.Authorizer, cors pulumi.StringMapOutput) error {
	base, err := d.resourceName(r.ResourcePath())
	if err != nil {
		return err
	}
	name := base + "-" + strings.ToLower(r.Method)
	m, err := d.method(name, r.ResourcePath(), r.Method, &apigateway.MethodArgs{
		Authorization: pulumi.String("CUSTOM"),
		AuthorizerId:  auth.ID(),
	})
	if err != nil {
		return err
	}
	switch r.Integration {
	case gateway.Proxy:
		// The function answers status, headers and body itself: no
		// integration or method responses.
		if _, err := d.integration(name, m, &apigateway.IntegrationArgs{
			Type:                  pulumi.String("AWS_PROXY"),
			IntegrationHttpMethod: pulumi.String("POST"),
			Uri:                   fn.InvokeArn,
		}); err != nil {
			return err
		}
	case gateway.Template:
		i, err := d.integration(name, m, &apigateway.IntegrationArgs{
			Type:                  pulumi.String("AWS"),
			IntegrationHttpMethod: pulumi.String("POST"),
			Uri:                   fn.InvokeArn,
			PassthroughBehavior:   pulumi.String("NEVER"),
			RequestTemplates:      pulumi.StringMap{"application/json": pulumi.String(gateway.RequestTemplate)},
		})
		if err != nil {
			return err
		}
		headers := slices.Sorted(maps.Keys(gateway.CORSHeaders("")))
		if err := d.response(name, "200", headers, m, i, &apigateway.IntegrationResponseArgs{
			ResponseParameters: quoted("method.response.header.", cors),
		}); err != nil {
			return err
		}
		if err := d.response(name, "500", headers, m, i, &apigateway.IntegrationResponseArgs{
			SelectionPattern:   pulumi.String(errorSelectionPattern),
			ResponseParameters: quoted("method.response.header.", cors),
			ResponseTemplates: pulumi.StringMap{
				"application/json": pulumi.String(string(gateway.ErrorBody(gateway.MessageInternalError))),
			},
		}); err != nil {
			return err
		}
	default:
		return fmt.Errorf("integration %q is not supported", r.Integration)
	}
	if err := d.permission(name, fn, methodSourceARN(d.api.RestAPI.ExecutionArn, r.Method, r.ResourcePath())); err != nil {
		return fmt.Errorf("permission: %w", err)
	}
	return nil
}

// permission lets API Gateway invoke fn from sourceARN only.
func (d *declarer) permission(name string, fn *lambda.Function, sourceARN pulumi.StringOutput) error {
	_, err := lambda.NewPermission(d.ctx, name, &lambda.PermissionArgs{
		Function:  fn.Name,
		Action:    pulumi.String("lambda:InvokeFunction"),
		Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: sourceARN,
	}, d.opts())
	return err
}

// preflight declares the OPTIONS method of path: a MOCK integration that
// answers 200 with headers, without a token.
func (d *declarer) preflight(path string, headers pulumi.StringMapOutput) error {
	base, err := d.resourceName(path)
	if err != nil {
		return err
	}
	name := base + "-options"
	options, err := d.method(name, path, "OPTIONS", &apigateway.MethodArgs{Authorization: pulumi.String("NONE")})
	if err != nil {
		return err
	}
	mock, err := d.integration(name, options, &apigateway.IntegrationArgs{
		Type:             pulumi.String("MOCK"),
		RequestTemplates: pulumi.StringMap{"application/json": pulumi.String(`{"statusCode": 200}`)},
	})
	if err != nil {
		return err
	}
	return d.response(name, "200", slices.Sorted(maps.Keys(gateway.PreflightHeaders("", ""))), options, mock, &apigateway.IntegrationResponseArgs{
		ResponseParameters: quoted("method.response.header.", headers),
	})
}

// method declares the method verb of the resource of path.
func (d *declarer) method(name, path, verb string, args *apigateway.MethodArgs) (*apigateway.Method, error) {
	args.RestApi = d.api.RestAPI.ID()
	args.ResourceId = d.ids[path]
	args.HttpMethod = pulumi.String(verb)
	m, err := apigateway.NewMethod(d.ctx, name, args, d.opts())
	if err != nil {
		return nil, fmt.Errorf("method %s %s: %w", verb, path, err)
	}
	d.track(m, m.HttpMethod, m.ResourceId, m.Authorization, m.AuthorizerId)
	return m, nil
}

// integration declares the integration of the method m.
func (d *declarer) integration(name string, m *apigateway.Method, args *apigateway.IntegrationArgs) (*apigateway.Integration, error) {
	args.RestApi = d.api.RestAPI.ID()
	args.ResourceId = m.ResourceId
	args.HttpMethod = m.HttpMethod
	i, err := apigateway.NewIntegration(d.ctx, name, args, d.opts())
	if err != nil {
		return nil, fmt.Errorf("integration %s: %w", name, err)
	}
	d.track(i, i.HttpMethod, i.Type, i.IntegrationHttpMethod, i.Uri, i.PassthroughBehavior, i.RequestTemplates)
	return i, nil
}

// response declares the method response status of m, named after the
// method's name, with headers, and the integration response that fills it.
func (d *declarer) response(method, status string, headers []string, m *apigateway.Method, i *apigateway.Integration, args *apigateway.IntegrationResponseArgs) error {
	declared := pulumi.BoolMap{}
	for _, h := range headers {
		declared["method.response.header."+h] = pulumi.Bool(true)
	}
	name := method + "-" + status
	mr, err := apigateway.NewMethodResponse(d.ctx, name, &apigateway.MethodResponseArgs{
		RestApi:            d.api.RestAPI.ID(),
		ResourceId:         m.ResourceId,
		HttpMethod:         m.HttpMethod,
		StatusCode:         pulumi.String(status),
		ResponseModels:     pulumi.StringMap{"application/json": pulumi.String("Empty")},
		ResponseParameters: declared,
	}, d.opts())
	if err != nil {
		return fmt.Errorf("method response %s: %w", name, err)
	}
	d.track(mr, mr.HttpMethod, mr.StatusCode, mr.ResponseModels, mr.ResponseParameters)
	args.RestApi = d.api.RestAPI.ID()
	args.ResourceId = m.ResourceId
	args.HttpMethod = m.HttpMethod
	args.StatusCode = mr.StatusCode
	ir, err := apigateway.NewIntegrationResponse(d.ctx, name, args, d.opts(), pulumi.DependsOn([]pulumi.Resource{i}))
	if err != nil {
		return fmt.Errorf("integration response %s: %w", name, err)
	}
	d.track(ir, ir.HttpMethod, ir.StatusCode, ir.SelectionPattern, ir.ResponseParameters, ir.ResponseTemplates)
	return nil
}

// quoted maps each header to a response parameter named prefix+header whose
// value is the header's static value, quoted as API Gateway wants.
func quoted(prefix string, headers pulumi.StringMapOutput) pulumi.StringMapOutput {
	return headers.ApplyT(func(h map[string]string) map[string]string {
		params := make(map[string]string, len(h))
		for k, v := range h {
			params[prefix+k] = "'" + v + "'"
		}
		return params
	}).(pulumi.StringMapOutput)
}

// authorizerSourceARN is the source ARN through which API Gateway invokes
// the authorizer: <executionArn>/authorizers/<authorizerId>.
func authorizerSourceARN(executionARN pulumi.StringOutput, authorizerID pulumi.IDOutput) pulumi.StringOutput {
	return pulumi.Sprintf("%s/authorizers/%s", executionARN, authorizerID)
}

// methodSourceARN is the source ARN through which API Gateway invokes a
// route's integration: <executionArn>/*/<verb><resource path>, for any
// stage, each path parameter as *: <executionArn>/*/GET/api/orders/* for
// the resource /api/orders/{id}.
func methodSourceARN(executionARN pulumi.StringOutput, verb, path string) pulumi.StringOutput {
	segments := gateway.Segments(path)
	for i, s := range segments {
		if _, ok := gateway.IsParameter(s); ok {
			segments[i] = "*"
		}
	}
	return pulumi.Sprintf("%s/*/%s/%s", executionARN, verb, strings.Join(segments, "/"))
}

// fingerprint returns the hex SHA-256 of the JSON of the resolved values: a
// deployment trigger that changes when any of them does.
func fingerprint(values ...any) pulumi.StringOutput {
	return pulumi.All(values...).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("api: fingerprinting the configuration: %w", err)
		}
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:]), nil
	}).(pulumi.StringOutput)
}
