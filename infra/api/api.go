// Package api declares the greeting API: a REST API whose GET / runs the
// TOKEN authorizer and then the greeting function, with the CORS answers the
// page needs, API Gateway's own errors made readable by the page, the invoke
// permissions of both functions, and a deployment that follows every change.
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
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
)

// Type is the Pulumi type token of the component.
const Type = "signin:index:Api"

// ErrorSelectionPattern selects the greeting function's errors: any error
// message. A successful answer has none and takes the default 200.
const ErrorSelectionPattern = ".+"

// API is the REST API in front of the functions.
type API struct {
	pulumi.ResourceState

	// RestAPI is the REST API.
	RestAPI *apigateway.RestApi
	// Origin is the API's origin, such as
	// https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com: what the
	// page's Content-Security-Policy allows it to call.
	Origin pulumi.StringOutput
	// URL is the address of GET / on the stage the page calls.
	URL pulumi.StringOutput
	// StageName is the name of the stage: the stack's name.
	StageName string

	// Set by Route.

	// Authorizer is the TOKEN authorizer.
	Authorizer *apigateway.Authorizer
	// Deployment is the deployment the stage serves.
	Deployment *apigateway.Deployment
	// Stage serves the API at URL.
	Stage *apigateway.Stage
}

// Args configure the REST API.
type Args struct {
	// DisableExecuteAPIEndpoint turns off the default execute-api address,
	// leaving a custom domain (NewDomain) as the only way in.
	DisableExecuteAPIEndpoint bool
}

// New declares the component and its REST API. The stage is named after the
// stack.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*API, error) {
	a := &API{StageName: ctx.Stack()}
	if err := ctx.RegisterComponentResource(Type, name, a, opts...); err != nil {
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
	a.Origin = pulumi.All(a.RestAPI.ID(), a.RestAPI.ExecutionArn).ApplyT(func(v []any) (string, error) {
		return origin(string(v[0].(pulumi.ID)), v[1].(string))
	}).(pulumi.StringOutput)
	a.URL = pulumi.Sprintf("%s/%s/", a.Origin, a.StageName)
	return a, nil
}

// origin returns the invoke origin of the REST API id, whose execution ARN
// (arn:aws:execute-api:<region>:<account>:<id>) names its region.
func origin(id, executionARN string) (string, error) {
	parts := strings.Split(executionARN, ":")
	if len(parts) != 6 || parts[2] != "execute-api" || parts[3] == "" {
		return "", fmt.Errorf("api: unexpected execution ARN %q", executionARN)
	}
	return fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", id, parts[3]), nil
}

// Routes configure what the API does.
type Routes struct {
	// SiteOrigin is the page's exact origin, the only one CORS allows.
	SiteOrigin pulumi.StringInput
	// Authorizer is the TOKEN authorizer's function.
	Authorizer *lambda.Function
	// Greeting is the function GET / runs.
	Greeting *lambda.Function
	// AuthorizerCacheTTL is how many seconds an authorizer's answer is
	// cached for a token.
	AuthorizerCacheTTL int
	// ThrottleRateLimit is the steady rate of requests per second.
	ThrottleRateLimit float64
	// ThrottleBurstLimit is the burst of requests.
	ThrottleBurstLimit int
}

// Route declares the authorizer, the methods of / with their integrations
// and responses, the gateway responses, the functions' invoke permissions,
// the deployment and the throttled stage.
func (a *API) Route(ctx *pulumi.Context, name string, r Routes) error {
	d := &declarer{ctx: ctx, api: a, name: name}
	if err := d.declare(r); err != nil {
		return fmt.Errorf("api %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{
		"url":    a.URL,
		"origin": a.Origin,
	}); err != nil {
		return fmt.Errorf("api %s: %w", name, err)
	}
	return nil
}

// declarer declares the resources of Route and keeps what the deployment
// must follow.
type declarer struct {
	ctx  *pulumi.Context
	api  *API
	name string
	// config holds, for every method, integration, response, authorizer and
	// gateway response, the properties a deployment snapshots.
	config []any
	// resources are the resources the deployment must wait for.
	resources []pulumi.Resource
}

func (d *declarer) opts() pulumi.ResourceOption { return pulumi.Parent(d.api) }

// track makes the deployment follow resource's configuration.
func (d *declarer) track(res pulumi.Resource, config ...any) {
	d.resources = append(d.resources, res)
	d.config = append(d.config, pulumi.All(config...))
}

func (d *declarer) declare(r Routes) error {
	ctx, rest := d.ctx, d.api.RestAPI
	siteOrigin := r.SiteOrigin.ToStringOutput()
	cors := siteOrigin.ApplyT(gateway.CORSHeaders).(pulumi.StringMapOutput)
	preflight := siteOrigin.ApplyT(gateway.PreflightHeaders).(pulumi.StringMapOutput)
	// API Gateway applies a change of the execute-api endpoint only when
	// the API is deployed again.
	d.config = append(d.config, rest.DisableExecuteApiEndpoint)

	auth, err := apigateway.NewAuthorizer(ctx, d.name, &apigateway.AuthorizerArgs{
		RestApi:                      rest.ID(),
		Type:                         pulumi.String("TOKEN"),
		AuthorizerUri:                r.Authorizer.InvokeArn,
		IdentitySource:               pulumi.String(gateway.IdentitySource),
		IdentityValidationExpression: pulumi.String(gateway.TokenPattern),
		AuthorizerResultTtlInSeconds: pulumi.Int(r.AuthorizerCacheTTL),
	}, d.opts())
	if err != nil {
		return fmt.Errorf("authorizer: %w", err)
	}
	d.api.Authorizer = auth
	d.track(auth, auth.Type, auth.AuthorizerUri, auth.IdentitySource, auth.IdentityValidationExpression, auth.AuthorizerResultTtlInSeconds)

	get, err := d.method("GET", &apigateway.MethodArgs{
		Authorization: pulumi.String("CUSTOM"),
		AuthorizerId:  auth.ID(),
	})
	if err != nil {
		return err
	}
	greet, err := d.integration("GET", get, &apigateway.IntegrationArgs{
		Type:                  pulumi.String("AWS"),
		IntegrationHttpMethod: pulumi.String("POST"),
		Uri:                   r.Greeting.InvokeArn,
		PassthroughBehavior:   pulumi.String("NEVER"),
		RequestTemplates:      pulumi.StringMap{"application/json": pulumi.String(gateway.RequestTemplate)},
	})
	if err != nil {
		return err
	}
	headers := slices.Sorted(maps.Keys(gateway.CORSHeaders("")))
	if err := d.response("GET", "200", headers, get, greet, &apigateway.IntegrationResponseArgs{
		ResponseParameters: quoted("method.response.header.", cors),
	}); err != nil {
		return err
	}
	if err := d.response("GET", "500", headers, get, greet, &apigateway.IntegrationResponseArgs{
		SelectionPattern:   pulumi.String(ErrorSelectionPattern),
		ResponseParameters: quoted("method.response.header.", cors),
		ResponseTemplates: pulumi.StringMap{
			"application/json": pulumi.String(string(gateway.ErrorBody(gateway.MessageInternalError))),
		},
	}); err != nil {
		return err
	}

	options, err := d.method("OPTIONS", &apigateway.MethodArgs{Authorization: pulumi.String("NONE")})
	if err != nil {
		return err
	}
	mock, err := d.integration("OPTIONS", options, &apigateway.IntegrationArgs{
		Type:             pulumi.String("MOCK"),
		RequestTemplates: pulumi.StringMap{"application/json": pulumi.String(`{"statusCode": 200}`)},
	})
	if err != nil {
		return err
	}
	if err := d.response("OPTIONS", "200", slices.Sorted(maps.Keys(gateway.PreflightHeaders(""))), options, mock, &apigateway.IntegrationResponseArgs{
		ResponseParameters: quoted("method.response.header.", preflight),
	}); err != nil {
		return err
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

	if _, err := lambda.NewPermission(ctx, d.name+"-authorizer", &lambda.PermissionArgs{
		Function:  r.Authorizer.Name,
		Action:    pulumi.String("lambda:InvokeFunction"),
		Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: AuthorizerSourceARN(rest.ExecutionArn, auth.ID()),
	}, d.opts()); err != nil {
		return fmt.Errorf("authorizer permission: %w", err)
	}
	if _, err := lambda.NewPermission(ctx, d.name+"-greeting", &lambda.PermissionArgs{
		Function:  r.Greeting.Name,
		Action:    pulumi.String("lambda:InvokeFunction"),
		Principal: pulumi.String("apigateway.amazonaws.com"),
		SourceArn: MethodSourceARN(rest.ExecutionArn, "GET", "/"),
	}, d.opts()); err != nil {
		return fmt.Errorf("greeting permission: %w", err)
	}

	d.api.Deployment, err = apigateway.NewDeployment(ctx, d.name, &apigateway.DeploymentArgs{
		RestApi:     rest.ID(),
		Description: pulumi.String("Replaced whenever a method, integration, response or the authorizer changes"),
		Triggers:    pulumi.StringMap{"configuration": Fingerprint(d.config...)},
	}, d.opts(), pulumi.DependsOn(d.resources))
	if err != nil {
		return fmt.Errorf("deployment: %w", err)
	}
	d.api.Stage, err = apigateway.NewStage(ctx, d.name, &apigateway.StageArgs{
		RestApi:    rest.ID(),
		Deployment: d.api.Deployment.ID(),
		StageName:  pulumi.String(d.api.StageName),
	}, d.opts())
	if err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	if _, err := apigateway.NewMethodSettings(ctx, d.name, &apigateway.MethodSettingsArgs{
		RestApi:    rest.ID(),
		StageName:  d.api.Stage.StageName,
		MethodPath: pulumi.String("*/*"),
		Settings: &apigateway.MethodSettingsSettingsArgs{
			ThrottlingRateLimit:  pulumi.Float64(r.ThrottleRateLimit),
			ThrottlingBurstLimit: pulumi.Int(r.ThrottleBurstLimit),
		},
	}, d.opts()); err != nil {
		return fmt.Errorf("throttling: %w", err)
	}
	return nil
}

// method declares the method verb of the API's root resource.
func (d *declarer) method(verb string, args *apigateway.MethodArgs) (*apigateway.Method, error) {
	args.RestApi = d.api.RestAPI.ID()
	args.ResourceId = d.api.RestAPI.RootResourceId
	args.HttpMethod = pulumi.String(verb)
	m, err := apigateway.NewMethod(d.ctx, d.name+"-"+strings.ToLower(verb), args, d.opts())
	if err != nil {
		return nil, fmt.Errorf("method %s: %w", verb, err)
	}
	d.track(m, m.HttpMethod, m.ResourceId, m.Authorization, m.AuthorizerId)
	return m, nil
}

// integration declares the integration of the method verb.
func (d *declarer) integration(verb string, m *apigateway.Method, args *apigateway.IntegrationArgs) (*apigateway.Integration, error) {
	args.RestApi = d.api.RestAPI.ID()
	args.ResourceId = m.ResourceId
	args.HttpMethod = m.HttpMethod
	i, err := apigateway.NewIntegration(d.ctx, d.name+"-"+strings.ToLower(verb), args, d.opts())
	if err != nil {
		return nil, fmt.Errorf("integration %s: %w", verb, err)
	}
	d.track(i, i.HttpMethod, i.Type, i.IntegrationHttpMethod, i.Uri, i.PassthroughBehavior, i.RequestTemplates)
	return i, nil
}

// response declares the method response status of verb, with headers, and
// the integration response that fills it.
func (d *declarer) response(verb, status string, headers []string, m *apigateway.Method, i *apigateway.Integration, args *apigateway.IntegrationResponseArgs) error {
	declared := pulumi.BoolMap{}
	for _, h := range headers {
		declared["method.response.header."+h] = pulumi.Bool(true)
	}
	name := d.name + "-" + strings.ToLower(verb) + "-" + status
	mr, err := apigateway.NewMethodResponse(d.ctx, name, &apigateway.MethodResponseArgs{
		RestApi:            d.api.RestAPI.ID(),
		ResourceId:         m.ResourceId,
		HttpMethod:         m.HttpMethod,
		StatusCode:         pulumi.String(status),
		ResponseModels:     pulumi.StringMap{"application/json": pulumi.String("Empty")},
		ResponseParameters: declared,
	}, d.opts())
	if err != nil {
		return fmt.Errorf("method response %s %s: %w", verb, status, err)
	}
	d.track(mr, mr.HttpMethod, mr.StatusCode, mr.ResponseModels, mr.ResponseParameters)
	args.RestApi = d.api.RestAPI.ID()
	args.ResourceId = m.ResourceId
	args.HttpMethod = m.HttpMethod
	args.StatusCode = mr.StatusCode
	ir, err := apigateway.NewIntegrationResponse(d.ctx, name, args, d.opts(), pulumi.DependsOn([]pulumi.Resource{i}))
	if err != nil {
		return fmt.Errorf("integration response %s %s: %w", verb, status, err)
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

// AuthorizerSourceARN is the source ARN through which API Gateway invokes
// the authorizer: <executionArn>/authorizers/<authorizerId>.
func AuthorizerSourceARN(executionARN pulumi.StringOutput, authorizerID pulumi.IDOutput) pulumi.StringOutput {
	return pulumi.Sprintf("%s/authorizers/%s", executionARN, authorizerID)
}

// MethodSourceARN is the source ARN through which API Gateway invokes a
// method's integration: <executionArn>/*/<verb><path>, for any stage.
func MethodSourceARN(executionARN pulumi.StringOutput, verb, path string) pulumi.StringOutput {
	return pulumi.Sprintf("%s/*/%s%s", executionARN, verb, path)
}

// Fingerprint returns the hex SHA-256 of the JSON of the resolved values: a
// deployment trigger that changes when any of them does.
func Fingerprint(values ...any) pulumi.StringOutput {
	return pulumi.All(values...).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("api: fingerprinting the configuration: %w", err)
		}
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:]), nil
	}).(pulumi.StringOutput)
}
