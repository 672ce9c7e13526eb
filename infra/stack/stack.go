// Package stack declares the whole signin system for one Pulumi stack: the
// functions, the greeting API with its authorizer, the site that signs users
// in and calls the API, their own domain names when configured, and the
// alarms. It exports what a user needs next: the site's URL to register at
// Google and open, the API's URL, and the names of what was created.
package stack

import (
	"fmt"
	"io/fs"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/infra/alarms"
	"signin/infra/api"
	"signin/infra/config"
	"signin/infra/domain"
	"signin/infra/function"
	"signin/infra/web"
)

// Names of the functions, as under functions/cmd/.
const (
	AuthorizerFunction = "authorizer"
	GreetingFunction   = "hello"
)

// Names of the stack outputs.
const (
	OutputSiteURL                = "siteUrl"
	OutputAPIURL                 = "apiUrl"
	OutputBucketName             = "bucketName"
	OutputDistributionID         = "distributionId"
	OutputAuthorizerFunctionName = "authorizerFunctionName"
	OutputHelloFunctionName      = "helloFunctionName"
	OutputAlarmTopicARN          = "alarmTopicArn"
)

// RouteFunctions are the functions behind the API's routes, as opposed to
// the authorizer in front of them.
var RouteFunctions = []string{GreetingFunction}

// Sources are what the stack deploys.
type Sources struct {
	// Code holds each function's archive, by function name.
	Code map[string]function.Code
	// Site holds the page's static files.
	Site fs.FS
}

// Outputs are the stack outputs, by name.
type Outputs map[string]pulumi.StringOutput

// Declare declares every resource of the stack for the validated
// configuration cfg, and exports and returns the stack outputs. The hosted
// zone of the custom domains is looked up, and checked to hold them, before
// anything is declared.
func Declare(ctx *pulumi.Context, cfg config.Config, src Sources) (Outputs, error) {
	for _, name := range append([]string{AuthorizerFunction}, RouteFunctions...) {
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
	newFunction := func(name string, env map[string]string) (*function.Function, error) {
		args := function.Args{
			Code:             src.Code[name],
			LogRetentionDays: cfg.LogRetentionDays,
			LogLevel:         cfg.LogLevel,
		}
		if env != nil {
			args.Environment = pulumi.ToStringMap(env)
		}
		return function.New(ctx, name, args)
	}
	authorizer, err := newFunction(AuthorizerFunction, cfg.AuthorizerEnvironment())
	if err != nil {
		return nil, err
	}
	routes := make([]*function.Function, 0, len(RouteFunctions))
	byName := map[string]*function.Function{}
	for _, name := range RouteFunctions {
		fn, err := newFunction(name, nil)
		if err != nil {
			return nil, err
		}
		routes = append(routes, fn)
		byName[name] = fn
	}
	greeting := byName[GreetingFunction]
	gw, err := api.New(ctx, "api", api.Args{DisableExecuteAPIEndpoint: cfg.DisableExecuteAPIEndpoint})
	if err != nil {
		return nil, err
	}
	apiURL := gw.URL
	if cfg.APIDomain != "" {
		apiURL = pulumi.String(cfg.APIURL()).ToStringOutput()
	}
	page, err := web.New(ctx, "site", web.Args{
		Files:      src.Site,
		ClientID:   cfg.GoogleClientID,
		APIURL:     apiURL,
		Domain:     cfg.SiteDomain,
		Zone:       zone,
		AWSProfile: cfg.AWSProfile,
	})
	if err != nil {
		return nil, err
	}
	if err := gw.Route(ctx, "api", api.Routes{
		SiteOrigin:         page.Origin,
		Authorizer:         authorizer.Function,
		Greeting:           greeting.Function,
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
	outputs := Outputs{
		OutputSiteURL:                page.URL,
		OutputAPIURL:                 apiURL,
		OutputBucketName:             page.Bucket.Bucket,
		OutputDistributionID:         page.Distribution.ID().ToStringOutput(),
		OutputAuthorizerFunctionName: authorizer.Function.Name,
		OutputHelloFunctionName:      greeting.Function.Name,
		OutputAlarmTopicARN:          alarm.Topic.Arn,
	}
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return outputs, nil
}
