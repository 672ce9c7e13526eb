package api

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lambda"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
)

// tokenAuthorizer declares the TOKEN authorizer of the open routes, with
// the function's permission to be invoked by it.
func (d *declarer) tokenAuthorizer() error {
	auth, err := apigateway.NewAuthorizer(d.ctx, d.name, &apigateway.AuthorizerArgs{
		RestApi:                      d.api.RestAPI.ID(),
		Type:                         pulumi.String(gateway.TokenAuthorizer),
		AuthorizerUri:                d.args.Authorizer.InvokeArn,
		IdentitySource:               pulumi.String(gateway.IdentitySource),
		IdentityValidationExpression: pulumi.String(gateway.TokenPattern),
		AuthorizerResultTtlInSeconds: pulumi.Int(d.args.AuthorizerCacheTTL),
	}, d.opts())
	if err != nil {
		return fmt.Errorf("authorizer: %w", err)
	}
	d.api.authorizer = auth
	d.track(auth, auth.Type, auth.AuthorizerUri, auth.IdentitySource, auth.IdentityValidationExpression, auth.AuthorizerResultTtlInSeconds)
	if err := d.permission(d.name+"-"+gateway.AuthorizerFunction, d.args.Authorizer, authorizerSourceARN(d.api.RestAPI.ExecutionArn, auth.ID())); err != nil {
		return fmt.Errorf("authorizer permission: %w", err)
	}
	return nil
}

// requestAuthorizer declares, when some route is restricted to groups, the
// REQUEST authorizer of those routes, decided on the route API Gateway
// matched and cached per token and route, with the function's permission
// to be invoked by it.
func (d *declarer) requestAuthorizer() error {
	if !slices.Contains(d.args.Routes.Authorizers(), gateway.RequestAuthorizer) {
		return nil
	}
	name := d.name + "-" + strings.ToLower(gateway.RequestAuthorizer)
	req, err := apigateway.NewAuthorizer(d.ctx, name, &apigateway.AuthorizerArgs{
		RestApi:                      d.api.RestAPI.ID(),
		Type:                         pulumi.String(gateway.RequestAuthorizer),
		AuthorizerUri:                d.args.Authorizer.InvokeArn,
		IdentitySource:               pulumi.String(strings.Join(gateway.RequestIdentitySources, ",")),
		AuthorizerResultTtlInSeconds: pulumi.Int(d.args.AuthorizerCacheTTL),
	}, d.opts())
	if err != nil {
		return fmt.Errorf("request authorizer: %w", err)
	}
	d.api.requestAuthorizer = req
	d.track(req, req.Type, req.AuthorizerUri, req.IdentitySource, req.AuthorizerResultTtlInSeconds)
	if err := d.permission(name+"-"+gateway.AuthorizerFunction, d.args.Authorizer, authorizerSourceARN(d.api.RestAPI.ExecutionArn, req.ID())); err != nil {
		return fmt.Errorf("request authorizer permission: %w", err)
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

// authorizerSourceARN is the source ARN through which API Gateway invokes
// the authorizer: <executionArn>/authorizers/<authorizerId>.
func authorizerSourceARN(executionARN pulumi.StringOutput, authorizerID pulumi.IDOutput) pulumi.StringOutput {
	return pulumi.Sprintf("%s/authorizers/%s", executionARN, authorizerID)
}
