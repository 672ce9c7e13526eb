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

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
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
// or authorizers than API Gateway's quotas. (What it decides with the configuration,
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
	if err := limits.CheckAuthorizers(len(routes.Authorizers())); err != nil {
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
	for _, name := range src.Routes.Functions() {
		if src.Code[name].Path == "" {
			return nil, fmt.Errorf("stack: no archive for the %s function", name)
		}
	}
	zone, err := lookupZone(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d := &declarer{ctx: ctx, cfg: cfg, src: src, zone: zone, outputs: Outputs{}}
	for _, declare := range []func() error{
		d.api,
		d.site,
		d.functions,
		d.routes,
		d.apiFirewall,
		d.dashboard,
		d.apiDomain,
		d.alarms,
	} {
		if err := declare(); err != nil {
			return nil, err
		}
	}
	for name, value := range d.outputs {
		ctx.Export(name, value)
	}
	return d.outputs, nil
}

// lookupZone finds the hosted zone of the custom domains, if any, and
// checks that it holds them.
func lookupZone(ctx *pulumi.Context, cfg config.Settings) (domain.Zone, error) {
	if cfg.SiteDomain == "" {
		return domain.Zone{}, nil
	}
	zone, err := domain.LookupZone(ctx, cfg.HostedZoneID, cfg.HostedZoneName)
	if err != nil {
		return domain.Zone{}, err
	}
	if err := cfg.CheckZone(zone.Name); err != nil {
		return domain.Zone{}, fmt.Errorf("invalid configuration of stack %s: %w", ctx.Stack(), err)
	}
	return zone, nil
}

// declarer declares the stack's parts in order, each step reading what
// the earlier ones declared.
type declarer struct {
	ctx     *pulumi.Context
	cfg     config.Settings
	src     Sources
	zone    domain.Zone
	outputs Outputs

	gw         *api.Gateway
	page       *web.Site
	authorizer *function.Lambda
	// handlers are the functions that serve routes, all those and the
	// authorizer.
	handlers, all []*function.Lambda
	// byName are the handlers' Lambda functions, by name.
	byName map[string]*lambda.Function
}

// api declares the REST API, which the site's origin needs before its
// routes are declared.
func (d *declarer) api() error {
	var err error
	d.gw, err = api.New(d.ctx, "api", api.Args{DisableExecuteAPIEndpoint: d.cfg.DisableExecuteAPIEndpoint})
	return err
}

// site declares the site, with its web ACL and the us-east-1 provider
// CloudFront needs when configured.
func (d *declarer) site() error {
	cfg, obs := d.cfg, d.cfg.Observe
	apiURL := d.gw.URL
	apiOrigin := web.APIOrigin{Host: d.gw.Host, OriginPath: d.gw.OriginPath, Methods: d.src.Routes.Methods()}
	if cfg.APIDomain != "" {
		apiURL = pulumi.String(cfg.APIURL()).ToStringOutput()
		apiOrigin.Host, apiOrigin.OriginPath = pulumi.String(cfg.APIDomain), ""
	}
	args := web.Args{
		ClientID: cfg.GoogleClientID,
		Domain:   cfg.SiteDomain,
		Zone:     d.zone,
		API:      apiOrigin,
	}
	if cfg.SiteDomain != "" || obs.SiteWAF {
		// CloudFront's certificates and web ACLs live in us-east-1,
		// whatever the stack's region: one provider declares both.
		var err error
		if args.CloudFront, err = domain.CloudFrontProvider(d.ctx, cfg.AWSProfile); err != nil {
			return err
		}
	}
	if obs.SiteWAF {
		acl, err := d.siteFirewall(args.CloudFront)
		if err != nil {
			return err
		}
		args.WebACL = acl.ACL.Arn
	}
	if obs.SiteLogs {
		args.Logs = &web.Logs{RetentionDays: cfg.LogRetentionDays}
	}
	var err error
	if d.page, err = web.New(d.ctx, "site", args); err != nil {
		return err
	}
	d.outputs[site.OutputSiteURL] = d.page.URL
	d.outputs[site.OutputAPIURL] = apiURL
	d.outputs[site.OutputBucketName] = d.page.Bucket.Bucket
	d.outputs[site.OutputDistributionID] = d.page.Distribution.ID().ToStringOutput()
	return nil
}

// siteFirewall declares the CloudFront web ACL, through provider east. The
// page reads its own origin's answers, so a blocked one needs no CORS
// header.
func (d *declarer) siteFirewall(east *aws.Provider) (*firewall.WebACL, error) {
	obs := d.cfg.Observe
	return firewall.New(d.ctx, "site-firewall", firewall.Args{
		Scope:      firewall.CloudFront,
		RateLimit:  obs.WAFRateLimit,
		RateWindow: obs.WAFRateWindow,
	}, pulumi.Provider(east))
}

// functions declares a function for the authorizer and each route's, with
// the environment the route table gives it.
func (d *declarer) functions() error {
	cfg := d.cfg
	d.byName = map[string]*lambda.Function{}
	for _, name := range d.src.Routes.Functions() {
		env := gateway.Environment(d.src.Routes, name, pulumi.ToStringMap(cfg.AuthorizerEnvironment(d.src.Routes)), pulumi.StringInput(d.page.Origin))
		fn, err := function.New(d.ctx, name, function.Args{
			Code:             d.src.Code[name],
			Environment:      env,
			LogRetentionDays: cfg.LogRetentionDays,
			LogLevel:         cfg.LogLevel,
			Tracing:          cfg.Observe.Tracing,
		})
		if err != nil {
			return err
		}
		d.all = append(d.all, fn)
		d.outputs[site.FunctionNameOutput(name)] = fn.Function.Name
		if name == gateway.AuthorizerFunction {
			d.authorizer = fn
			continue
		}
		d.handlers = append(d.handlers, fn)
		d.byName[name] = fn.Function
	}
	return nil
}

// routes declares the API's routes behind the authorizer, and its logging
// when configured.
func (d *declarer) routes() error {
	cfg := d.cfg
	logging, err := d.apiLogging()
	if err != nil {
		return err
	}
	return d.gw.Route(d.ctx, "api", api.RouteArgs{
		SiteOrigin:         d.page.Origin,
		Routes:             d.src.Routes,
		Authorizer:         d.authorizer.Function,
		Functions:          d.byName,
		AuthorizerCacheTTL: cfg.AuthorizerCacheTTL,
		ThrottleRateLimit:  cfg.ThrottleRateLimit,
		ThrottleBurstLimit: cfg.ThrottleBurstLimit,
		Logging:            logging,
		Tracing:            cfg.Observe.Tracing,
	})
}

// apiLogging declares the account's CloudWatch role setting the API's
// logging needs, with apiLogging, and returns the logging; nil without.
func (d *declarer) apiLogging() (*api.Logging, error) {
	obs := d.cfg.Observe
	if !obs.APILogging {
		return nil, nil
	}
	after, err := api.LoggingRole(d.ctx, "api", api.LoggingRoleArgs{
		ExistingARN: obs.ExistingLoggingRoleARN(),
		Create:      obs.CreatesLoggingRole(),
	}, pulumi.Parent(d.gw))
	if err != nil {
		return nil, err
	}
	return &api.Logging{RetentionDays: d.cfg.LogRetentionDays, ExecutionLevel: obs.APIExecutionLogLevel, After: after}, nil
}

// apiFirewall declares the regional web ACL of the API's stage, with
// apiWaf.
func (d *declarer) apiFirewall() error {
	obs := d.cfg.Observe
	if !obs.APIWAF {
		return nil
	}
	acl, err := firewall.New(d.ctx, "api-firewall", firewall.Args{
		Scope:       firewall.Regional,
		RateLimit:   obs.WAFRateLimit,
		RateWindow:  obs.WAFRateWindow,
		AllowOrigin: d.page.Origin,
	})
	if err != nil {
		return err
	}
	return acl.Protect(d.ctx, "api-firewall", d.gw.Stage.Arn)
}

// dashboard declares the CloudWatch dashboard of the API and the
// functions.
func (d *declarer) dashboard() error {
	args := dashboard.Args{
		Region:         d.gw.Region,
		APIName:        d.gw.RestAPI.Name,
		Stage:          d.gw.Stage.StageName,
		Routes:         d.src.Routes,
		Functions:      d.all,
		LogLevel:       d.cfg.LogLevel,
		SystemLogLevel: function.SystemLogLevel,
	}
	if d.gw.AccessLog != nil {
		args.AccessLogGroup = d.gw.AccessLog.Name
		d.outputs[site.OutputAccessLogGroup] = d.gw.AccessLog.Name
	}
	board, err := dashboard.New(d.ctx, "dashboard", args)
	if err != nil {
		return err
	}
	d.outputs[site.OutputDashboardURL] = board.URL
	return nil
}

// apiDomain declares the API's own domain name, when configured.
func (d *declarer) apiDomain() error {
	if d.cfg.APIDomain == "" {
		return nil
	}
	_, err := api.NewDomain(d.ctx, "api", api.DomainArgs{
		Name:    d.cfg.APIDomain,
		Zone:    d.zone,
		RestAPI: d.gw.RestAPI,
		Stage:   d.gw.Stage,
	}, pulumi.Parent(d.gw))
	return err
}

// alarms declares the alarms and the topic they notify.
func (d *declarer) alarms() error {
	alarm, err := alarms.New(d.ctx, "alarms", alarms.Args{
		Email:      d.cfg.AlarmEmail,
		APIName:    d.gw.RestAPI.Name,
		StageName:  d.gw.Stage.StageName,
		Authorizer: d.authorizer,
		Routes:     d.handlers,
		Namespace:  d.ctx.Project() + "/" + d.ctx.Stack(),
	})
	if err != nil {
		return err
	}
	d.outputs[site.OutputAlarmTopicARN] = alarm.Topic.Arn
	return nil
}
