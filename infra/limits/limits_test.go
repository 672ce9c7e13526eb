package limits

import (
	"strings"
	"testing"
)

// Each check accepts the limit's edge and refuses one past it, with a
// message naming what is wrong.
func TestChecksAcceptTheEdgeAndRefuseOnePast(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"function name of 64", CheckFunctionName(strings.Repeat("f", 64)), ""},
		{"function name of 65", CheckFunctionName(strings.Repeat("f", 65)), "more than the 64 AWS allows: shorten it by 1"},
		{"function name with a period", CheckFunctionName("hello.world"), "may hold only letters, digits, - and _"},
		{"role name of 64", CheckRoleName(strings.Repeat("r", 64)), ""},
		{"role name with a space", CheckRoleName("my role"), "may hold only"},
		{"role name prefix of 38", CheckRoleNamePrefix(strings.Repeat("r", 38)), ""},
		{"role name prefix of 39", CheckRoleNamePrefix(strings.Repeat("r", 39)), "more than the 38"},
		{"log group name of 512", CheckLogGroupName("/" + strings.Repeat("l", 511)), ""},
		{"log group name of 513", CheckLogGroupName("/" + strings.Repeat("l", 512)), "more than the 512"},
		{"log group name with a colon", CheckLogGroupName("/aws/lambda:x"), "may hold only"},
		{"log group name prefix of 487", CheckLogGroupNamePrefix(strings.Repeat("l", 487)), "more than the 486"},
		{"bucket name of 63", CheckBucketName(strings.Repeat("b", 63)), ""},
		{"bucket name of 2", CheckBucketName("bb"), "fewer than the 3"},
		{"bucket name in upper case", CheckBucketName("Site"), "may hold only"},
		{"bucket name with adjacent periods", CheckBucketName("a..b"), "two adjacent periods"},
		{"bucket name as an IP address", CheckBucketName("192.168.5.4"), "IP address"},
		{"bucket name with a reserved prefix", CheckBucketName("xn--site"), "starts with xn--"},
		{"bucket name with a reserved suffix", CheckBucketName("site-s3alias"), "ends with -s3alias"},
		{"bucket name prefix of 37", CheckBucketNamePrefix(strings.Repeat("b", 37)), ""},
		{"bucket name prefix of 38", CheckBucketNamePrefix(strings.Repeat("b", 38)), "more than the 37"},
		{"stage name of 128", CheckStageName(strings.Repeat("s", 128)), ""},
		{"stage name with a period", CheckStageName("dev.eu"), "may hold only"},
		{"log retention of 14 days", CheckLogRetention(14), ""},
		{"log retention of 13 days", CheckLogRetention(13), "accepts only"},
		{"rate limit of 10", CheckRateLimit(10), ""},
		{"rate limit of 9", CheckRateLimit(9), "give from 10 to 2000000000"},
		{"rate limit of 2,000,000,001", CheckRateLimit(MaxRateLimit + 1), "give from 10"},
		{"evaluation window of 600 s", CheckEvaluationWindow(600), ""},
		{"evaluation window of 30 s", CheckEvaluationWindow(30), "accepts only [60 120 300 600]"},
		{"error code 404", CheckErrorCode(404), ""},
		{"error code 401", CheckErrorCode(401), "customises only"},
	} {
		t.Run(c.name, func(t *testing.T) {
			switch {
			case c.want == "" && c.err != nil:
				t.Errorf("refused: %v", c.err)
			case c.want != "" && (c.err == nil || !strings.Contains(c.err.Error(), c.want)):
				t.Errorf("got %v, want an error containing %q", c.err, c.want)
			}
		})
	}
}
