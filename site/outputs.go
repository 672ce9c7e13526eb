package site

import "strings"

// The names of the stack outputs the Pulumi program exports: the one
// definition for the program, `make up` (which prints the site's URL),
// `make smoke` and the deploy workflow (which read the site's and the API's
// addresses). It lives here, in the module both the program (infra) and the
// offline stack's checks (local) use; each function's name is the output
// FunctionNameOutput names.
const (
	// OutputSiteURL holds the page's address, to register at Google and
	// open.
	OutputSiteURL = "siteUrl"
	// OutputAPIURL holds the API's own address, its /api: other clients call
	// it there; the page calls /api on its own origin.
	OutputAPIURL = "apiUrl"
	// OutputBucketName holds the name of the bucket of the page's files.
	OutputBucketName = "bucketName"
	// OutputDistributionID holds the ID of the CloudFront distribution
	// serving the page.
	OutputDistributionID = "distributionId"
	// OutputAlarmTopicARN holds the ARN of the SNS topic the alarms notify.
	OutputAlarmTopicARN = "alarmTopicArn"
	// OutputDashboardURL holds the address of the CloudWatch dashboard,
	// which `make smoke` reports.
	OutputDashboardURL = "dashboardUrl"
	// OutputAccessLogGroup holds the API's access log group, only when the
	// API's logs are on: `make smoke` looks for its own request in it.
	OutputAccessLogGroup = "accessLogGroup"
)

// FunctionNameOutput returns the name of the stack output holding the
// deployed name of the function fn: authorizerFunctionName,
// helloFunctionName, helloWorldFunctionName for hello-world.
func FunctionNameOutput(fn string) string {
	parts := strings.Split(fn, "-")
	for i, p := range parts[1:] {
		if p != "" {
			parts[i+1] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "") + "FunctionName"
}
