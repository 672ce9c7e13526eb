package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
)

// Both golden snapshots hold only inputs the table knows, of values AWS
// accepts. (Every configuration another test deploys is checked the same
// way by runRoutes.)
func TestGoldenSnapshotsHoldOnlyValuesAWSAccepts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.golden.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("golden snapshots: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			if err := checkInputs(readSnapshot(t, file)); err != nil {
				t.Error(err)
			}
		})
	}
}

// readSnapshot reads the golden snapshot file.
func readSnapshot(t *testing.T, file string) []stacktest.Snapshot {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var snaps []stacktest.Snapshot
	if err := json.Unmarshal(b, &snaps); err != nil {
		t.Fatal(err)
	}
	return snaps
}

// A mistake seeded in a golden snapshot, one per rule of the input table
// and of the limits, is refused with a message naming it.
func TestInputChecksRefuseSeededMistakes(t *testing.T) {
	const (
		lambdaFn  = "aws:lambda/function:Function"
		cdn       = "aws:cloudfront/distribution:Distribution"
		webACL    = "aws:wafv2/webAcl:WebAcl"
		options   = "resources.options.golden.json"
		defaults  = "resources.golden.json"
		rateRule  = "rules[].statement.rateBasedStatement."
		longEmail = "someone.with.a.rather.long.address@example.com"
	)
	for _, c := range []struct {
		name, file string
		mutate     func(t *testing.T, snaps []stacktest.Snapshot) []stacktest.Snapshot
		want       string
	}{
		{"CloudFront enumeration", defaults, set(cdn, "defaultCacheBehavior.viewerProtocolPolicy", "https_only"), `"https_only" is not one of the values the AWS SDK lists for types.ViewerProtocolPolicy`},
		{"Lambda runtime", defaults, set(lambdaFn, "runtime", "go1.22"), `"go1.22" is not one of the values the AWS SDK lists for types.Runtime`},
		{"Lambda log level", defaults, set(lambdaFn, "loggingConfig.applicationLogLevel", "info"), "types.ApplicationLogLevel"},
		{"API Gateway integration type", defaults, set("aws:apigateway/integration:Integration", "type", "LAMBDA_PROXY"), "types.IntegrationType"},
		{"API Gateway logging level", defaults, set("aws:apigateway/methodSettings:MethodSettings", "settings.loggingLevel", "DEBUG"), `"DEBUG" is not one of [OFF ERROR INFO]`},
		{"CloudWatch alarm operator", defaults, set("aws:cloudwatch/metricAlarm:MetricAlarm", "comparisonOperator", "GreaterThan"), "types.ComparisonOperator"},
		{"CloudWatch Logs metric unit", defaults, set("aws:cloudwatch/logMetricFilter:LogMetricFilter", "metricTransformation.unit", "Counts"), "types.StandardUnit"},
		{"S3 object ownership", defaults, set("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "rule.objectOwnership", "BucketOwner"), "types.ObjectOwnership"},
		{"ACM validation method", options, set("aws:acm/certificate:Certificate", "validationMethod", "dns"), "types.ValidationMethod"},
		{"Route 53 record type", options, set("aws:route53/record:Record", "type", "ALIAS"), "types.RRType"},
		{"WAF scope", defaults, add(webACL, map[string]any{"scope": "GLOBAL"}), "types.Scope"},
		{"WAF rate limit", defaults, add(webACL, rateBased(map[string]any{"limit": 5.0})), rateRule + "limit: WAF rate limit 5: give from 10 to 2000000000"},
		{"WAF evaluation window", defaults, add(webACL, rateBased(map[string]any{"limit": 100.0, "evaluationWindowSec": 90.0})), "WAF evaluation window of 90 seconds"},
		{"WAF custom response content type", options, set(webACL, "customResponseBodies", []any{map[string]any{"key": "k", "content": "{}", "contentType": "application/json"}}), "types.ResponseContentType"},
		{"WAF label match scope", options, set(webACL, "rules", []any{map[string]any{"statement": map[string]any{"labelMatchStatement": map[string]any{"key": "k", "scope": "PREFIX"}}}}), "types.LabelMatchScope"},
		{"dashboard name", defaults, set("aws:cloudwatch/dashboard:Dashboard", "dashboardName", "signin/dev"), `"signin/dev" is not a dashboard name`},
		{"S3 lifecycle status", options, set("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "rules", []any{map[string]any{"id": "x", "status": "On"}}), "types.ExpirationStatus"},
		{"CloudFront error code", defaults, set(cdn, "customErrorResponses", []any{map[string]any{"errorCode": 401.0, "responseCode": 200.0}}), "CloudFront custom error response for 401"},
		{"log retention", defaults, set("aws:cloudwatch/logGroup:LogGroup", "retentionInDays", 13.0), "log retention of 13 days"},
		{"Lambda memory", defaults, set(lambdaFn, "memorySize", 64.0), "input memorySize: 64 is not from 128 to 10240"},
		{"Lambda function name", defaults, set(lambdaFn, "name", strings.Repeat("f", 65)), "Lambda function name"},
		{"IAM role name prefix", defaults, set("aws:iam/role:Role", "namePrefix", "signin-fn-"+strings.Repeat("r", 29)), "IAM role name prefix"},
		{"log group name", defaults, set("aws:cloudwatch/logGroup:LogGroup", "namePrefix", "/aws/lambda/hello world-"), "log group name prefix \"/aws/lambda/hello world-\" may hold only"},
		{"S3 bucket name", defaults, set("aws:s3/bucketV2:BucketV2", "bucket", "Signin-Site"), "S3 bucket name \"Signin-Site\" may hold only"},
		{"API Gateway stage name", defaults, set("aws:apigateway/stage:Stage", "stageName", "dev.eu"), "API Gateway stage name \"dev.eu\" may hold only"},
		{"Lambda environment", options, set(lambdaFn, "environment.variables.ALLOWED_EMAILS", strings.TrimSuffix(strings.Repeat(longEmail+",", 90), ",")), "the Lambda environment takes"},
		{"resources per API", defaults, resourcesUpTo(gateway.MaxResources + 1), "the API has 301 resources (its root, and one per path segment of the route table under /api), more than the 300"},
		{"input the table does not know", defaults, set(lambdaFn, "packageType", "Zip"), "input packageType is not in the input table"},
		{"resource type the table does not know", defaults, add("aws:wafv2/ipSet:IpSet", map[string]any{"scope": "REGIONAL"}), "aws:wafv2/ipSet:IpSet seeded: the resource type is not in the input table"},
	} {
		t.Run(c.name, func(t *testing.T) {
			snaps := c.mutate(t, readSnapshot(t, filepath.Join("testdata", c.file)))
			err := checkInputs(snaps)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant an error containing %q", err, c.want)
			}
		})
	}
}

// set returns a mutation setting the input at path (keys separated by
// ".") of the first resource of type typ to v.
func set(typ, path string, v any) func(*testing.T, []stacktest.Snapshot) []stacktest.Snapshot {
	return func(t *testing.T, snaps []stacktest.Snapshot) []stacktest.Snapshot {
		i := slices.IndexFunc(snaps, func(s stacktest.Snapshot) bool { return s.Type == typ })
		if i < 0 {
			t.Fatalf("no %s in the snapshot", typ)
		}
		keys := strings.Split(path, ".")
		m := snaps[i].Inputs
		for _, k := range keys[:len(keys)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[keys[len(keys)-1]] = v
		return snaps
	}
}

// add returns a mutation adding a resource of type typ named seeded with
// the inputs in.
func add(typ string, in map[string]any) func(*testing.T, []stacktest.Snapshot) []stacktest.Snapshot {
	return func(_ *testing.T, snaps []stacktest.Snapshot) []stacktest.Snapshot {
		return append(snaps, stacktest.Snapshot{Type: typ, Name: "seeded", Inputs: in})
	}
}

// rateBased returns a web ACL's inputs with one rate-based rule of the
// statement's settings.
func rateBased(statement map[string]any) map[string]any {
	return map[string]any{
		"scope": "REGIONAL",
		"rules": []any{map[string]any{
			"name":      "rate",
			"priority":  0.0,
			"statement": map[string]any{"rateBasedStatement": statement},
		}},
	}
}

// resourcesUpTo returns a mutation adding API Gateway resources to the
// snapshot's REST API until it has n, its root resource included.
func resourcesUpTo(n int) func(*testing.T, []stacktest.Snapshot) []stacktest.Snapshot {
	return func(_ *testing.T, snaps []stacktest.Snapshot) []stacktest.Snapshot {
		declared := 1 + len(slices.DeleteFunc(slices.Clone(snaps), func(s stacktest.Snapshot) bool { return s.Type != "aws:apigateway/resource:Resource" }))
		for i := range n - declared {
			snaps = append(snaps, stacktest.Snapshot{
				Type:   "aws:apigateway/resource:Resource",
				Name:   fmt.Sprintf("api-r%d", i),
				Inputs: map[string]any{"restApi": stacktest.RestAPIID, "parentId": "r00t1d", "pathPart": fmt.Sprintf("r%d", i)},
			})
		}
		return snaps
	}
}

// The checks that the configuration and the route table decide run in
// `pulumi preview`: the program refuses them before it builds or declares
// anything, saying what to shorten.
func TestProgramRefusesWhatAWSWouldAtPreview(t *testing.T) {
	with := func(routes ...gateway.Route) gateway.Table { return append(slices.Clone(gateway.Routes), routes...) }
	route := func(path string, groups ...string) gateway.Route {
		return gateway.Route{Method: "GET", Path: path, Function: "hello", Integration: gateway.Template, Groups: groups}
	}
	emails := make([]string, 300)
	for i := range emails {
		emails[i] = fmt.Sprintf(`"user%03d@example.com"`, i)
	}
	list := "[" + strings.Join(emails, ",") + "]"
	// Two deep routes that, with the route table's resources, make 301,
	// in 1.5 KB of ROUTE_GROUPS: each path's method ARN stays within 1,600
	// bytes.
	more := 301 - len(gateway.Routes.Resources())
	deep := func(i int) gateway.Route {
		segments := make([]string, more/2+i*(more%2))
		for j := range segments {
			segments[j] = fmt.Sprintf("s%03d", j)
		}
		return route(fmt.Sprintf("/d%d/", i) + strings.Join(segments[1:], "/"))
	}
	for _, c := range []struct {
		name   string
		cfg    map[string]string
		routes gateway.Table
		want   []string
	}{
		{"300 allowed emails", withSetting("signin:allowedEmails", list), gateway.Routes, []string{
			"allowedEmails, allowedDomains, groups, workloads and the route table: the authorizer's environment holds them all, and would not fit: the Lambda environment takes",
			"more than the 4096 (4 KB) Lambda allows (bytes by variable: ALLOWED_EMAILS 6013"}},
		{"a group of 300 emails", withSetting("signin:groups", `{"admins":{"emails":`+list+`}}`), with(route("/admin", "admins")), []string{
			"more than the 4096 (4 KB) Lambda allows (bytes by variable: ACCESS_GROUPS 6636"}},
		{"40 workloads", withSetting("signin:workloads", manyWorkloads(40)), gateway.Routes, []string{
			"workloads and the route table: the authorizer's environment holds them all, and would not fit", "(bytes by variable: WORKLOADS "}},
		{"301 resources", stacktest.Config(), with(deep(0), deep(1)), []string{
			"the route table: the API has 301 resources (its root, and one per path segment of the route table under /api), more than the 300"}},
		{"a method ARN over 1,600 bytes", stacktest.Config(), with(route("/" + strings.Repeat("a", 1600))), []string{
			"its method ARN could exceed API Gateway's 1600 bytes"}},
		{"a function without its command and 300 allowed emails, in one message", withSetting("signin:allowedEmails", list),
			with(gateway.Route{Method: "GET", Path: "/no-such-route", Function: "no-such-function", Integration: gateway.Proxy}), []string{
				"no function no-such-function: create functions/cmd/no-such-function",
				"more than the 4096 (4 KB) Lambda allows (bytes by variable: ALLOWED_EMAILS 6013"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &stacktest.Mocks{}
			err := runRoutes(m, c.cfg, c.routes)
			for _, want := range c.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("got %v\nwant an error containing %q", err, want)
				}
			}
			if len(m.Resources()) != 0 {
				t.Errorf("%d resources declared before the error, want none", len(m.Resources()))
			}
		})
	}
}

// withSetting returns the test configuration with key set to value.
func withSetting(key, value string) map[string]string {
	cfg := stacktest.Config()
	cfg[key] = value
	return cfg
}

// hundredRoutes are 100 routes, three quarters of them restricted to one
// of four groups, each path with two parameters before a literal segment
// (/d07/{a}/{b}/items): a table the former per-route policies could not
// answer within 8 KB, as every * before the end doubled their resources.
func hundredRoutes() (gateway.Table, string) {
	groups := []string{"admins", "auditors", "finance", "support"}
	var routes gateway.Table
	for i := range 100 {
		r := gateway.Route{Method: gateway.Methods[i%4], Path: fmt.Sprintf("/d%02d/{a}/{b}/items", i/4), Function: "me", Integration: gateway.Proxy}
		if i%4 != 0 {
			r.Groups = []string{groups[i%4]}
		}
		routes = append(routes, r)
	}
	return routes, `{"admins":{"emails":["ada@example.com"]},"auditors":{"emails":["alan@example.com"]},"finance":{"domains":["example.com"]},"support":{"emails":["grace@gmail.com"]}}`
}

// The preview accepts 100 routes in four groups, each with two parameters
// before a literal segment, and declares them behind the REQUEST
// authorizer, in an authorizer environment within Lambda's 4 KB.
func TestProgramAcceptsAHundredRestrictedRoutes(t *testing.T) {
	routes, groups := hundredRoutes()
	m := &stacktest.Mocks{}
	if err := runRoutes(m, withSetting("signin:groups", groups), append(slices.Clone(gateway.Routes), routes...)); err != nil {
		t.Fatalf("the program refused the table: %v", err)
	}
	if got := len(m.All("aws:apigateway/authorizer:Authorizer")); got != 2 {
		t.Errorf("%d authorizers, want the TOKEN and the REQUEST one", got)
	}
}

// manyWorkloads returns n GitHub Actions workloads, each a repository of
// its own, as the configuration's JSON.
func manyWorkloads(n int) string {
	var w []string
	for i := range n {
		w = append(w, fmt.Sprintf(`"deploy%d":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme","claims":{"repository":"acme/app%d"}}`, i, i))
	}
	return "{" + strings.Join(w, ",") + "}"
}
