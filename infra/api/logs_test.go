package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"signin/infra/api"
	"signin/infra/config"
	"signin/infra/internal/stacktest"
)

// Pitfall 24: the API Gateway CloudWatch role is one setting per account
// and region, shared by every API there. The stack touches it only when
// told how; what it sets, and the role it creates, are retained on destroy,
// so deleting the stack never breaks another API's logging.
func TestAPILoggingRoleIsTheUsersChoiceAndOutlivesTheStack(t *testing.T) {
	const existing = "arn:aws:iam::123456789012:role/api-gateway-logs"
	for _, c := range []struct {
		role        string
		wantAccount string // the role the account's setting points at; "" for no setting
		wantRole    bool   // a role is created
	}{
		{config.LoggingRoleAccount, "", false},
		{existing, existing, false},
		{config.LoggingRoleCreate, "arn:aws:iam::123456789012:role/signin-fn-apigateway-logs-20260101000000000000000001", true},
	} {
		t.Run(c.role, func(t *testing.T) {
			m := stacktest.Deploy(t, nil, stacktest.ConfigWith(map[string]string{config.KeyAPILogging: "true", config.KeyAPILoggingRole: c.role}))
			accounts := m.All("aws:apigateway/account:Account")
			switch {
			case c.wantAccount == "" && len(accounts) != 0:
				t.Fatalf("the account's setting is declared: %v", accounts[0].Inputs)
			case c.wantAccount != "":
				if len(accounts) != 1 {
					t.Fatalf("got %d account settings, want 1", len(accounts))
				}
				if got := stacktest.Str(accounts[0].State, "cloudwatchRoleArn"); got != c.wantAccount {
					t.Errorf("the account's role = %q, want %q", got, c.wantAccount)
				}
				if !accounts[0].RetainOnDelete {
					t.Error("the account's setting is not retained: destroy would leave other APIs without logging in a future provider")
				}
				if v := stacktest.Value(accounts[0].Inputs, "resetOnDelete"); v.IsBool() && v.BoolValue() {
					t.Error("resetOnDelete is set: destroy would break every other API's logging")
				}
			}
			var created []stacktest.Resource
			for _, r := range m.All("aws:iam/role:Role") {
				if strings.Contains(stacktest.Str(r.Inputs, "assumeRolePolicy"), "apigateway.amazonaws.com") {
					created = append(created, r)
				}
			}
			if got := len(created) == 1; got != c.wantRole {
				t.Fatalf("%d roles for API Gateway created, want a role: %v", len(created), c.wantRole)
			}
			if c.wantRole {
				if !created[0].RetainOnDelete {
					t.Error("the created role is not retained on destroy")
				}
				attachment := m.One(t, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "api-logging")
				if !attachment.RetainOnDelete {
					t.Error("the created role's policy is not retained on destroy")
				}
			}
			// Whatever the choice, the stage logs only once the setting is
			// in place, into log groups the stack owns (deleted with it).
			stage := m.One(t, "aws:apigateway/stage:Stage", "api")
			for _, a := range accounts {
				if !stage.DependsOn("aws:apigateway/account:Account", a.Name) {
					t.Errorf("the stage does not wait for the account's setting")
				}
			}
			for _, lg := range []string{"api-access", "api-execution"} {
				if r := m.One(t, "aws:cloudwatch/logGroup:LogGroup", lg); r.RetainOnDelete {
					t.Errorf("log group %s is retained: destroy must remove it", lg)
				}
			}
		})
	}
}

// The access log is one JSON object per request whose fields name who
// called, what, what they got, and how long the authorizer and the
// integration took: each field is the $context variable API Gateway
// documents for it.
func TestAccessLogFormatNamesEachField(t *testing.T) {
	m := stacktest.Deploy(t, nil, stacktest.ConfigWith(map[string]string{config.KeyAPILogging: "true", config.KeyAPILoggingRole: config.LoggingRoleAccount}))
	stage := m.One(t, "aws:apigateway/stage:Stage", "api")
	format := stacktest.Str(stage.Inputs, "accessLogSettings", "format")
	if format != api.AccessLogFormat() {
		t.Fatalf("the stage's access log format is %q, want api.AccessLogFormat()", format)
	}
	if got, want := stacktest.Str(stage.Inputs, "accessLogSettings", "destinationArn"), stacktest.Str(m.One(t, "aws:cloudwatch/logGroup:LogGroup", "api-access").State, "arn"); got != want {
		t.Errorf("access log destination = %q, want the stack's log group %q", got, want)
	}
	// API Gateway writes $context.error.messageString quoted: as a sample
	// line, the format must be JSON once each variable is replaced.
	line := strings.ReplaceAll(format, "$context.error.messageString", `"Unauthorized"`)
	var fields map[string]string
	if err := json.Unmarshal([]byte(line), &fields); err != nil {
		t.Fatalf("the format is not a JSON object: %v\n%s", err, format)
	}
	for name, variable := range map[string]string{
		"requestId":          "$context.requestId",
		"requestTime":        "$context.requestTime",
		"sourceIp":           "$context.identity.sourceIp",
		"sub":                "$context.authorizer.principalId",
		"httpMethod":         "$context.httpMethod",
		"resourcePath":       "$context.resourcePath",
		"status":             "$context.status",
		"responseLength":     "$context.responseLength",
		"integrationLatency": "$context.integration.latency",
		"integrationStatus":  "$context.integration.status",
		"authorizerLatency":  "$context.authorizer.latency",
		"authorizerStatus":   "$context.authorizer.status",
	} {
		if got := fields[name]; got != variable {
			t.Errorf("field %s = %q, want %q", name, got, variable)
		}
	}
}

// Execution logging (Security Hub's APIGateway.1) logs at the chosen level,
// never the requests' bodies and headers, which carry the callers' tokens;
// without apiLogging, nothing logs and the account is not touched.
func TestExecutionLoggingLevel(t *testing.T) {
	for _, c := range []struct {
		cfg   map[string]string
		level string
	}{
		{stacktest.Config(), "OFF"},
		{stacktest.ConfigWith(map[string]string{config.KeyAPILogging: "true", config.KeyAPILoggingRole: config.LoggingRoleAccount}), "ERROR"},
		{stacktest.ConfigWith(map[string]string{config.KeyAPILogging: "true", config.KeyAPILoggingRole: config.LoggingRoleAccount, config.KeyAPIExecutionLogLevel: "INFO"}), "INFO"},
	} {
		m := stacktest.Deploy(t, nil, c.cfg)
		settings := m.One(t, "aws:apigateway/methodSettings:MethodSettings", "api")
		if got := stacktest.Str(settings.Inputs, "settings", "loggingLevel"); got != c.level {
			t.Errorf("loggingLevel = %q, want %q", got, c.level)
		}
		if v := stacktest.Value(settings.Inputs, "settings", "dataTraceEnabled"); v.IsBool() && v.BoolValue() {
			t.Error("dataTraceEnabled logs the callers' tokens")
		}
	}
}
