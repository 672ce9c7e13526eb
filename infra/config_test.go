package main

import (
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/gateway"
	"signin/functions/stackfile"
	"signin/infra/config"
	"signin/infra/internal/stacktest"
	"signin/infra/project"
)

// stackFile is the stack's file, Pulumi.dev.yaml (read by TestMain).
var stackFile, _, _ = stacktest.StackFile()

// devStack reads the stack's file, Pulumi.dev.yaml, as it is.
func devStack(t *testing.T) map[string]string {
	t.Helper()
	cfg, err := stackfile.Read(stackFile)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// templateClientID is the placeholder client ID of the template's
// Pulumi.dev.yaml, which a team replaces with `pulumi config set
// googleClientId`.
const templateClientID = "YOUR-CLIENT-ID.apps.googleusercontent.com"

// template skips a test of what only the template's own stack file holds,
// once a team has configured the stack (its client ID is no longer the
// placeholder).
func template(t *testing.T, cfg map[string]string) {
	t.Helper()
	if cfg[stacktest.ClientIDKey] != templateClientID {
		t.Skipf("%s is configured (googleClientId is not the template's placeholder): a team's stack holds its own values", stackFile)
	}
}

// A fresh clone must not deploy with the placeholder client ID: the program
// stops before declaring anything and says what to run.
func TestTemplateStackNeedsAClientID(t *testing.T) {
	cfg := devStack(t)
	template(t, cfg)
	m := &stacktest.Mocks{}
	err := run(m, cfg)
	if err == nil || !strings.Contains(err.Error(), "pulumi config set googleClientId") {
		t.Fatalf("got error %v, want one telling to run `pulumi config set googleClientId`", err)
	}
	if len(m.Resources()) != 0 {
		t.Errorf("%d resources declared before the configuration was validated", len(m.Resources()))
	}
}

// The template's Pulumi.dev.yaml shows every option with its default, in
// the region of the design.
func TestTemplateStackShowsEveryDefault(t *testing.T) {
	got := devStack(t)
	template(t, got)
	d := config.Default()
	want := map[string]string{
		"aws:region":                             "eu-central-1",
		stacktest.ClientIDKey:                    templateClientID,
		"signin:" + config.KeyAllowedEmails:      "[]",
		"signin:" + config.KeyAllowedDomains:     "[]",
		"signin:" + config.KeyGroups:             "{}",
		"signin:" + config.KeyWorkloads:          "{}",
		"signin:" + config.KeyTrustEmails:        "false",
		"signin:" + config.KeyAuthorizerCacheTTL: strconv.Itoa(d.AuthorizerCacheTTL),
		"signin:" + config.KeyLogRetentionDays:   strconv.Itoa(d.LogRetentionDays),
		"signin:" + config.KeyThrottleRateLimit:  strconv.FormatFloat(d.ThrottleRateLimit, 'g', -1, 64),
		"signin:" + config.KeyThrottleBurstLimit: strconv.Itoa(d.ThrottleBurstLimit),
		"signin:" + config.KeyLogLevel:           d.LogLevel,
		"signin:" + config.KeyAPILogging:         strconv.FormatBool(d.Observe.APILogging),
		"signin:" + config.KeyTracing:            strconv.FormatBool(d.Observe.Tracing),
		"signin:" + config.KeyAPIWAF:             strconv.FormatBool(d.Observe.APIWAF),
		"signin:" + config.KeySiteWAF:            strconv.FormatBool(d.Observe.SiteWAF),
		"signin:" + config.KeySiteLogs:           strconv.FormatBool(d.Observe.SiteLogs),
	}
	if !maps.Equal(got, want) {
		t.Errorf("Pulumi.dev.yaml config = %v, want %v", got, want)
	}
}

// Every key of the stack's file, the template's or a team's, is a setting
// the program reads (and the README documents), and the stack deploys once
// it has a client ID.
func TestStackFileHoldsOnlySettingsTheProgramReads(t *testing.T) {
	keys := configKeys(t, "config", "project", filepath.Join("..", "functions", "stackconfig"), filepath.Join("..", "functions", "stackfile"))
	for key := range devStack(t) {
		namespace, name, _ := strings.Cut(key, ":")
		if namespace != "aws" && (namespace != project.Namespace || !slices.Contains(keys, name)) {
			t.Errorf("%s holds %s, which the program does not read (it reads %s and aws:*)", stackFile, key, strings.Join(keys, ", "))
		}
	}
	deploy(t, nil, stacktest.Config())
}

// Every wrong setting stops the program before any resource is declared,
// with a message naming the setting and the fix.
func TestConfigErrorsSayHowToFixThem(t *testing.T) {
	for _, c := range []struct {
		name, key, value string
		want             []string
	}{
		{"client ID missing", config.KeyGoogleClientID, "", []string{"googleClientId is not set", "pulumi config set googleClientId"}},
		{"client ID of another shape", config.KeyGoogleClientID, "my-app", []string{`googleClientId "my-app" is not a Google client ID`, "pulumi config set googleClientId"}},
		{"client ID with a foreign domain", config.KeyGoogleClientID, "123-abc.apps.example.com", []string{"is not a Google client ID"}},
		{"emails not a list", config.KeyAllowedEmails, "ada@example.com", []string{"allowedEmails: not a list of strings", "--path 'allowedEmails[0]'"}},
		{"email without @", config.KeyAllowedEmails, `["ada"]`, []string{`allowedEmails: "ada" is not an email address`}},
		{"domain with @", config.KeyAllowedDomains, `["@example.com"]`, []string{`allowedDomains: "@example.com" is not a domain name`}},
		{"TTL above the maximum", config.KeyAuthorizerCacheTTL, "3601", []string{"authorizerCacheTtl is 3601: give seconds from 0 (no cache) to 3600"}},
		{"TTL negative", config.KeyAuthorizerCacheTTL, "-1", []string{"authorizerCacheTtl is -1"}},
		{"TTL not a number", config.KeyAuthorizerCacheTTL, "five", []string{"authorizerCacheTtl: not a whole number"}},
		{"retention CloudWatch lacks", config.KeyLogRetentionDays, "10", []string{"logRetentionDays is 10: CloudWatch Logs accepts only [1 3 5 7 14"}},
		{"rate zero", config.KeyThrottleRateLimit, "0", []string{"throttleRateLimit is 0: give a number of requests per second above 0"}},
		{"rate not a number", config.KeyThrottleRateLimit, "fast", []string{"throttleRateLimit: not a number"}},
		{"burst zero", config.KeyThrottleBurstLimit, "0", []string{"throttleBurstLimit is 0: give a number of requests from 1 to 5000"}},
		{"API logging without a role", config.KeyAPILogging, "true", []string{"apiLogging is true but apiLoggingRole is not set", "pulumi config set apiLoggingRole account"}},
		{"API logging not a boolean", config.KeyAPILogging, "yes please", []string{"apiLogging: not true or false"}},
		{"logging role without logging", config.KeyAPILoggingRole, "create", []string{"apiLoggingRole is set but apiLogging is not true", "pulumi config set apiLogging true"}},
		{"execution level without logging", config.KeyAPIExecutionLogLevel, "INFO", []string{"apiExecutionLogLevel is set but apiLogging is not true"}},
		{"logging role not an ARN", config.KeyAPILoggingRole, "my-role", []string{`apiLoggingRole is "my-role": give account, create, or an IAM role's ARN`}},
		{"tracing not a boolean", config.KeyTracing, "on", []string{"tracing: not true or false"}},
		{"rate limit below WAF's", config.KeyWAFRateLimit, "9", []string{"wafRateLimit is 9: give a number of requests per source IP and window from 10 to 2000000000"}},
		{"rate limit above WAF's", config.KeyWAFRateLimit, "2000000001", []string{"wafRateLimit is 2000000001"}},
		{"rate limit not a number", config.KeyWAFRateLimit, "many", []string{"wafRateLimit: not a whole number"}},
		{"rate limit without a web ACL", config.KeyWAFRateLimit, "100", []string{"wafRateLimit is set but apiWaf or siteWaf is not true", "pulumi config set apiWaf true"}},
		{"rate window WAF lacks", config.KeyWAFRateWindow, "90", []string{"wafRateWindow is 90: AWS WAF counts requests over [60 120 300 600] seconds only"}},
		{"site WAF not a boolean", config.KeySiteWAF, "1x", []string{"siteWaf: not true or false"}},
		{"trust of emails not a boolean", config.KeyTrustEmails, "maybe", []string{"trustEmailsWithoutHd: not true or false"}},
		{"groups not an object", config.KeyGroups, `["admins"]`, []string{"groups: groups are not {", "pulumi config set --path 'groups.admins.emails[0]' ada@example.com"}},
		{"a group's misspelt member", config.KeyGroups, `{"admins":{"email":["ada@example.com"]}}`, []string{`unknown field "email"`}},
		{"a group with no members", config.KeyGroups, `{"admins":{}}`, []string{"group admins has no members: list addresses in groups.admins.emails, Workspace domains in groups.admins.domains or workloads in groups.admins.workloads, or remove it"}},
		{"a group's invalid email", config.KeyGroups, `{"admins":{"emails":["ada"]}}`, []string{`groups.admins.emails: "ada" is not an email address`}},
		{"a group's invalid domain", config.KeyGroups, `{"admins":{"domains":["@example.com"]}}`, []string{`groups.admins.domains: "@example.com" is not a domain name`}},
		{"a group name that is not a plain identifier", config.KeyGroups, `{"the admins":{"emails":["ada@example.com"]}}`, []string{`group name "the admins" is not a plain identifier`}},
		{"a group listing an unknown workload", config.KeyGroups, `{"deployers":{"workloads":["deploy"]}}`, []string{"groups and workloads: group deployers lists the workload deploy, which is not defined: define it (workloads.deploy.issuer, .audience and .claims), or remove it from groups.deployers.workloads"}},
		{"workloads not an object", config.KeyWorkloads, `["deploy"]`, []string{"workloads: workloads are not {", "pulumi config set --path 'workloads.<name>.issuer'"}},
		{"a workload's issuer not https", config.KeyWorkloads, `{"deploy":{"issuer":"http://token.actions.githubusercontent.com","audience":"https://github.com/acme","claims":{"repository":"acme/app"}}}`,
			[]string{`workloads: workloads.deploy.issuer: "http://token.actions.githubusercontent.com" is not an https URL: give the issuer's https URL`}},
		{"a workload without claims", config.KeyWorkloads, `{"deploy":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme"}}`,
			[]string{"workloads.deploy.claims is empty", "pulumi config set --path 'workloads.deploy.claims.repository' acme/app"}},
		{"a workload's claim that is not a string", config.KeyWorkloads, `{"deploy":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme","claims":{"repository_id":690234871}}}`,
			[]string{`workloads.deploy.claims.repository_id is 690234871, not a string`, `quote the value ("690234871")`}},
		{"a GitHub workload without an audience", config.KeyWorkloads, `{"deploy":{"issuer":"https://token.actions.githubusercontent.com","claims":{"repository":"acme/app"}}}`,
			[]string{"workloads.deploy.audience is required for the issuer https://token.actions.githubusercontent.com"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := stacktest.Config()
			if c.value == "" {
				delete(cfg, "signin:"+c.key)
			} else {
				cfg["signin:"+c.key] = c.value
			}
			m := &stacktest.Mocks{}
			err := run(m, cfg)
			if err == nil {
				t.Fatalf("%s = %q was accepted", c.key, c.value)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(m.Resources()) != 0 {
				t.Errorf("%d resources declared before the configuration was validated", len(m.Resources()))
			}
		})
	}
}

// A route naming a group the stack does not define stops the program
// before any resource is declared or function built. Routes under the same
// parameters with different groups are accepted: each restricted route is
// decided on its own, not told apart by a policy's patterns.
func TestRoutesGroupsMustBeDefined(t *testing.T) {
	// auditors is a group no stack of the tests defines.
	admin := gateway.Route{Method: "GET", Path: "/admin", Function: "me", Integration: gateway.Proxy, Groups: []string{"auditors"}}
	for _, c := range []struct {
		name   string
		groups string
		routes gateway.Table
		want   string
	}{
		{"an undefined group", "", append(slices.Clone(gateway.Routes), admin),
			"groups and the route table: the group auditors, which the route GET /api/admin names, is not defined in the stack's configuration: define it with `pulumi config set --path 'groups.auditors.emails[0]' ada@example.com` (or groups.auditors.domains[0] example.com), or remove it from the route table"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := stacktest.Config()
			if c.groups != "" {
				cfg = stacktest.WithGroups(t, cfg, mustGroups(t, c.groups))
			}
			m := &stacktest.Mocks{}
			err := runRoutes(m, cfg, c.routes)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
			if len(m.Resources()) != 0 {
				t.Errorf("%d resources declared before the groups were checked", len(m.Resources()))
			}
		})
	}
	cfg := stacktest.WithGroups(t, stacktest.Config(), mustGroups(t, `{"auditors":{"emails":["ada@example.com"]}}`))
	if err := runRoutes(&stacktest.Mocks{}, cfg, append(slices.Clone(gateway.Routes), admin)); err != nil {
		t.Errorf("a defined group: %v", err)
	}
	if err := runRoutes(&stacktest.Mocks{}, cfg, append(slices.Clone(gateway.Routes),
		gateway.Route{Method: "GET", Path: "/a/{x}", Function: "me", Integration: gateway.Proxy},
		gateway.Route{Method: "GET", Path: "/a/{x}/{y}", Function: "me", Integration: gateway.Proxy, Groups: []string{"auditors"}},
		gateway.Route{Method: "GET", Path: "/a/{x}/b/c", Function: "me", Integration: gateway.Proxy})); err != nil {
		t.Errorf("open and restricted routes under the same parameter: %v", err)
	}
}

// The edges of every range are accepted.
func TestConfigLimitsAreAccepted(t *testing.T) {
	for _, c := range []struct{ key, value string }{
		{config.KeyAuthorizerCacheTTL, "0"},
		{config.KeyAuthorizerCacheTTL, "3600"},
		{config.KeyLogRetentionDays, "1"},
		{config.KeyLogRetentionDays, "3653"},
		{config.KeyThrottleBurstLimit, "5000"},
		{config.KeyThrottleRateLimit, "0.5"},
		{config.KeyAllowedEmails, `["ada@example.com"]`},
		{config.KeyAllowedDomains, `["example.com","eng.example.org"]`},
		{config.KeyWAFRateLimit, "10"},
		{config.KeyWAFRateLimit, "2000000000"},
		{config.KeyWAFRateWindow, "60"},
		{config.KeyWAFRateWindow, "600"},
		{config.KeyAPILoggingRole, "account"},
		{config.KeyAPILoggingRole, "arn:aws:iam::123456789012:role/api-gateway-logs"},
		{config.KeyAPIExecutionLogLevel, "ERROR"},
		{config.KeyGroups, `{"admins":{"emails":["ada@example.com"],"domains":["example.com"]}}`},
		{config.KeyWorkloads, `{"deploy":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme","claims":{"repository":"acme/app","ref":"refs/heads/main"}},` +
			`"nightly":{"issuer":"https://accounts.google.com","claims":{"email":"nightly@acme.iam.gserviceaccount.com"}}}`},
		{config.KeyTrustEmails, "true"},
	} {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			cfg := stacktest.Config()
			// The settings an option needs.
			cfg["signin:"+config.KeyAPIWAF] = "true"
			cfg["signin:"+config.KeyAPILogging] = "true"
			cfg["signin:"+config.KeyAPILoggingRole] = "create"
			if c.key == config.KeyGroups {
				// Beside the stack's groups, which its routes name.
				stacktest.WithGroups(t, cfg, mustGroups(t, c.value))
			} else {
				cfg["signin:"+c.key] = c.value
			}
			deploy(t, nil, cfg)
		})
	}
}

// The API's stage is named after the stack. Pulumi allows periods in a
// stack's name, API Gateway none in a stage's: such a stack stops before any
// resource is declared, not when the stage is created after the rest.
func TestStackNameMustNameAStage(t *testing.T) {
	for _, c := range []struct {
		stack string
		ok    bool
	}{
		{"dev", true},
		{"prod_eu-1", true},
		{"prod.eu", false},
	} {
		t.Run(c.stack, func(t *testing.T) {
			m := &stacktest.Mocks{}
			err := pulumi.RunErr(func(ctx *pulumi.Context) error {
				_, err := program(ctx, gateway.Routes, stacktest.Build)
				return err
			}, pulumi.WithMocks(stacktest.Project, c.stack, m), stacktest.WithConfig(stacktest.Config()))
			switch {
			case c.ok && err != nil:
				t.Errorf("stack %s failed: %v", c.stack, err)
			case !c.ok && (err == nil || !strings.Contains(err.Error(), "cannot name the API's stage")):
				t.Errorf("stack %s: got %v, want an error about the stage's name", c.stack, err)
			case !c.ok && len(m.Resources()) != 0:
				t.Errorf("%d resources declared before the stack's name was checked", len(m.Resources()))
			}
		})
	}
}
