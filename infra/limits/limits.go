// Package limits holds the limits AWS documents for the values this stack
// declares, and the checks that apply them: name lengths and characters,
// ranges of numbers, the size of a Lambda function's environment and the
// quotas a route table can reach in API Gateway. The Pulumi program runs
// them on the stack's configuration and route table before it declares
// anything, so `pulumi preview` refuses what `pulumi up` would fail on,
// and the tests run them on every input the program declares.
//
// docs/infrastructure.md lists each limit with the AWS page that documents
// it.
package limits

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"

	"signin/functions/gateway"
)

// AutoNameSuffix is the length of what Pulumi adds to a resource's name
// when it names the resource itself: a hyphen and seven random characters.
const AutoNameSuffix = len("-0123abc")

// prefixSuffix is the length of what the AWS provider adds to a name
// prefix (namePrefix) to make a unique name: a timestamp and a counter.
const prefixSuffix = len("20260101000000000000000001")

// Lambda function names: 1 to 64 letters, digits, hyphens and underscores.
const maxFunctionName = 64

var functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// CheckFunctionName reports a Lambda function name AWS refuses.
func CheckFunctionName(name string) error {
	return checkName("Lambda function name", name, 1, maxFunctionName, functionNamePattern, "letters, digits, - and _")
}

// IAM role names: 1 to 64 characters of letters, digits and _+=,.@-.
const maxRoleName = 64

var roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]+$`)

// CheckRoleName reports an IAM role name AWS refuses.
func CheckRoleName(name string) error {
	return checkName("IAM role name", name, 1, maxRoleName, roleNamePattern, "letters, digits and _+=,.@-")
}

// CheckRoleNamePrefix reports an IAM role name prefix whose names, with
// the provider's unique suffix, AWS refuses: at most 38 characters.
func CheckRoleNamePrefix(prefix string) error {
	return checkName("IAM role name prefix", prefix, 1, maxRoleName-prefixSuffix, roleNamePattern, "letters, digits and _+=,.@-")
}

// CloudWatch Logs log group names: 1 to 512 letters, digits and _-/.#.
const maxLogGroupName = 512

var logGroupNamePattern = regexp.MustCompile(`^[A-Za-z0-9_\-/.#]+$`)

// CheckLogGroupName reports a log group name CloudWatch Logs refuses.
func CheckLogGroupName(name string) error {
	return checkName("log group name", name, 1, maxLogGroupName, logGroupNamePattern, "letters, digits and _-/.#")
}

// CheckLogGroupNamePrefix reports a log group name prefix whose names, with
// the provider's unique suffix, CloudWatch Logs refuses.
func CheckLogGroupNamePrefix(prefix string) error {
	return checkName("log group name prefix", prefix, 1, maxLogGroupName-prefixSuffix, logGroupNamePattern, "letters, digits and _-/.#")
}

// S3 general purpose bucket names: 3 to 63 lower-case letters, digits,
// periods and hyphens, starting and ending with a letter or digit.
const (
	minBucketName = 3
	maxBucketName = 63
)

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

// bucketReserved are the prefixes and suffixes S3 keeps for itself.
var (
	bucketReservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	bucketReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// CheckBucketName reports an S3 bucket name S3 refuses.
func CheckBucketName(name string) error {
	if err := checkName("S3 bucket name", name, minBucketName, maxBucketName, bucketNamePattern, "lower-case letters, digits, . and -, starting and ending with a letter or digit"); err != nil {
		return err
	}
	return checkBucketReserved(name)
}

// CheckBucketNamePrefix reports an S3 bucket name prefix whose names, with
// the provider's unique suffix, S3 refuses.
func CheckBucketNamePrefix(prefix string) error {
	if err := checkName("S3 bucket name prefix", prefix, 1, maxBucketName-prefixSuffix, regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`), "lower-case letters, digits, . and -, starting with a letter or digit"); err != nil {
		return err
	}
	return checkBucketReserved(prefix + "0")
}

// checkBucketReserved reports a bucket name S3 refuses for its form: an IP
// address, adjacent periods or a reserved prefix or suffix.
func checkBucketReserved(name string) error {
	switch {
	case strings.Contains(name, ".."):
		return fmt.Errorf("S3 bucket name %q has two adjacent periods", name)
	case net.ParseIP(name) != nil:
		return fmt.Errorf("S3 bucket name %q is an IP address", name)
	}
	for _, p := range bucketReservedPrefixes {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("S3 bucket name %q starts with %s, which S3 reserves", name, p)
		}
	}
	for _, s := range bucketReservedSuffixes {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("S3 bucket name %q ends with %s, which S3 reserves", name, s)
		}
	}
	return nil
}

// stageNamePattern is what an API Gateway stage name may hold: letters,
// digits, hyphens and underscores.
var stageNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// CheckStageName reports an API Gateway stage name API Gateway refuses.
func CheckStageName(name string) error {
	return checkName("API Gateway stage name", name, 1, gateway.MaxStageName, stageNamePattern, "letters, digits, - and _")
}

// checkName reports a name outside [min, max] characters or of other
// characters than pattern allows (described by allowed).
func checkName(what, name string, minLen, maxLen int, pattern *regexp.Regexp, allowed string) error {
	switch n := len(name); {
	case n < minLen:
		return fmt.Errorf("%s %q has %d characters, fewer than the %d AWS requires", what, name, n, minLen)
	case n > maxLen:
		return fmt.Errorf("%s %q has %d characters, more than the %d AWS allows: shorten it by %d", what, name, n, maxLen, n-maxLen)
	case !pattern.MatchString(name):
		return fmt.Errorf("%s %q may hold only %s", what, name, allowed)
	}
	return nil
}

// CheckLogRetention reports a log retention period CloudWatch Logs refuses.
func CheckLogRetention(days int) error {
	if !slices.Contains(LogRetentionDays, days) {
		return fmt.Errorf("log retention of %d days: %w", days, ErrLogRetention)
	}
	return nil
}

// CheckRateLimit reports a WAF rate-based rule's limit WAF refuses.
func CheckRateLimit(limit int) error {
	if limit < MinRateLimit || limit > MaxRateLimit {
		return fmt.Errorf("WAF rate limit %d: give from %d to %d requests per evaluation window", limit, MinRateLimit, MaxRateLimit)
	}
	return nil
}

// CheckEvaluationWindow reports a WAF rate-based rule's evaluation window
// WAF refuses.
func CheckEvaluationWindow(seconds int) error {
	if !slices.Contains(EvaluationWindows, seconds) {
		return fmt.Errorf("WAF evaluation window of %d seconds: WAF accepts only %v", seconds, EvaluationWindows)
	}
	return nil
}

// errorCodes are the HTTP status codes a CloudFront distribution's custom
// error responses may replace.
var errorCodes = []int{400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504}

// CheckErrorCode reports a status code CloudFront cannot customise.
func CheckErrorCode(code int) error {
	if !slices.Contains(errorCodes, code) {
		return fmt.Errorf("CloudFront custom error response for %d: CloudFront customises only %v", code, errorCodes)
	}
	return nil
}
