// Package alarms declares the alarms that tell a team its deployment is
// failing its users, and the SNS topic they notify: API Gateway's 5XX
// answers, errors of every function behind a route, throttled calls of any
// function, and the authorizer's failures to decide.
//
// The authorizer's Errors metric is no alarm: every invalid token
// (Unauthorized, a 401) counts as a function error. Its failures are counted
// instead from its decision log lines whose outcome is
// authorizer.OutcomeError (signing keys unavailable, an event that is not
// API Gateway's), through a CloudWatch Logs metric filter.
package alarms

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/authorizer"
	"signin/infra/function"
)

// componentType is the Pulumi type token of the component.
const componentType = "signin:index:Alarms"

// AuthorizerFailurePattern is the CloudWatch Logs filter pattern of the
// authorizer's decision lines (JSON, as log/slog writes them) whose outcome
// is an error.
const AuthorizerFailurePattern = `{ $.` + authorizer.LogKeyOutcome + ` = "` + authorizer.OutcomeError + `" }`

// AuthorizerFailureMetric is the name of the metric the filter counts.
const AuthorizerFailureMetric = "AuthorizerFailures"

// How every alarm evaluates its metric: it goes off when one period holds
// at least threshold events, and treats a period without data as fine
// (metrics of errors have no data while all is well).
const (
	Period            = 300
	evaluationPeriods = 1
	threshold         = 1
)

// Args configure the alarms.
type Args struct {
	// Email, if set, is subscribed to the topic. AWS sends it a message to
	// confirm the subscription first.
	Email string
	// APIName and StageName name the stage whose 5XX answers are counted.
	APIName, StageName pulumi.StringInput
	// Authorizer is the authorizers' function, whose decision lines
	// are counted.
	Authorizer *function.Lambda
	// Routes are the functions behind the API's routes, whose errors are
	// counted.
	Routes []*function.Lambda
	// Namespace is the CloudWatch namespace of the authorizer's failure
	// metric, unique to the stack.
	Namespace string
}

// Group is the stack's alarms and the topic they notify.
type Group struct {
	pulumi.ResourceState

	// Topic receives every alarm's changes of state.
	Topic *sns.Topic
}

// New declares the alarms name.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Group, error) {
	a := &Group{}
	if err := ctx.RegisterComponentResource(componentType, name, a, opts...); err != nil {
		return nil, fmt.Errorf("alarms %s: %w", name, err)
	}
	if err := a.declare(ctx, name, args); err != nil {
		return nil, fmt.Errorf("alarms %s: %w", name, err)
	}
	if err := ctx.RegisterResourceOutputs(a, pulumi.Map{"topicArn": a.Topic.Arn}); err != nil {
		return nil, fmt.Errorf("alarms %s: %w", name, err)
	}
	return a, nil
}

func (a *Group) declare(ctx *pulumi.Context, name string, args Args) error {
	parent := pulumi.Parent(a)
	var err error
	a.Topic, err = sns.NewTopic(ctx, name, &sns.TopicArgs{
		DisplayName: pulumi.String(ctx.Project() + "/" + ctx.Stack() + " alarms"),
	}, parent)
	if err != nil {
		return fmt.Errorf("topic: %w", err)
	}
	if args.Email != "" {
		if _, err := sns.NewTopicSubscription(ctx, name+"-email", &sns.TopicSubscriptionArgs{
			Topic:    a.Topic.Arn,
			Protocol: pulumi.String("email"),
			Endpoint: pulumi.String(args.Email),
		}, parent); err != nil {
			return fmt.Errorf("email subscription: %w", err)
		}
	}

	if err := a.alarm(ctx, name+"-api-5xx", "The API answered with a 5XX error: see the functions' logs.", metric{
		namespace: "AWS/ApiGateway",
		name:      "5XXError",
		dimensions: pulumi.StringMap{
			"ApiName": args.APIName,
			"Stage":   args.StageName,
		},
	}); err != nil {
		return err
	}
	for _, fn := range args.Routes {
		if err := a.alarm(ctx, name+"-"+fn.Name+"-errors", "The "+fn.Name+" function failed: see its logs.",
			lambdaMetric("Errors", fn)); err != nil {
			return err
		}
	}
	for _, fn := range append([]*function.Lambda{args.Authorizer}, args.Routes...) {
		if err := a.alarm(ctx, name+"-"+fn.Name+"-throttles", "Calls of the "+fn.Name+" function were throttled: the account's Lambda concurrency is exhausted.",
			lambdaMetric("Throttles", fn)); err != nil {
			return err
		}
	}

	if _, err := cloudwatch.NewLogMetricFilter(ctx, name+"-authorizer-failures", &cloudwatch.LogMetricFilterArgs{
		LogGroupName: args.Authorizer.LogGroup.Name,
		Pattern:      pulumi.String(AuthorizerFailurePattern),
		MetricTransformation: &cloudwatch.LogMetricFilterMetricTransformationArgs{
			Namespace: pulumi.String(args.Namespace),
			Name:      pulumi.String(AuthorizerFailureMetric),
			Value:     pulumi.String("1"),
			Unit:      pulumi.String("Count"),
		},
	}, parent); err != nil {
		return fmt.Errorf("authorizer failure metric filter: %w", err)
	}
	return a.alarm(ctx, name+"-authorizer-failures", "The authorizer could not decide on tokens (signing keys unavailable, or misconfigured): users get 500. See its error lines.", metric{
		namespace: args.Namespace,
		name:      AuthorizerFailureMetric,
	})
}

// metric names a CloudWatch metric.
type metric struct {
	namespace, name string
	dimensions      pulumi.StringMap
}

// lambdaMetric is the Lambda metric name of the function fn.
func lambdaMetric(name string, fn *function.Lambda) metric {
	return metric{
		namespace:  "AWS/Lambda",
		name:       name,
		dimensions: pulumi.StringMap{"FunctionName": fn.Function.Name},
	}
}

// alarm declares the alarm name on the sum of m, notifying the topic when
// it goes off and when it recovers.
func (a *Group) alarm(ctx *pulumi.Context, name, description string, m metric) error {
	actions := pulumi.Array{a.Topic.Arn}
	_, err := cloudwatch.NewMetricAlarm(ctx, name, &cloudwatch.MetricAlarmArgs{
		AlarmDescription:   pulumi.String(description),
		Namespace:          pulumi.String(m.namespace),
		MetricName:         pulumi.String(m.name),
		Dimensions:         m.dimensions,
		Statistic:          pulumi.String("Sum"),
		Period:             pulumi.Int(Period),
		EvaluationPeriods:  pulumi.Int(evaluationPeriods),
		Threshold:          pulumi.Float64(threshold),
		ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"),
		TreatMissingData:   pulumi.String("notBreaching"),
		AlarmActions:       actions,
		OkActions:          actions,
	}, pulumi.Parent(a))
	if err != nil {
		return fmt.Errorf("alarm %s: %w", name, err)
	}
	return nil
}
