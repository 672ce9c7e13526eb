// Package stack declares the whole signin system for one Pulumi stack: the
// two functions, the greeting API with its authorizer, and the site that
// signs users in and calls the API. It exports what a user needs next: the
// site's URL to register at Google and open, the API's URL, and the names of
// what was created.
package stack

import (
	"fmt"
	"io/fs"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/infra/api"
	"signin/infra/config"
	"signin/infra/function"
	"signin/infra/project"
	"signin/infra/web"
)

// Names of the functions, as under functions/cmd/.
const (
	AuthorizerFunction = "authorizer"
	GreetingFunction   = "hello"
)

// Names of the stack outputs.
const (
	OutputSiteURL                = project.OutputSiteURL
	OutputAPIURL                 = "apiUrl"
	OutputBucketName             = "bucketName"
	OutputDistributionID         = "distributionId"
	OutputAuthorizerFunctionName = "authorizerFunctionName"
	OutputHelloFunctionName      = "helloFunctionName"
)

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
// configuration cfg, and exports and returns the stack outputs.
func Declare(ctx *pulumi.Context, cfg config.Config, src Sources) (Outputs, error) {
	for _, name := range []string{AuthorizerFunction, GreetingFunction} {
		if src.Code[name].Path == "" {
			return nil, fmt.Errorf("stack: no archive for the %s function", name)
		}
	}
	authorizer, err := function.New(ctx, AuthorizerFunction, function.Args{
		Code:             src.Code[AuthorizerFunction],
		Environment:      pulumi.ToStringMap(cfg.AuthorizerEnvironment()),
		LogRetentionDays: cfg.LogRetentionDays,
	})
	if err != nil {
		return nil, err
	}
	greeting, err := function.New(ctx, GreetingFunction, function.Args{
		Code:             src.Code[GreetingFunction],
		LogRetentionDays: cfg.LogRetentionDays,
	})
	if err != nil {
		return nil, err
	}
	gw, err := api.New(ctx, "api")
	if err != nil {
		return nil, err
	}
	page, err := web.New(ctx, "site", web.Args{
		Files:    src.Site,
		ClientID: cfg.GoogleClientID,
		APIURL:   gw.URL,
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
	outputs := Outputs{
		OutputSiteURL:                page.URL,
		OutputAPIURL:                 gw.URL,
		OutputBucketName:             page.Bucket.Bucket,
		OutputDistributionID:         page.Distribution.ID().ToStringOutput(),
		OutputAuthorizerFunctionName: authorizer.Function.Name,
		OutputHelloFunctionName:      greeting.Function.Name,
	}
	for name, value := range outputs {
		ctx.Export(name, value)
	}
	return outputs, nil
}
