package api

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/infra/function"
)

// pushToCloudWatchPolicy is AWS's managed policy that lets API Gateway
// write every API's logs of the account.
const pushToCloudWatchPolicy = string(iam.ManagedPolicyAmazonAPIGatewayPushToCloudWatchLogs)

// loggingRoleTrust lets API Gateway, and nothing else, take the role.
const loggingRoleTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// loggingRolePrefix starts the name of the role LoggingRole creates, under
// function.RolePrefix like every role of the stack, so the deploy role's
// policy covers it.
const loggingRolePrefix = function.RolePrefix + "apigateway-logs-"

// LoggingRoleArgs say how the account's API Gateway CloudWatch role is set.
type LoggingRoleArgs struct {
	// ExistingARN, if set, is a role the account's setting is pointed at.
	ExistingARN string
	// Create makes a role for the setting.
	Create bool
}

// LoggingRole sets the account-and-region-wide API Gateway CloudWatch role
// that access and execution logging need, and returns what a stage that
// logs must wait for: nothing when neither field of args is set (the
// account's setting is left as it is).
//
// Every API of the account and region logs through that one setting, so
// what is declared here is retained on `pulumi destroy`: deleting the role,
// or resetting the setting, would break the logging of APIs this stack does
// not own.
func LoggingRole(ctx *pulumi.Context, name string, args LoggingRoleArgs, opts ...pulumi.ResourceOption) ([]pulumi.Resource, error) {
	if args.ExistingARN == "" && !args.Create {
		return nil, nil
	}
	retain := append(slices.Clone(opts), pulumi.RetainOnDelete(true))
	roleARN := pulumi.String(args.ExistingARN).ToStringOutput()
	var after []pulumi.Resource
	if args.Create {
		role, err := iam.NewRole(ctx, name+"-logging", &iam.RoleArgs{
			NamePrefix:       pulumi.String(loggingRolePrefix),
			AssumeRolePolicy: pulumi.String(loggingRoleTrust),
			Description:      pulumi.String("API Gateway writes the logs of every API of the account and region (the account's CloudWatch role setting). Left in place by pulumi destroy: other APIs may log through it."),
		}, retain...)
		if err != nil {
			return nil, fmt.Errorf("api %s: logging role: %w", name, err)
		}
		policy, err := iam.NewRolePolicyAttachment(ctx, name+"-logging", &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.String(pushToCloudWatchPolicy),
		}, retain...)
		if err != nil {
			return nil, fmt.Errorf("api %s: logging role policy: %w", name, err)
		}
		roleARN = role.Arn
		after = append(after, policy)
	}
	account, err := apigateway.NewAccount(ctx, name+"-logging", &apigateway.AccountArgs{
		CloudwatchRoleArn: roleARN,
	}, append(retain, pulumi.DependsOn(after))...)
	if err != nil {
		return nil, fmt.Errorf("api %s: account's CloudWatch role: %w", name, err)
	}
	return append(after, account), nil
}
