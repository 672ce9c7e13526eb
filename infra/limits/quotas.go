package limits

import (
	"fmt"

	"signin/functions/gateway"
)

// The quotas and accepted values AWS documents for what this stack
// declares, in one place: the checks of this package, the configuration's
// validation and the tests read them from here. docs/infrastructure.md
// cites the AWS page of each. A bound a function needs at run time lives
// in functions (which knows nothing of infra) and is read from there.

// API Gateway: a stage name of at most 128 characters, a method ARN of at
// most 1,600 bytes, an authorizer result cache of at most 3,600 seconds,
// and by default 300 resources and 10 authorizers per REST API.
const (
	maxStageName     = 128
	MaxMethodARN     = 1600
	MaxAuthorizerTTL = gateway.MaxAuthorizerTTL
	MaxResources     = 300
	MaxAuthorizers   = 10
)

// Lambda: an environment of at most 4 KB, measured as the variables'
// compact JSON object, keys and values included; 128 to 10,240 MB of
// memory; a timeout of 1 to 900 seconds.
const (
	MaxEnvironment = 4096
	MinMemory      = 128
	MaxMemory      = 10240
	MaxTimeout     = 900
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
