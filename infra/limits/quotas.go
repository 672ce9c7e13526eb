package limits

import "fmt"

// The quotas and accepted values AWS documents for what this stack
// declares, in one place: the checks of this package, the configuration's
// validation and the tests read them from here. docs/infrastructure.md
// cites the AWS page of each. The bounds the route check needs (package
// signin/functions/routecheck, which make dev runs too: API Gateway's stage
// name, method ARN, authorizer TTL, resources and authorizers per REST API,
// and Lambda's 4 KB environment) live in signin/functions/gateway
// (quotas.go), which knows nothing of infra, and are read from there.

// Lambda: 128 to 10,240 MB of memory; a timeout of 1 to 900 seconds.
const (
	MinMemory  = 128
	MaxMemory  = 10240
	MaxTimeout = 900
)

// AWS WAF rate-based rules: a limit from 10 to 2,000,000,000 requests per
// evaluation window.
const (
	MinRateLimit = 10
	MaxRateLimit = 2_000_000_000
)

// EvaluationWindows are the evaluation windows, in seconds, a WAF
// rate-based rule accepts.
var EvaluationWindows = []int{60, 120, 300, 600}

// LogRetentionDays lists the retention periods CloudWatch Logs accepts, in
// days.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// ErrLogRetention is what CheckLogRetention reports of a period
// CloudWatch Logs refuses, for a caller that names the period its own way.
var ErrLogRetention = fmt.Errorf("CloudWatch Logs accepts only %v", LogRetentionDays)
