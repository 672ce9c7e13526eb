// Package stack declares the whole signin system for one Pulumi stack: a
// function for the authorizer and for every route of the route table, the
// REST API serving the table behind the authorizer, the site that signs
// users in and calls the API, their own domain names when configured, the
// alarms and the dashboard, and the options that let an operator see and
// shield the deployment (the API's logs, tracing, web ACLs, the site's
// access logs). It exports what a user needs next: the site's URL to
// register at Google and open, the API's URL, the dashboard's, and the names
// of what was created.
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
	"signin/infra/dashboard"
	"signin/infra/domain"
	"signin/infra/firewall"
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
	obs := cfg.Observe
	siteArgs := web.Args{
		ClientID: cfg.GoogleClientID,
		Domain:   cfg.SiteDomain,
		Zone:     zone,
		API:      apiOrigin,
	}
	if cfg.SiteDomain != "" || obs.SiteWAF {
		// CloudFront's certificates and web ACLs live in us-east-1,
		// whatever the stack's region: one provider declares both.
		if siteArgs.CloudFront, err = domain.CloudFrontProvider(ctx, cfg.AWSProfile); err != nil {
			return nil, err
		}
	}
	if obs.SiteWAF {
		// The page reads its own origin's answers, so a blocked one needs
		// no CORS header.
		acl, err := firewall.New(ctx, "site-firewall", firewall.Args{
			Scope:      firewall.CloudFront,
			RateLimit:  obs.WAFRateLimit,
			RateWindow: obs.WAFRateWindow,
		}, pulumi.Provider(siteArgs.CloudFront))
		if err != nil {
			return nil, err
		}
		siteArgs.WebACL = acl.ACL.Arn
	}
	if obs.SiteLogs {
		siteArgs.Logs = &web.Logs{RetentionDays: cfg.LogRetentionDays}
	}
	page, err := web.New(ctx, "site", siteArgs)
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
	var routes, all []*function.Lambda
	functions := map[string]*lambda.Function{}
	for _, name := range names {
		env := gateway.Environment(src.Routes, name, pulumi.ToStringMap(cfg.AuthorizerEnvironment(src.Routes)), pulumi.StringInput(page.Origin))
		fn, err := function.New(ctx, name, function.Args{
			Code:             src.Code[name],
			Environment:      env,
			LogRetentionDays: cfg.LogRetentionDays,
			LogLevel:         cfg.LogLevel,
			Tracing:          obs.Tracing,
		})
		if err != nil {
			return nil, err
		}
		all = append(all, fn)
		outputs[site.FunctionNameOutput(name)] = fn.Function.Name
		if name == gateway.AuthorizerFunction {
			authorizer = fn
			continue
		}
		routes = append(routes, fn)
		functions[name] = fn.Function
	}
	var logging *api.Logging
	if obs.APILogging {
		after, err := api.LoggingRole(ctx, "api", api.LoggingRoleArgs{
			ExistingARN: obs.ExistingLoggingRoleARN(),
			Create:      obs.CreatesLoggingRole(),
		}, pulumi.Parent(gw))
		if err != nil {
			return nil, err
		}
		logging = &api.Logging{RetentionDays: cfg.LogRetentionDays, ExecutionLevel: obs.APIExecutionLogLevel, After: after}
	}
	if err := gw.Route(ctx, "api", api.RouteArgs{
		SiteOrigin:         page.Origin,
		Routes:             src.Routes,
		Authorizer:         authorizer.Function,
		Functions:          functions,
		AuthorizerCacheTTL: cfg.AuthorizerCacheTTL,
		ThrottleRateLimit:  cfg.ThrottleRateLimit,
		ThrottleBurstLimit: cfg.ThrottleBurstLimit,
		Logging:            logging,
		Tracing:            obs.Tracing,
	}); err != nil {
		return nil, err
	}
	if obs.APIWAF {
		acl, err := firewall.New(ctx, "api-firewall", firewall.Args{
			Scope:       firewall.Regional,
			RateLimit:   obs.WAFRateLimit,
			RateWindow:  obs.WAFRateWindow,
			AllowOrigin: page.Origin,
		})
		if err != nil {
			return nil, err
		}
		if err := acl.Protect(ctx, "api-firewall", gw.Stage.Arn); err != nil {
			return nil, err
		}
	}
	dashArgs := dashboard.Args{
		Region:         gw.Region,
		APIName:        gw.RestAPI.Name,
		Stage:          gw.Stage.StageName,
		Routes:         src.Routes,
		Functions:      all,
		LogLevel:       cfg.LogLevel,
		SystemLogLevel: function.SystemLogLevel,
	}
	if gw.AccessLog != nil {
		dashArgs.AccessLogGroup = gw.AccessLog.Name
		outputs[site.OutputAccessLogGroup] = gw.AccessLog.Name
	}
	board, err := dashboard.New(ctx, "dashboard", dashArgs)
	if err != nil {
		return nil, err
	}
	outputs[site.OutputDashboardURL] = board.URL
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
