package api

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
)

// errorSelectionPattern selects a Template route's function errors: any
// error message. A successful answer has none and takes the default 200.
const errorSelectionPattern = ".+"

// resources declares the API Gateway resource of every path of the route
// table and of its parents, under the REST API's root.
func (d *declarer) resources() error {
	d.ids = map[string]pulumi.StringOutput{"/": d.api.RestAPI.RootResourceId}
	for _, path := range d.args.Routes.Paths() {
		if err := d.resource(gateway.ResourcePath(path)); err != nil {
			return err
		}
	}
	return nil
}

// routes declares every route of the table behind its authorizer: the
// REQUEST authorizer for a route restricted to groups, else the TOKEN one.
func (d *declarer) routes() error {
	for _, r := range d.args.Routes {
		fn, ok := d.args.Functions[r.Function]
		if !ok {
			return fmt.Errorf("route %s: no function %s declared", r, r.Function)
		}
		behind := d.api.authorizer
		if len(r.Groups) > 0 {
			behind = d.api.requestAuthorizer
		}
		if err := d.route(r, fn, behind); err != nil {
			return fmt.Errorf("route %s: %w", r, err)
		}
	}
	return nil
}

// preflights declares the CORS preflight of every path, which allows the
// site's origin the path's methods.
func (d *declarer) preflights() error {
	for _, path := range d.args.Routes.Paths() {
		headers := d.siteOrigin.ApplyT(func(origin string) map[string]string {
			return gateway.PreflightHeaders(origin, d.args.Routes.AllowedMethods(path))
		}).(pulumi.StringMapOutput)
		if err := d.preflight(gateway.ResourcePath(path), headers); err != nil {
			return fmt.Errorf("preflight of %s: %w", path, err)
		}
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
func (d *declarer) route(r gateway.Route, fn *lambda.Function, auth *apigateway.Authorizer) error {
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
		err = d.proxyIntegration(name, m, fn)
	case gateway.Template:
		err = d.templateIntegration(name, m, fn)
	default:
		err = fmt.Errorf("integration %q is not supported", r.Integration)
	}
	if err != nil {
		return err
	}
	if err := d.permission(name, fn, methodSourceARN(d.api.RestAPI.ExecutionArn, r.Method, r.ResourcePath())); err != nil {
		return fmt.Errorf("permission: %w", err)
	}
	return nil
}

// proxyIntegration declares the Lambda proxy integration of the method m
// with fn: the function answers status, headers and body itself, so there
// are no integration or method responses.
func (d *declarer) proxyIntegration(name string, m *apigateway.Method, fn *lambda.Function) error {
	_, err := d.integration(name, m, &apigateway.IntegrationArgs{
		Type:                  pulumi.String("AWS_PROXY"),
		IntegrationHttpMethod: pulumi.String("POST"),
		Uri:                   fn.InvokeArn,
	})
	return err
}

// templateIntegration declares the integration of the method m with fn
// through the mapping template, and its responses: 200 with the function's
// answer, 500 for any error of the function, both with the CORS headers.
func (d *declarer) templateIntegration(name string, m *apigateway.Method, fn *lambda.Function) error {
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
		ResponseParameters: quoted("method.response.header.", d.cors),
	}); err != nil {
		return err
	}
	return d.response(name, "500", headers, m, i, &apigateway.IntegrationResponseArgs{
		SelectionPattern:   pulumi.String(errorSelectionPattern),
		ResponseParameters: quoted("method.response.header.", d.cors),
		ResponseTemplates: pulumi.StringMap{
			"application/json": pulumi.String(string(gateway.ErrorBody(gateway.MessageInternalError))),
		},
	})
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
