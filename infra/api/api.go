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
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
)

// componentType is the Pulumi type token of the component.
const componentType = "signin:index:Api"

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
	args RouteArgs
	// siteOrigin is the page's origin, and cors the headers that let it
	// read an answer.
	siteOrigin pulumi.StringOutput
	cors       pulumi.StringMapOutput
	// config holds, for every resource, method, integration, response,
	// authorizer and gateway response, the properties a deployment
	// snapshots, and the route table.
	config []any
	// waitFor are the resources the deployment must wait for.
	waitFor []pulumi.Resource
	// names maps each resource name to the path it was derived from, so
	// two paths never share one.
	names map[string]string
	// ids maps each path declared so far to its resource's ID.
	ids map[string]pulumi.StringOutput
}

func (d *declarer) opts() pulumi.ResourceOption { return pulumi.Parent(d.api) }

// track makes the deployment follow resource's configuration.
func (d *declarer) track(res pulumi.Resource, config ...any) {
	d.waitFor = append(d.waitFor, res)
	d.config = append(d.config, pulumi.All(config...))
}

// declare declares what Route does, in order: each step's resources are
// followed by the deployment, which the stage serves.
func (d *declarer) declare(args RouteArgs) error {
	d.args = args
	d.siteOrigin = args.SiteOrigin.ToStringOutput()
	d.cors = d.siteOrigin.ApplyT(gateway.CORSHeaders).(pulumi.StringMapOutput)
	for _, declare := range []func() error{
		d.followSettings,
		d.tokenAuthorizer,
		d.requestAuthorizer,
		d.resources,
		d.routes,
		d.preflights,
		d.gatewayResponses,
		d.deployment,
		d.stage,
	} {
		if err := declare(); err != nil {
			return err
		}
	}
	return nil
}

// followSettings makes the deployment follow what API Gateway applies only
// when the API is deployed again, a change of the execute-api endpoint, and
// the route table.
func (d *declarer) followSettings() error {
	d.config = append(d.config, d.api.RestAPI.DisableExecuteApiEndpoint)
	table, err := json.Marshal(d.args.Routes)
	if err != nil {
		return fmt.Errorf("route table: %w", err)
	}
	d.config = append(d.config, string(table))
	return nil
}

// deployment declares the deployment, replaced whenever anything it
// follows changes.
func (d *declarer) deployment() error {
	var err error
	d.api.deployment, err = apigateway.NewDeployment(d.ctx, d.name, &apigateway.DeploymentArgs{
		RestApi:     d.api.RestAPI.ID(),
		Description: pulumi.String("Replaced whenever a route, resource, method, integration, response or the authorizer changes"),
		Triggers:    pulumi.StringMap{"configuration": fingerprint(d.config...)},
	}, d.opts(), pulumi.DependsOn(d.waitFor))
	if err != nil {
		return fmt.Errorf("deployment: %w", err)
	}
	return nil
}

// stage declares the stage, named after the stack, serving the deployment
// with tracing and the logs configured, and the throttling and execution
// logging of its methods.
func (d *declarer) stage() error {
	stage := &apigateway.StageArgs{
		RestApi:    d.api.RestAPI.ID(),
		Deployment: d.api.deployment.ID(),
		StageName:  pulumi.String(d.api.stageName),
		// Said either way, so that turning tracing off turns it off.
		XrayTracingEnabled: pulumi.Bool(d.args.Tracing),
	}
	settings := &apigateway.MethodSettingsSettingsArgs{
		ThrottlingRateLimit:  pulumi.Float64(d.args.ThrottleRateLimit),
		ThrottlingBurstLimit: pulumi.Int(d.args.ThrottleBurstLimit),
		// Said, not left out, so that turning the logs off turns them off.
		LoggingLevel: pulumi.String(loggingOff),
	}
	logging, err := d.logging(stage, settings)
	if err != nil {
		return err
	}
	d.api.Stage, err = apigateway.NewStage(d.ctx, d.name, stage, d.opts(), pulumi.DependsOn(logging))
	if err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	if _, err := apigateway.NewMethodSettings(d.ctx, d.name, &apigateway.MethodSettingsArgs{
		RestApi:    d.api.RestAPI.ID(),
		StageName:  d.api.Stage.StageName,
		MethodPath: pulumi.String("*/*"),
		Settings:   settings,
	}, d.opts(), pulumi.DependsOn(logging)); err != nil {
		return fmt.Errorf("method settings: %w", err)
	}
	return nil
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
