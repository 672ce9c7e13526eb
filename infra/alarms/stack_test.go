package alarms_test

import (
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/infra/alarms"
	"signin/infra/config"
	"signin/infra/internal/stacktest"
)

// alarmMetric is what an alarm watches.
type alarmMetric struct {
	namespace, metric string
	dimensions        map[string]string
}

// alarmsOf returns the alarms m saw declared, by metric.
func alarmsOf(m *stacktest.Mocks) []alarmMetric {
	var out []alarmMetric
	for _, a := range m.All("aws:cloudwatch/metricAlarm:MetricAlarm") {
		out = append(out, alarmMetric{stacktest.Str(a.Inputs, "namespace"), stacktest.Str(a.Inputs, "metricName"), stacktest.StringMap(a.Inputs, "dimensions")})
	}
	return out
}

// hasAlarm reports whether an alarm watches metric of namespace with
// exactly dimensions.
func hasAlarm(all []alarmMetric, namespace, metric string, dimensions map[string]string) bool {
	return slices.ContainsFunc(all, func(a alarmMetric) bool {
		if a.namespace != namespace || a.metric != metric || len(a.dimensions) != len(dimensions) {
			return false
		}
		for k, v := range dimensions {
			if a.dimensions[k] != v {
				return false
			}
		}
		return true
	})
}

// The default configuration has alarms that mean something: the API's 5XX
// answers, errors of every function behind a route, throttles of every
// function, and the authorizer's failures from its decision lines; never
// the authorizer's Errors, which every invalid token (401) raises.
func TestDefaultConfigurationHasAlarms(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	all := alarmsOf(m)
	fnName := func(name string) string {
		return stacktest.Str(m.One(t, "aws:lambda/function:Function", name).State, "name")
	}
	if !hasAlarm(all, "AWS/ApiGateway", "5XXError", map[string]string{"ApiName": "api-0a1b2c3", "Stage": stacktest.Stack}) {
		t.Error("no alarm on the API stage's 5XX answers")
	}
	for _, name := range gateway.Routes.Functions()[1:] {
		if !hasAlarm(all, "AWS/Lambda", "Errors", map[string]string{"FunctionName": fnName(name)}) {
			t.Errorf("no alarm on the %s function's errors", name)
		}
	}
	for _, name := range gateway.Routes.Functions() {
		if !hasAlarm(all, "AWS/Lambda", "Throttles", map[string]string{"FunctionName": fnName(name)}) {
			t.Errorf("no alarm on the %s function's throttles", name)
		}
	}
	if hasAlarm(all, "AWS/Lambda", "Errors", map[string]string{"FunctionName": fnName(gateway.AuthorizerFunction)}) {
		t.Error("an alarm on the authorizer's Errors would go off on every invalid token")
	}
	namespace := stacktest.Project + "/" + stacktest.Stack
	if !hasAlarm(all, namespace, alarms.AuthorizerFailureMetric, map[string]string{}) {
		t.Errorf("no alarm on the authorizer's failures (%s %s)", namespace, alarms.AuthorizerFailureMetric)
	}
	filter := m.One(t, "aws:cloudwatch/logMetricFilter:LogMetricFilter", "alarms-authorizer-failures")
	for k, want := range map[string]string{
		"logGroupName": stacktest.Str(m.One(t, "aws:cloudwatch/logGroup:LogGroup", gateway.AuthorizerFunction).State, "name"),
		"pattern":      alarms.AuthorizerFailurePattern,
	} {
		if got := stacktest.Str(filter.Inputs, k); got != want {
			t.Errorf("metric filter %s = %q, want %q", k, got, want)
		}
	}
	for k, want := range map[string]string{"namespace": namespace, "name": alarms.AuthorizerFailureMetric, "value": "1"} {
		if got := stacktest.Str(filter.Inputs, "metricTransformation", k); got != want {
			t.Errorf("metric filter's %s = %q, want %q", k, got, want)
		}
	}
	if n := len(m.All("aws:sns/topicSubscription:TopicSubscription")); n != 0 {
		t.Errorf("%d subscriptions without alarmEmail, want none", n)
	}
	if n := len(m.All("aws:apigateway/account:Account")); n != 0 {
		t.Error("the stack must not own the account-wide API Gateway CloudWatch role: every API of the account and region shares it")
	}
}

// Every alarm notifies the topic when it goes off and when it recovers, sums
// its metric over five minutes and counts missing data (no errors) as fine.
func TestAlarmsNotifyTheTopic(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.Config())
	topic := stacktest.Str(m.One(t, "aws:sns/topic:Topic", "alarms").State, "arn")
	for _, a := range m.All("aws:cloudwatch/metricAlarm:MetricAlarm") {
		t.Run(a.Name, func(t *testing.T) {
			for _, k := range []string{"alarmActions", "okActions"} {
				if v := stacktest.Value(a.Inputs, k); !v.IsArray() || len(v.ArrayValue()) != 1 || v.ArrayValue()[0].StringValue() != topic {
					t.Errorf("%s = %v, want [%s]", k, v, topic)
				}
			}
			for k, want := range map[string]string{"statistic": "Sum", "treatMissingData": "notBreaching", "comparisonOperator": "GreaterThanOrEqualToThreshold"} {
				if got := stacktest.Str(a.Inputs, k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if v := stacktest.Value(a.Inputs, "period"); !v.IsNumber() || v.NumberValue() != alarms.Period {
				t.Errorf("period = %v, want %d", v, alarms.Period)
			}
			if stacktest.Str(a.Inputs, "alarmDescription") == "" {
				t.Error("no description says what went wrong")
			}
		})
	}
}

// withAlarmEmail is the tests' configuration with alarmEmail set.
func withAlarmEmail() map[string]string {
	cfg := stacktest.Config()
	cfg["signin:"+config.KeyAlarmEmail] = "ops@example.com"
	return cfg
}

// alarmEmail subscribes the address to the alarms' topic.
func TestAlarmEmailIsSubscribed(t *testing.T) {
	m := stacktest.Deploy(t, nil, withAlarmEmail())
	subs := m.All("aws:sns/topicSubscription:TopicSubscription")
	if len(subs) != 1 {
		t.Fatalf("got %d subscriptions, want 1", len(subs))
	}
	for k, want := range map[string]string{
		"protocol": "email",
		"endpoint": "ops@example.com",
		"topic":    stacktest.Str(m.One(t, "aws:sns/topic:Topic", "alarms").State, "arn"),
	} {
		if got := stacktest.Str(subs[0].Inputs, k); got != want {
			t.Errorf("subscription %s = %q, want %q", k, got, want)
		}
	}
}

// The alarms sit below one component, so the preview reads as a tree.
func TestAlarmsAreOneComponent(t *testing.T) {
	m := stacktest.Deploy(t, nil, withAlarmEmail())
	for _, typ := range []string{"aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/logMetricFilter:LogMetricFilter", "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription"} {
		for _, r := range m.All(typ) {
			if !strings.HasSuffix(r.Parent, "signin:index:Alarms::alarms") {
				t.Errorf("%s %s has parent %s, want the alarms component", typ, r.Name, r.Parent)
			}
		}
	}
}
