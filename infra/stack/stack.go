// Package stack declares the whole signin system for one Pulumi stack: a
// function for the authorizer and for every route of the route table, the
// REST API serving the table behind the authorizer, the site that signs
// users in and calls the API, their own domain names when configured, and
// the alarms. It exports what a user needs next: the site's URL to register
// at Google and open, the API's URL, and the names of what was created.
package stack

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
	"signin/infra/alarms"
	"signin/infra/api"
	"signin/infra/config"
	"signin/infra/domain"
	"signin/infra/function"
	"signin/infra/limits"
	"signin/infra/web"
	"signin/site"
)

// Sources are what the stack deploys.
type Sources struct {
	// Routes is the validated route table.
	Routes gateway.Table
	// Code holds each function's archive, by function name.
	Code map[string]function.Code
}

// Check reports what of the route table alone AWS would refuse once
// declared: a function whose derived names are too long, or more resources
// than API Gateway's quota. (What it decides with the configuration,
// config.Settings.CheckRoutes checks.) The program runs it before it builds
// or declares anything.
func Check(routes gateway.Table) error {
	var errs []error
	for _, name := range routes.Functions() {
		if err := function.CheckName(name); err != nil {
			errs = append(errs, err)
		}
	}
	if err := limits.CheckResources(len(limits.Resources(routes))); err != nil {
		errs = append(errs, fmt.Errorf("the route table: %w", err))
	}
	return errors.Join(errs...)
}

// Outputs are the stack outputs, by name.
type Outputs map[string]pulumi.StringOutput

// Declare declares every resource of the stack for the validated
// configuration cfg, and exports and returns the stack outputs. The hosted
// zone of the custom domains is looked up, and checked to hold them, before
// anything is declared.
func Declare(ctx *pulumi.Context, cfg config.Settings, src Sources) (Outputs, error) {
	names := src.Routes.Functions()
	for _, name := range names {
		if src.Code[name].Path == "" {
			return nil, fmt.Errorf("stack: no archive for the %s function", name)
		}
	}
	var zone domain.Zone
	if cfg.SiteDomain != "" {
		var err error
		if zone, err = domain.LookupZone(ctx, cfg.HostedZoneID, cfg.HostedZoneName); err != nil {
			return nil, err
		}
		if err := cfg.CheckZone(zone.Name); err != nil {
			return nil, fmt.Errorf("invalid configuration of stack %s: %w", ctx.Stack(), err)
		}
	}
	gw, err := api.New(ctx, "api", api.Args{DisableExecuteAPIEndpoint: cfg.DisableExecuteAPIEndpoint})
	if err != nil {
		return nil, err
	}
	apiURL := gw.URL
	apiOrigin := web.APIOrigin{Host: gw.Host, OriginPath: gw.OriginPath, Methods: src.Routes.Methods()}
	if cfg.APIDomain != "" {
		apiURL = pulumi.String(cfg.APIURL()).ToStringOutput()
		apiOrigin.Host, apiOrigin.OriginPath = pulumi.String(cfg.APIDomain), ""
	}
	page, err := web.New(ctx, "site", web.Args{
		ClientID:   cfg.GoogleClientID,
		Domain:     cfg.SiteDomain,
		Zone:       zone,
		AWSProfile: cfg.AWSProfile,
		API:        apiOrigin,
	})
	if err != nil {
		return nil, err
	}
	outputs := Outputs{
		site.OutputSiteURL:        page.URL,
		site.OutputAPIURL:         apiURL,
		site.OutputBucketName:     page.Bucket.Bucket,
		site.OutputDistributionID: page.Distribution.ID().ToStringOutput(),
	}
	var authorizer *function.Lambda
	var routes []*function.Lambda
	functions := map[string]*lambda.Function{}
	for _, name := range names {
		env := gateway.Environment(src.Routes, name, pulumi.ToStringMap(cfg.AuthorizerEnvironment(src.Routes)), pulumi.StringInput(page.Origin))
		fn, err := function.New(ctx, name, function.Args{
			Code:             src.Code[name],
			Environment:      env,
			LogRetentionDays: cfg.LogRetentionDays,
			LogLevel:         cfg.LogLevel,
		})
		if err != nil {
			return nil, err
		}
		outputs[site.FunctionNameOutput(name)] = fn.Function.Name
		if name == gateway.AuthorizerFunction {
			authorizer = fn
			continue
		}
		routes = append(routes, fn)
		functions[name] = fn.Function
	}
	if err := gw.Route(ctx, "api", api.RouteArgs{
		SiteOrigin:         page.Origin,
		Routes:             src.Routes,
		Authorizer:         authorizer.Function,
		Functions:          functions,
		AuthorizerCacheTTL: cfg.AuthorizerCacheTTL,
		ThrottleRateLimit:  cfg.ThrottleRateLimit,
		ThrottleBurstLimit: cfg.ThrottleBurstLimit,
	}); err != nil {
		return nil, err
	}
	if cfg.APIDomain != "" {
		if _, err := api.NewDomain(ctx, "api", api.DomainArgs{
			Name:    cfg.APIDomain,
			Zone:    zone,
			RestAPI: gw.RestAPI,
			Stage:   gw.Stage,
		}, pulumi.Parent(gw)); err != nil {
			return nil, err
		}
	}
	alarm, err := alarms.New(ctx, "alarms", alarms.Args{
		Email:      cfg.AlarmEmail,
		APIName:    gw.RestAPI.Name,
		StageName:  gw.Stage.StageName,
		Authorizer: authorizer,
		Routes:     routes,
		Namespace:  ctx.Project() + "/" + ctx.Stack(),
	})
	if err != nil {
		return nil, err
	}
	outputs[site.OutputAlarmTopicARN] = alarm.Topic.Arn
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return outputs, nil
}
