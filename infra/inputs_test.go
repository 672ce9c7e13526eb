package main

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	acm "github.com/aws/aws-sdk-go-v2/service/acm/types"
	apigateway "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	cloudfront "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	cloudwatch "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	logs "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	lambda "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	route53 "github.com/aws/aws-sdk-go-v2/service/route53/types"
	s3 "github.com/aws/aws-sdk-go-v2/service/s3/types"
	waf "github.com/aws/aws-sdk-go-v2/service/wafv2/types"

	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
	"signin/infra/limits"
)

// rule checks the value of one input: a string, or a number as JSON has it
// (float64).
type rule func(v any) error

// inputs is the one table of every input the program may declare, by
// resource type and then by input path: each input's values are one of
// the values the AWS SDK for Go v2 lists for the field (enum), follow a
// rule AWS documents (oneOf, text, whole), or are free-form (freeForm:
// descriptions, ARNs and IDs other resources return, documents AWS parses
// itself). A path names an object's keys with ".", an array's elements with
// "[]" and any one key with "*" (a map whose keys the program chooses,
// such as a function's environment variables).
//
// checkInputs refuses a resource type or a string or number input the table
// does not list, so a new resource or setting is checked from its first
// declaration. Booleans are not listed: there is nothing to enumerate.
var inputs = map[string]map[string]rule{
	"pulumi:providers:aws": {
		"region":  text(checkRegion),
		"profile": freeForm,
	},
	"aws:apigateway/account:Account": {
		"cloudwatchRoleArn": freeForm,
	},
	"aws:acm/certificate:Certificate": {
		"domainName":       text(checkHostname),
		"validationMethod": enum[acm.ValidationMethod](),
	},
	"aws:acm/certificateValidation:CertificateValidation": {
		"certificateArn":          freeForm,
		"validationRecordFqdns[]": freeForm,
	},
	"aws:apigateway/authorizer:Authorizer": {
		"authorizerResultTtlInSeconds": whole(between(0, gateway.MaxAuthorizerTTL)),
		"authorizerUri":                freeForm,
		"identitySource":               freeForm,
		"identityValidationExpression": text(checkRegexp),
		"restApi":                      freeForm,
		"type":                         enum[apigateway.AuthorizerType](),
	},
	"aws:apigateway/basePathMapping:BasePathMapping": {
		"domainName": text(checkHostname),
		"restApi":    freeForm,
		"stageName":  text(limits.CheckStageName),
	},
	"aws:apigateway/deployment:Deployment": {
		"description": freeForm,
		"restApi":     freeForm,
		"triggers.*":  freeForm,
	},
	"aws:apigateway/domainName:DomainName": {
		"domainName":                          text(checkHostname),
		"endpointConfiguration.ipAddressType": enum[apigateway.IpAddressType](),
		"endpointConfiguration.types":         enum[apigateway.EndpointType](),
		"endpointConfiguration.types[]":       enum[apigateway.EndpointType](),
		"regionalCertificateArn":              freeForm,
		"securityPolicy":                      enum[apigateway.SecurityPolicy](),
	},
	"aws:apigateway/integration:Integration": {
		"httpMethod":            oneOf(httpMethods...),
		"integrationHttpMethod": oneOf(httpMethods...),
		"passthroughBehavior":   oneOf("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"),
		"requestTemplates.*":    freeForm,
		"resourceId":            freeForm,
		"restApi":               freeForm,
		"type":                  enum[apigateway.IntegrationType](),
		"uri":                   freeForm,
	},
	"aws:apigateway/integrationResponse:IntegrationResponse": {
		"httpMethod":           oneOf(httpMethods...),
		"resourceId":           freeForm,
		"responseParameters.*": freeForm,
		"responseTemplates.*":  freeForm,
		"restApi":              freeForm,
		"selectionPattern":     text(checkRegexp),
		"statusCode":           text(checkStatusCode),
	},
	"aws:apigateway/method:Method": {
		"authorization": oneOf("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"),
		"authorizerId":  freeForm,
		"httpMethod":    oneOf(httpMethods...),
		"resourceId":    freeForm,
		"restApi":       freeForm,
	},
	"aws:apigateway/methodResponse:MethodResponse": {
		"httpMethod":       oneOf(httpMethods...),
		"resourceId":       freeForm,
		"responseModels.*": freeForm,
		"restApi":          freeForm,
		"statusCode":       text(checkStatusCode),
	},
	"aws:apigateway/methodSettings:MethodSettings": {
		"methodPath":                    freeForm,
		"restApi":                       freeForm,
		"settings.loggingLevel":         oneOf("OFF", "ERROR", "INFO"),
		"settings.throttlingBurstLimit": whole(between(0, math.MaxInt32)),
		"settings.throttlingRateLimit":  number(0, math.MaxFloat64),
		"stageName":                     text(limits.CheckStageName),
	},
	"aws:apigateway/resource:Resource": {
		"parentId": freeForm,
		"pathPart": freeForm,
		"restApi":  freeForm,
	},
	"aws:apigateway/response:Response": {
		"responseParameters.*": freeForm,
		"responseTemplates.*":  freeForm,
		"responseType":         enum[apigateway.GatewayResponseType](),
		"restApiId":            freeForm,
	},
	"aws:apigateway/restApi:RestApi": {
		"description":                 freeForm,
		"endpointConfiguration.types": enum[apigateway.EndpointType](),
	},
	"aws:apigateway/stage:Stage": {
		"accessLogSettings.destinationArn": freeForm,
		"accessLogSettings.format":         freeForm,
		"deployment":                       freeForm,
		"restApi":                          freeForm,
		"stageName":                        text(limits.CheckStageName),
	},
	"aws:cloudfront/distribution:Distribution": {
		"aliases[]":                                         text(checkHostname),
		"comment":                                           freeForm,
		"customErrorResponses[].errorCode":                  whole(limits.CheckErrorCode),
		"customErrorResponses[].responseCode":               whole(checkHTTPStatus),
		"customErrorResponses[].errorCachingMinTtl":         whole(between(0, math.MaxInt32)),
		"customErrorResponses[].responsePagePath":           freeForm,
		"defaultCacheBehavior.allowedMethods[]":             enum[cloudfront.Method](),
		"defaultCacheBehavior.cachePolicyId":                freeForm,
		"defaultCacheBehavior.cachedMethods[]":              enum[cloudfront.Method](),
		"defaultCacheBehavior.responseHeadersPolicyId":      freeForm,
		"defaultCacheBehavior.targetOriginId":               freeForm,
		"defaultCacheBehavior.viewerProtocolPolicy":         enum[cloudfront.ViewerProtocolPolicy](),
		"loggingConfig.bucket":                              freeForm,
		"loggingConfig.prefix":                              freeForm,
		"defaultRootObject":                                 freeForm,
		"httpVersion":                                       enum[cloudfront.HttpVersion](),
		"orderedCacheBehaviors[].allowedMethods[]":          enum[cloudfront.Method](),
		"orderedCacheBehaviors[].cachePolicyId":             freeForm,
		"orderedCacheBehaviors[].cachedMethods[]":           enum[cloudfront.Method](),
		"orderedCacheBehaviors[].originRequestPolicyId":     freeForm,
		"orderedCacheBehaviors[].pathPattern":               freeForm,
		"orderedCacheBehaviors[].targetOriginId":            freeForm,
		"orderedCacheBehaviors[].viewerProtocolPolicy":      enum[cloudfront.ViewerProtocolPolicy](),
		"origins[].customOriginConfig.httpPort":             whole(checkOriginPort),
		"origins[].customOriginConfig.httpsPort":            whole(checkOriginPort),
		"origins[].customOriginConfig.originProtocolPolicy": enum[cloudfront.OriginProtocolPolicy](),
		"origins[].customOriginConfig.originSslProtocols[]": enum[cloudfront.SslProtocol](),
		"origins[].domainName":                              freeForm,
		"origins[].originAccessControlId":                   freeForm,
		"origins[].originId":                                freeForm,
		"origins[].originPath":                              freeForm,
		"priceClass":                                        enum[cloudfront.PriceClass](),
		"restrictions.geoRestriction.restrictionType":       enum[cloudfront.GeoRestrictionType](),
		"viewerCertificate.acmCertificateArn":               freeForm,
		"viewerCertificate.minimumProtocolVersion":          enum[cloudfront.MinimumProtocolVersion](),
		"viewerCertificate.sslSupportMethod":                enum[cloudfront.SSLSupportMethod](),
		"webAclId":                                          freeForm,
	},
	"aws:cloudfront/originAccessControl:OriginAccessControl": {
		"description":                   freeForm,
		"originAccessControlOriginType": enum[cloudfront.OriginAccessControlOriginTypes](),
		"signingBehavior":               enum[cloudfront.OriginAccessControlSigningBehaviors](),
		"signingProtocol":               enum[cloudfront.OriginAccessControlSigningProtocols](),
	},
	"aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": {
		"comment":                            freeForm,
		"customHeadersConfig.items[].header": freeForm,
		"customHeadersConfig.items[].value":  freeForm,
		"securityHeadersConfig.contentSecurityPolicy.contentSecurityPolicy":    freeForm,
		"securityHeadersConfig.frameOptions.frameOption":                       enum[cloudfront.FrameOptionsList](),
		"securityHeadersConfig.referrerPolicy.referrerPolicy":                  enum[cloudfront.ReferrerPolicyList](),
		"securityHeadersConfig.strictTransportSecurity.accessControlMaxAgeSec": whole(between(0, math.MaxInt32)),
	},
	"aws:cloudwatch/dashboard:Dashboard": {
		"dashboardBody": freeForm,
		"dashboardName": text(checkDashboardName),
	},
	"aws:cloudwatch/logGroup:LogGroup": {
		"name":            text(limits.CheckLogGroupName),
		"namePrefix":      text(limits.CheckLogGroupNamePrefix),
		"retentionInDays": whole(limits.CheckLogRetention),
	},
	"aws:cloudwatch/logMetricFilter:LogMetricFilter": {
		"logGroupName":                   text(limits.CheckLogGroupName),
		"metricTransformation.name":      freeForm,
		"metricTransformation.namespace": freeForm,
		"metricTransformation.unit":      enum[logs.StandardUnit](),
		"metricTransformation.value":     freeForm,
		"pattern":                        freeForm,
	},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {
		"alarmActions[]":     freeForm,
		"alarmDescription":   freeForm,
		"comparisonOperator": enum[cloudwatch.ComparisonOperator](),
		"dimensions.*":       freeForm,
		"evaluationPeriods":  whole(between(1, math.MaxInt32)),
		"metricName":         freeForm,
		"namespace":          freeForm,
		"okActions[]":        freeForm,
		"period":             whole(checkAlarmPeriod),
		"statistic":          enum[cloudwatch.Statistic](),
		"threshold":          number(-math.MaxFloat64, math.MaxFloat64),
		"treatMissingData":   oneOf("breaching", "notBreaching", "ignore", "missing"),
		"unit":               enum[cloudwatch.StandardUnit](),
	},
	"aws:iam/role:Role": {
		"assumeRolePolicy": freeForm,
		"description":      freeForm,
		"name":             text(limits.CheckRoleName),
		"namePrefix":       text(limits.CheckRoleNamePrefix),
	},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
		"policyArn": freeForm,
		"role":      text(limits.CheckRoleName),
	},
	"aws:lambda/function:Function": {
		"architectures[]":                   enum[lambda.Architecture](),
		"code":                              freeForm,
		"environment.variables.*":           freeForm,
		"handler":                           freeForm,
		"loggingConfig.applicationLogLevel": enum[lambda.ApplicationLogLevel](),
		"loggingConfig.logFormat":           enum[lambda.LogFormat](),
		"loggingConfig.logGroup":            text(limits.CheckLogGroupName),
		"loggingConfig.systemLogLevel":      enum[lambda.SystemLogLevel](),
		"memorySize":                        whole(between(limits.MinMemory, limits.MaxMemory)),
		"name":                              text(limits.CheckFunctionName),
		"role":                              freeForm,
		"runtime":                           enum[lambda.Runtime](),
		"sourceCodeHash":                    freeForm,
		"timeout":                           whole(between(1, limits.MaxTimeout)),
		"tracingConfig.mode":                enum[lambda.TracingMode](),
	},
	"aws:lambda/permission:Permission": {
		"action":    freeForm,
		"function":  freeForm,
		"principal": freeForm,
		"sourceArn": freeForm,
	},
	"aws:route53/record:Record": {
		"aliases[].name":   freeForm,
		"aliases[].zoneId": freeForm,
		"name":             freeForm,
		"records[]":        freeForm,
		"ttl":              whole(between(0, math.MaxInt32)),
		"type":             enum[route53.RRType](),
		"zoneId":           freeForm,
	},
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": {
		"bucket":                  text(limits.CheckBucketName),
		"rules[].expiration.days": whole(between(1, math.MaxInt32)),
		"rules[].filter.prefix":   freeForm,
		"rules[].id":              freeForm,
		"rules[].status":          enum[s3.ExpirationStatus](),
	},
	"aws:s3/bucketLoggingV2:BucketLoggingV2": {
		"bucket":       text(limits.CheckBucketName),
		"targetBucket": text(limits.CheckBucketName),
		"targetPrefix": freeForm,
	},
	"aws:s3/bucketObjectv2:BucketObjectv2": {
		"bucket":        text(limits.CheckBucketName),
		"cacheControl":  freeForm,
		"content":       freeForm,
		"contentBase64": freeForm,
		"contentType":   freeForm,
		"key":           freeForm,
	},
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls": {
		"bucket":               text(limits.CheckBucketName),
		"rule.objectOwnership": enum[s3.ObjectOwnership](),
	},
	"aws:s3/bucketPolicy:BucketPolicy": {
		"bucket": text(limits.CheckBucketName),
		"policy": freeForm,
	},
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": {
		"bucket": text(limits.CheckBucketName),
	},
	"aws:s3/bucketV2:BucketV2": {
		"bucket":       text(limits.CheckBucketName),
		"bucketPrefix": text(limits.CheckBucketNamePrefix),
	},
	"aws:sns/topic:Topic": {
		"displayName": freeForm,
	},
	"aws:sns/topicSubscription:TopicSubscription": {
		"endpoint": freeForm,
		"protocol": oneOf("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"),
		"topic":    freeForm,
	},
	"aws:wafv2/webAcl:WebAcl": {
		"customResponseBodies[].content":                              freeForm,
		"customResponseBodies[].contentType":                          enum[waf.ResponseContentType](),
		"customResponseBodies[].key":                                  freeForm,
		"rules[].action.block.customResponse.customResponseBodyKey":   freeForm,
		"rules[].action.block.customResponse.responseCode":            whole(between(200, 599)),
		"rules[].action.block.customResponse.responseHeaders[].name":  freeForm,
		"rules[].action.block.customResponse.responseHeaders[].value": freeForm,
		"rules[].statement.labelMatchStatement.key":                   freeForm,
		"rules[].statement.labelMatchStatement.scope":                 enum[waf.LabelMatchScope](),
		"description":      freeForm,
		"name":             freeForm,
		"scope":            enum[waf.Scope](),
		"rules[].name":     freeForm,
		"rules[].priority": whole(between(0, math.MaxInt32)),
		"rules[].statement.managedRuleGroupStatement.name":         freeForm,
		"rules[].statement.managedRuleGroupStatement.vendorName":   freeForm,
		"rules[].statement.rateBasedStatement.aggregateKeyType":    enum[waf.RateBasedStatementAggregateKeyType](),
		"rules[].statement.rateBasedStatement.evaluationWindowSec": whole(limits.CheckEvaluationWindow),
		"rules[].statement.rateBasedStatement.limit":               whole(limits.CheckRateLimit),
		"rules[].visibilityConfig.metricName":                      freeForm,
		"visibilityConfig.metricName":                              freeForm,
	},
	"aws:wafv2/webAclAssociation:WebAclAssociation": {
		"resourceArn": freeForm,
		"webAclArn":   freeForm,
	},
}

// dashboardNamePattern is what CloudWatch accepts as a dashboard's name:
// up to 255 letters, digits, "-" and "_" (PutDashboard, DashboardName).
var dashboardNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// checkDashboardName refuses a name CloudWatch would not give a dashboard.
func checkDashboardName(s string) error {
	if !dashboardNamePattern.MatchString(s) {
		return fmt.Errorf("%q is not a dashboard name: up to 255 letters, digits, - and _", s)
	}
	return nil
}

// httpMethods are the methods API Gateway's methods and integrations take.
var httpMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "ANY"}

// freeForm accepts any value: the input is not enumerated.
func freeForm(any) error { return nil }

// enum accepts the values the AWS SDK for Go v2 lists for the field's type
// T.
func enum[T interface {
	~string
	Values() []T
}]() rule {
	return text(func(s string) error {
		var zero T
		values := zero.Values()
		if slices.Contains(values, T(s)) {
			return nil
		}
		return fmt.Errorf("%q is not one of the values the AWS SDK lists for %T: %v", s, zero, values)
	})
}

// oneOf accepts the values AWS documents for a field the SDK types as a
// plain string.
func oneOf(values ...string) rule {
	return text(func(s string) error {
		if slices.Contains(values, s) {
			return nil
		}
		return fmt.Errorf("%q is not one of %v", s, values)
	})
}

// text accepts a string check accepts.
func text(check func(string) error) rule {
	return func(v any) error {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%v is not a string", v)
		}
		return check(s)
	}
}

// checkOriginPort is CloudFront's rule for a custom origin's HTTP and
// HTTPS ports: 80, 443, or 1024 to 65535.
func checkOriginPort(port int) error {
	if port == 80 || port == 443 || (port >= 1024 && port <= 65535) {
		return nil
	}
	return fmt.Errorf("port %d is not 80, 443 or 1024 to 65535", port)
}

// whole accepts a whole number check accepts.
func whole(check func(int) error) rule {
	return func(v any) error {
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32*2 {
			return fmt.Errorf("%v is not a whole number", v)
		}
		return check(int(f))
	}
}

// number accepts a number from lo to hi.
func number(lo, hi float64) rule {
	return func(v any) error {
		f, ok := v.(float64)
		if !ok || f < lo || f > hi {
			return fmt.Errorf("%v is not a number from %g to %g", v, lo, hi)
		}
		return nil
	}
}

// between returns a check of whole numbers from lo to hi.
func between(lo, hi int) func(int) error {
	return func(n int) error {
		if n < lo || n > hi {
			return fmt.Errorf("%d is not from %d to %d", n, lo, hi)
		}
		return nil
	}
}

// regionPattern is the shape of an AWS region's name, such as eu-central-1
// or us-gov-west-1.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

func checkRegion(s string) error {
	if !regionPattern.MatchString(s) {
		return fmt.Errorf("%q is not an AWS region's name", s)
	}
	return nil
}

// hostnamePattern is a DNS name of lower-case labels.
var hostnamePattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

func checkHostname(s string) error {
	if len(s) > 253 || !hostnamePattern.MatchString(s) {
		return fmt.Errorf("%q is not a DNS name", s)
	}
	return nil
}

func checkRegexp(s string) error {
	_, err := regexp.Compile(s)
	return err
}

// checkStatusCode accepts an HTTP status code written as text, as API
// Gateway's method and integration responses take it.
func checkStatusCode(s string) error {
	var code int
	if _, err := fmt.Sscanf(s, "%d", &code); err != nil || fmt.Sprint(code) != s {
		return fmt.Errorf("%q is not an HTTP status code", s)
	}
	return checkHTTPStatus(code)
}

func checkHTTPStatus(code int) error {
	if code < 100 || code > 599 {
		return fmt.Errorf("%d is not an HTTP status code", code)
	}
	return nil
}

// checkAlarmPeriod accepts the periods CloudWatch alarms take: 10, 20 or
// 30 seconds (high resolution), or a multiple of 60.
func checkAlarmPeriod(s int) error {
	if s == 10 || s == 20 || s == 30 || s > 0 && s%60 == 0 {
		return nil
	}
	return fmt.Errorf("alarm period of %d seconds: give 10, 20, 30 or a multiple of 60", s)
}

// checkInputs reports every input of the resources snaps that the table
// inputs does not know or that AWS would refuse, and every limit the
// resources break together: a function's environment over 4 KB, more
// resources in a REST API than API Gateway allows.
func checkInputs(snaps []stacktest.Snapshot) error {
	var problems []string
	resources := map[string]int{}
	for _, s := range snaps {
		if strings.HasPrefix(s.Type, "signin:") {
			continue
		}
		rules, ok := inputs[s.Type]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s %s: the resource type is not in the input table (infra/inputs_test.go): list its inputs", s.Type, s.Name))
			continue
		}
		leaves(s.Inputs, nil, func(path []string, v any) {
			where := strings.Join(path, ".")
			check := match(rules, path)
			switch {
			case check == nil:
				problems = append(problems, fmt.Sprintf("%s %s: input %s is not in the input table (infra/inputs_test.go): map it to the SDK's enum type, a documented rule, or freeForm", s.Type, s.Name, where))
			case v == "<unknown>":
			default:
				if err := check(v); err != nil {
					problems = append(problems, fmt.Sprintf("%s %s: input %s: %v", s.Type, s.Name, where, err))
				}
			}
		})
		switch s.Type {
		case "aws:lambda/function:Function":
			if err := gateway.CheckEnvironment(environment(s.Inputs)); err != nil {
				problems = append(problems, fmt.Sprintf("%s %s: %v", s.Type, s.Name, err))
			}
		case "aws:apigateway/resource:Resource":
			resources[fmt.Sprint(s.Inputs["restApi"])]++
		}
	}
	for api, n := range resources {
		// API Gateway creates the root resource; the program declares the
		// others.
		if err := gateway.CheckResources(n + 1); err != nil {
			problems = append(problems, fmt.Sprintf("REST API %s: %v", api, err))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return fmt.Errorf("inputs AWS would refuse or the table does not know:\n  %s", strings.Join(problems, "\n  "))
}

// environment returns a function's environment variables from its inputs.
func environment(in map[string]any) map[string]string {
	env := map[string]string{}
	e, _ := in["environment"].(map[string]any)
	vars, _ := e["variables"].(map[string]any)
	for k, v := range vars {
		if s, ok := v.(map[string]any); ok {
			v = s["secret"]
		}
		env[k] = fmt.Sprint(v)
	}
	return env
}

// leaves calls visit with the path and value of every string and number in
// v, a secret's value in its place.
func leaves(v any, path []string, visit func([]string, any)) {
	switch v := v.(type) {
	case map[string]any:
		if secret, ok := v["secret"]; ok && len(v) == 1 {
			leaves(secret, path, visit)
			return
		}
		for k, e := range v {
			leaves(e, append(slices.Clip(path), k), visit)
		}
	case []any:
		elem := slices.Clone(path)
		if len(elem) > 0 {
			elem[len(elem)-1] += "[]"
		}
		for _, e := range v {
			leaves(e, elem, visit)
		}
	case string, float64:
		visit(path, v)
	}
}

// match returns the rule of the input at path, or nil when the table does
// not list it.
func match(rules map[string]rule, path []string) rule {
	for pattern, r := range rules {
		p := strings.Split(pattern, ".")
		if len(p) != len(path) {
			continue
		}
		ok := true
		for i := range p {
			if p[i] != path[i] && (p[i] != "*" || strings.HasSuffix(path[i], "[]")) {
				ok = false
				break
			}
		}
		if ok {
			return r
		}
	}
	return nil
}
