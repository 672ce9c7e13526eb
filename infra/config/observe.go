package config

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/infra/limits"
)

// Keys of the settings that let an operator see and shield the deployment:
// the API's logs, tracing, the web application firewalls and the site's
// access logs.
const (
	KeyAPILogging           = "apiLogging"
	KeyAPILoggingRole       = "apiLoggingRole"
	KeyAPIExecutionLogLevel = "apiExecutionLogLevel"
	KeyTracing              = "tracing"
	KeyAPIWAF               = "apiWaf"
	KeySiteWAF              = "siteWaf"
	KeyWAFRateLimit         = "wafRateLimit"
	KeyWAFRateWindow        = "wafRateWindow"
	KeySiteLogs             = "siteLogs"
)

// The values of apiLoggingRole other than a role's ARN.
const (
	// LoggingRoleAccount says the account's API Gateway CloudWatch role is
	// already set (by another stack or by hand): the stack leaves it alone.
	LoggingRoleAccount = "account"
	// LoggingRoleCreate makes the stack create a role and point the
	// account's setting at it; `pulumi destroy` leaves both in place, since
	// every API of the account and region logs through them.
	LoggingRoleCreate = "create"
)

// executionLogLevels are the logging levels of a stage's execution logs
// that Security Hub's APIGateway.1 accepts (OFF fails it).
var executionLogLevels = []string{"ERROR", "INFO"}

// Defaults of the observability settings.
const (
	defaultExecutionLogLevel = "ERROR"
	// defaultWAFRateLimit is 1,000 requests per source IP in 5 minutes:
	// about 3 a second, far above what one person signing in makes.
	defaultWAFRateLimit  = 1000
	defaultWAFRateWindow = 300
)

// roleARNPattern is the shape of an IAM role's ARN, in any partition.
var roleARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)

// Observability are the settings that let an operator see and shield the
// deployment. Every option is off by default: each costs money or, for the
// API's logs, touches an account-wide setting.
type Observability struct {
	// APILogging turns on the stage's access log and execution logging.
	APILogging bool
	// APILoggingRole says how the account's API Gateway CloudWatch role is
	// handled: LoggingRoleAccount, LoggingRoleCreate or a role's ARN. Set
	// exactly when APILogging is.
	APILoggingRole string
	// APIExecutionLogLevel is the stage's execution logging level, one of
	// executionLogLevels.
	APIExecutionLogLevel string
	// Tracing turns on X-Ray on the stage and every function.
	Tracing bool
	// APIWAF puts a regional web ACL in front of the API's stage.
	APIWAF bool
	// SiteWAF puts a CloudFront web ACL (in us-east-1) in front of the
	// site.
	SiteWAF bool
	// WAFRateLimit is how many requests one source IP may make in
	// WAFRateWindow seconds before the web ACLs block it.
	WAFRateLimit int
	// WAFRateWindow is the rate-based rule's evaluation window, in seconds.
	WAFRateWindow int
	// SiteLogs turns on CloudFront's standard logging and the site bucket's
	// server access logging, into a log bucket of the stack.
	SiteLogs bool

	// set records which of the keys were set, to tell an option set without
	// the one it needs.
	set map[string]bool
}

// defaultObservability returns every observability option off.
func defaultObservability() Observability {
	return Observability{
		APIExecutionLogLevel: defaultExecutionLogLevel,
		WAFRateLimit:         defaultWAFRateLimit,
		WAFRateWindow:        defaultWAFRateWindow,
	}
}

// CreatesLoggingRole reports whether the stack creates the account's API
// Gateway CloudWatch role.
func (o Observability) CreatesLoggingRole() bool { return o.APILoggingRole == LoggingRoleCreate }

// ExistingLoggingRoleARN returns the role the account's setting is pointed
// at when apiLoggingRole names one, or "".
func (o Observability) ExistingLoggingRoleARN() string {
	if o.APILoggingRole == LoggingRoleAccount || o.APILoggingRole == LoggingRoleCreate {
		return ""
	}
	return o.APILoggingRole
}

// load reads the observability settings into o; read reports
// a key's error unless it is unset.
func (o *Observability) load(ctx *pulumi.Context, read func(key string, try func() error)) {
	o.set = map[string]bool{}
	mark := func(key string, err error) error {
		if err == nil {
			o.set[key] = true
		}
		return err
	}
	for key, out := range map[string]*bool{
		KeyAPILogging: &o.APILogging,
		KeyTracing:    &o.Tracing,
		KeyAPIWAF:     &o.APIWAF,
		KeySiteWAF:    &o.SiteWAF,
		KeySiteLogs:   &o.SiteLogs,
	} {
		read(key, func() error { return mark(key, try(ctx, key, out)) })
	}
	for key, out := range map[string]*string{
		KeyAPILoggingRole:       &o.APILoggingRole,
		KeyAPIExecutionLogLevel: &o.APIExecutionLogLevel,
	} {
		read(key, func() error { return mark(key, try(ctx, key, out)) })
	}
	for key, out := range map[string]*int{
		KeyWAFRateLimit:  &o.WAFRateLimit,
		KeyWAFRateWindow: &o.WAFRateWindow,
	} {
		read(key, func() error { return mark(key, try(ctx, key, out)) })
	}
}

// validate reports every observability setting that is wrong, alone or
// for want of another, each with how to fix it.
func (o Observability) validate() []error {
	var errs []error
	needs := func(key, needed string, on bool, fix string) {
		if o.set[key] && !on {
			errs = append(errs, fmt.Errorf("%s is set but %s is not true: %s, or remove %s (`pulumi config rm %s`)", key, needed, fix, key, key))
		}
	}
	switch role := o.APILoggingRole; {
	case o.APILogging && role == "":
		errs = append(errs, fmt.Errorf("%s is true but %s is not set: API Gateway logs through one CloudWatch role per account and region, shared by every API there. Say how to get it: `pulumi config set %s %s` if the account already has one (API Gateway console, Settings), `%s` to have the stack create one that `pulumi destroy` leaves in place, or the ARN of an existing role", KeyAPILogging, KeyAPILoggingRole, KeyAPILoggingRole, LoggingRoleAccount, LoggingRoleCreate))
	case role != "" && role != LoggingRoleAccount && role != LoggingRoleCreate && !roleARNPattern.MatchString(role):
		errs = append(errs, fmt.Errorf("%s is %q: give %s, %s, or an IAM role's ARN such as arn:aws:iam::123456789012:role/api-gateway-logs", KeyAPILoggingRole, role, LoggingRoleAccount, LoggingRoleCreate))
	}
	needs(KeyAPILoggingRole, KeyAPILogging, o.APILogging, "turn the API's logs on with `pulumi config set "+KeyAPILogging+" true`")
	needs(KeyAPIExecutionLogLevel, KeyAPILogging, o.APILogging, "turn the API's logs on with `pulumi config set "+KeyAPILogging+" true`")
	if !slices.Contains(executionLogLevels, o.APIExecutionLogLevel) {
		errs = append(errs, fmt.Errorf("%s is %q: give ERROR (failures only) or INFO (every request's steps); Security Hub's APIGateway.1 fails OFF", KeyAPIExecutionLogLevel, o.APIExecutionLogLevel))
	}
	if limits.CheckRateLimit(o.WAFRateLimit) != nil {
		errs = append(errs, fmt.Errorf("%s is %d: give a number of requests per source IP and window from %d to %d, as AWS WAF accepts (`pulumi config set %s 1000`)", KeyWAFRateLimit, o.WAFRateLimit, limits.MinRateLimit, limits.MaxRateLimit, KeyWAFRateLimit))
	}
	if limits.CheckEvaluationWindow(o.WAFRateWindow) != nil {
		errs = append(errs, fmt.Errorf("%s is %d: AWS WAF counts requests over %v seconds only (`pulumi config set %s 300`)", KeyWAFRateWindow, o.WAFRateWindow, limits.EvaluationWindows, KeyWAFRateWindow))
	}
	waf := o.APIWAF || o.SiteWAF
	for _, key := range []string{KeyWAFRateLimit, KeyWAFRateWindow} {
		needs(key, KeyAPIWAF+" or "+KeySiteWAF, waf, "turn a web ACL on with `pulumi config set "+KeyAPIWAF+" true` or `pulumi config set "+KeySiteWAF+" true`")
	}
	return errs
}
