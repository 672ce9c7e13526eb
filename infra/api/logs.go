package api

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/apigateway"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LogField is one field of the access log's JSON lines: its name and the
// API Gateway $context variable that fills it.
type LogField struct {
	Name, Variable string
	// Raw marks a variable API Gateway writes already quoted as JSON
	// ($context.error.messageString); every other one is put in quotes, so a
	// line stays valid JSON when API Gateway writes "-" for a missing value.
	Raw bool
}

// AccessLogFields are the fields of every access log line, in order: who
// called (the source IP and the caller's sub, the authorizer's principalId),
// what (method and the route's resource path), what they got (status and
// length), and how long the authorizer and the integration took and how they
// answered.
var AccessLogFields = []LogField{
	{Name: "requestId", Variable: "$context.requestId"},
	{Name: "requestTime", Variable: "$context.requestTime"},
	{Name: "sourceIp", Variable: "$context.identity.sourceIp"},
	{Name: "sub", Variable: "$context.authorizer.principalId"},
	{Name: "httpMethod", Variable: "$context.httpMethod"},
	{Name: "resourcePath", Variable: "$context.resourcePath"},
	{Name: "status", Variable: "$context.status"},
	{Name: "responseLength", Variable: "$context.responseLength"},
	{Name: "integrationLatency", Variable: "$context.integration.latency"},
	{Name: "integrationStatus", Variable: "$context.integration.status"},
	{Name: "authorizerLatency", Variable: "$context.authorizer.latency"},
	{Name: "authorizerStatus", Variable: "$context.authorizer.status"},
	{Name: "wafResponseCode", Variable: "$context.wafResponseCode"},
	{Name: "xrayTraceId", Variable: "$context.xrayTraceId"},
	{Name: "error", Variable: "$context.error.messageString", Raw: true},
}

// AccessLogFormat returns the access log's format: one JSON object per
// request with AccessLogFields.
func AccessLogFormat() string {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range AccessLogFields {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(f.Name))
		b.WriteByte(':')
		if f.Raw {
			b.WriteString(f.Variable)
		} else {
			b.WriteString(`"` + f.Variable + `"`)
		}
	}
	b.WriteByte('}')
	return b.String()
}

// loggingOff is the execution logging level of a stage that does not log.
const loggingOff = "OFF"

// Logging configures the stage's logs; API Gateway writes them through the
// account's CloudWatch role, which must be set before the stage logs.
type Logging struct {
	// RetentionDays is how long the access and execution logs are kept.
	RetentionDays int
	// ExecutionLevel is the execution logging level, ERROR or INFO.
	ExecutionLevel string
	// After are the resources that set the account's CloudWatch role, if
	// the stack sets it.
	After []pulumi.Resource
}

// executionLogGroupName is the log group API Gateway writes a stage's
// execution logs to; declaring it first makes it the stack's, so
// `pulumi destroy` removes it.
func executionLogGroupName(restAPIID pulumi.IDOutput, stage string) pulumi.StringOutput {
	return pulumi.Sprintf("API-Gateway-Execution-Logs_%s/%s", restAPIID, stage)
}

// logGroups declares the access log group and the execution log group of
// the stage.
func (d *declarer) logGroups(l *Logging) (access *cloudwatch.LogGroup, execution *cloudwatch.LogGroup, err error) {
	access, err = cloudwatch.NewLogGroup(d.ctx, d.name+"-access", &cloudwatch.LogGroupArgs{
		NamePrefix:      pulumi.String("/aws/apigateway/" + d.ctx.Project() + "-" + d.api.stageName + "-access-"),
		RetentionInDays: pulumi.Int(l.RetentionDays),
	}, d.opts())
	if err != nil {
		return nil, nil, fmt.Errorf("access log group: %w", err)
	}
	execution, err = cloudwatch.NewLogGroup(d.ctx, d.name+"-execution", &cloudwatch.LogGroupArgs{
		Name:            executionLogGroupName(d.api.RestAPI.ID(), d.api.stageName),
		RetentionInDays: pulumi.Int(l.RetentionDays),
	}, d.opts())
	if err != nil {
		return nil, nil, fmt.Errorf("execution log group: %w", err)
	}
	return access, execution, nil
}

// logging sets the stage's access log and its methods' execution logging
// when configured, declaring their log groups, and returns what the stage
// must wait for: the log groups and the account's CloudWatch role.
func (d *declarer) logging(stage *apigateway.StageArgs, settings *apigateway.MethodSettingsSettingsArgs) ([]pulumi.Resource, error) {
	l := d.args.Logging
	if l == nil {
		return nil, nil
	}
	access, execution, err := d.logGroups(l)
	if err != nil {
		return nil, err
	}
	d.api.AccessLog = access
	stage.AccessLogSettings = accessLogSettings(access)
	// Request and response bodies and headers stay out of the logs: they
	// carry the callers' tokens.
	settings.LoggingLevel = pulumi.String(l.ExecutionLevel)
	settings.DataTraceEnabled = pulumi.Bool(false)
	return append(slices.Clone(l.After), execution), nil
}

// accessLogSettings writes the access log to group, in AccessLogFormat.
func accessLogSettings(group *cloudwatch.LogGroup) apigateway.StageAccessLogSettingsPtrInput {
	return &apigateway.StageAccessLogSettingsArgs{
		DestinationArn: group.Arn,
		Format:         pulumi.String(AccessLogFormat()),
	}
}
