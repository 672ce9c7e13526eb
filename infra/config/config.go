// Package config reads and validates the settings of a signin stack: the
// Google client the page signs in with, who may call the API, how long the
// API caches the authorizer's answers, how long logs are kept and at what
// level, how hard the API is throttled, the custom domain names of the site
// and the API, and where alarms are sent.
//
// Every setting is checked before any resource is declared, and every error
// says which setting is wrong and how to fix it.
package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/functions/stackconfig"
	"signin/infra/limits"
	"signin/infra/project"
)

// Keys of the settings in the stack's configuration (Pulumi.<stack>.yaml,
// below the project's namespace "signin").
const (
	KeyGoogleClientID     = project.KeyGoogleClientID
	KeyAllowedEmails      = stackconfig.KeyAllowedEmails
	KeyAllowedDomains     = stackconfig.KeyAllowedDomains
	KeyGroups             = stackconfig.KeyGroups
	KeyWorkloads          = stackconfig.KeyWorkloads
	KeyTrustEmails        = stackconfig.KeyTrustEmails
	KeyAuthorizerCacheTTL = stackconfig.KeyAuthorizerCacheTTL
	KeyLogRetentionDays   = "logRetentionDays"
	KeyThrottleRateLimit  = "throttleRateLimit"
	KeyThrottleBurstLimit = "throttleBurstLimit"
	KeyLogLevel           = "logLevel"
	KeySiteDomain         = "siteDomain"
	KeyAPIDomain          = "apiDomain"
	KeyHostedZoneID       = "hostedZoneId"
	KeyHostedZoneName     = "hostedZoneName"
	KeyDisableExecuteAPI  = "disableExecuteApiEndpoint"
	KeyAlarmEmail         = "alarmEmail"
)

// keyAWSProfile is the AWS provider's own setting (aws:profile) for the
// named profile of the AWS CLI; the stack's explicit providers use it too.
const keyAWSProfile = "aws:profile"

// Defaults of the optional settings.
const (
	DefaultLogRetentionDays   = 14
	defaultThrottleRateLimit  = 10
	defaultThrottleBurstLimit = 20
	DefaultLogLevel           = "INFO"
)

// apiDomainPrefix is what the API's domain name adds in front of the site's
// when apiDomain is not set.
const apiDomainPrefix = "api."

// logLevels are the application log levels a function may log at, most
// detailed first: Lambda drops the lines below the chosen one. FATAL, which
// Lambda also accepts, would drop the ERROR lines the authorizer's failure
// alarm counts.
var logLevels = []string{"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}

// maxThrottleBurstLimit is the largest burst accepted: API Gateway's default
// account-wide burst quota.
const maxThrottleBurstLimit = 5000

// hostnamePattern is the shape of a DNS name a certificate can be issued
// for: lower-case labels of letters, digits and inner hyphens, of at most
// 63 characters each, and a top-level domain of letters.
var hostnamePattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// hostedZoneIDPattern is the shape of a Route 53 hosted zone ID.
var hostedZoneIDPattern = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)

// maxHostnameLength is the longest DNS name, in characters.
const maxHostnameLength = 253

// Settings is the validated configuration of a stack.
type Settings struct {
	// Stage is the name of the API's stage: the stack's name.
	Stage string
	// GoogleClientID is the OAuth 2.0 client ID the page signs in with and
	// the authorizer accepts as the token's audience.
	GoogleClientID string
	// Authorizer holds whom the authorizer admits and how long API Gateway
	// caches its answer: the settings `make dev` reads too.
	stackconfig.Authorizer
	// LogRetentionDays is how long the functions' logs are kept.
	LogRetentionDays int
	// ThrottleRateLimit is the steady number of requests per second the API
	// accepts.
	ThrottleRateLimit float64
	// ThrottleBurstLimit is the number of requests the API accepts at once.
	ThrottleBurstLimit int
	// LogLevel is the least severe level of the functions' log lines that
	// Lambda keeps, one of logLevels.
	LogLevel string

	// SiteDomain, if set, is the site's own domain name, such as
	// app.example.com, served by CloudFront with a certificate of its own.
	SiteDomain string
	// APIDomain, if set, is the API's own domain name, such as
	// api.example.com. Load sets it to apiDomainPrefix + SiteDomain when
	// only SiteDomain is set.
	APIDomain string
	// HostedZoneID or HostedZoneName (exactly one, with a SiteDomain) names
	// the public Route 53 hosted zone that holds the domain names.
	HostedZoneID, HostedZoneName string
	// DisableExecuteAPIEndpoint turns off the API's default execute-api
	// address, so that APIDomain is the only way in.
	DisableExecuteAPIEndpoint bool

	// AlarmEmail, if set, is subscribed to the topic the alarms notify.
	AlarmEmail string

	// AWSProfile is the AWS provider's profile (aws:profile), if set.
	AWSProfile string

	// Observe holds the API's logs, tracing, the web application firewalls
	// and the site's access logs.
	Observe Observability
}

// Default returns the configuration with every optional setting at its
// default and no client ID.
func Default() Settings {
	return Settings{
		Authorizer:         stackconfig.Default(),
		LogRetentionDays:   DefaultLogRetentionDays,
		ThrottleRateLimit:  defaultThrottleRateLimit,
		ThrottleBurstLimit: defaultThrottleBurstLimit,
		LogLevel:           DefaultLogLevel,
		Observe:            defaultObservability(),
	}
}

// APIURL returns the API's address on its own domain name, which serves the
// stage at its root, so the routes live under gateway.Prefix there, or ""
// when it has none.
func (c Settings) APIURL() string {
	if c.APIDomain == "" {
		return ""
	}
	return "https://" + c.APIDomain + gateway.Prefix
}

// validate reports every setting of c that is wrong, each with how to fix
// it.
func (c Settings) validate() error {
	var errs []error
	if err := project.ValidateClientID(c.GoogleClientID); err != nil {
		errs = append(errs, err)
	}
	if limits.CheckLogRetention(c.LogRetentionDays) != nil {
		errs = append(errs, fmt.Errorf("%s is %d: %w", KeyLogRetentionDays, c.LogRetentionDays, limits.ErrLogRetention))
	}
	if c.ThrottleRateLimit <= 0 {
		errs = append(errs, fmt.Errorf("%s is %g: give a number of requests per second above 0", KeyThrottleRateLimit, c.ThrottleRateLimit))
	}
	if c.ThrottleBurstLimit < 1 || c.ThrottleBurstLimit > maxThrottleBurstLimit {
		errs = append(errs, fmt.Errorf("%s is %d: give a number of requests from 1 to %d", KeyThrottleBurstLimit, c.ThrottleBurstLimit, maxThrottleBurstLimit))
	}
	if !slices.Contains(logLevels, c.LogLevel) {
		errs = append(errs, fmt.Errorf("%s is %q: give one of %s (upper case); FATAL would hide the errors the alarms count", KeyLogLevel, c.LogLevel, strings.Join(logLevels, ", ")))
	}
	if c.AlarmEmail != "" && authorizer.CheckEmail(c.AlarmEmail) != nil {
		errs = append(errs, fmt.Errorf("%s: %q is not an email address: give one such as ops@example.com (`pulumi config set %s <address>`)", KeyAlarmEmail, c.AlarmEmail, KeyAlarmEmail))
	}
	errs = append(errs, c.validateDomains()...)
	errs = append(errs, c.Observe.validate()...)
	return errors.Join(errs...)
}

// validateDomains reports what is wrong with the custom domain settings,
// alone and together.
func (c Settings) validateDomains() []error {
	var errs []error
	for _, d := range []struct{ key, value string }{
		{KeySiteDomain, c.SiteDomain},
		{KeyAPIDomain, c.APIDomain},
		// Route 53 shows a zone's name with its final dot.
		{KeyHostedZoneName, strings.TrimSuffix(c.HostedZoneName, ".")},
	} {
		if d.value != "" {
			if err := validateHostname(d.key, d.value); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if c.HostedZoneID != "" && !hostedZoneIDPattern.MatchString(c.HostedZoneID) {
		errs = append(errs, fmt.Errorf("%s %q is not a Route 53 hosted zone ID: give the ID that `aws route53 list-hosted-zones` shows after /hostedzone/, such as Z0123456789ABCDEFGHIJ", KeyHostedZoneID, c.HostedZoneID))
	}
	zoneSet := c.HostedZoneID != "" || c.HostedZoneName != ""
	switch {
	case c.SiteDomain == "":
		if c.APIDomain != "" {
			errs = append(errs, fmt.Errorf("%s is set but %s is not: the API's CORS origin is the site's, so give the site a domain name too (`pulumi config set %s app.example.com`), or remove %s", KeyAPIDomain, KeySiteDomain, KeySiteDomain, KeyAPIDomain))
		}
		if zoneSet {
			errs = append(errs, fmt.Errorf("a hosted zone is set but %s is not: set %s, or remove %s and %s", KeySiteDomain, KeySiteDomain, KeyHostedZoneID, KeyHostedZoneName))
		}
	case !zoneSet:
		errs = append(errs, fmt.Errorf("%s is set but no hosted zone is: name the public Route 53 zone that holds it with `pulumi config set %s <zone-id>` or `pulumi config set %s example.com`", KeySiteDomain, KeyHostedZoneID, KeyHostedZoneName))
	case c.HostedZoneID != "" && c.HostedZoneName != "":
		errs = append(errs, fmt.Errorf("both %s and %s are set: keep one (`pulumi config rm %s`)", KeyHostedZoneID, KeyHostedZoneName, KeyHostedZoneName))
	case c.HostedZoneName != "":
		if err := c.CheckZone(c.HostedZoneName); err != nil {
			errs = append(errs, err)
		}
	}
	if c.SiteDomain != "" && c.SiteDomain == c.APIDomain {
		errs = append(errs, fmt.Errorf("%s and %s are both %q: give the API a name of its own, such as %s%s", KeySiteDomain, KeyAPIDomain, c.SiteDomain, apiDomainPrefix, c.SiteDomain))
	}
	if c.DisableExecuteAPIEndpoint && c.APIDomain == "" {
		errs = append(errs, fmt.Errorf("%s is true but the API has no domain name, so nothing could reach it: set %s (the API's name defaults to %s<%s>), or `pulumi config set %s false`", KeyDisableExecuteAPI, KeySiteDomain, apiDomainPrefix, KeySiteDomain, KeyDisableExecuteAPI))
	}
	return errs
}

// CheckZone reports a custom domain name that the hosted zone named zone
// (with or without its final dot) cannot hold.
func (c Settings) CheckZone(zone string) error {
	zone = strings.ToLower(strings.TrimSuffix(zone, "."))
	var errs []error
	for _, d := range []struct{ key, value string }{
		{KeySiteDomain, c.SiteDomain},
		{KeyAPIDomain, c.APIDomain},
	} {
		if d.value != "" && d.value != zone && !strings.HasSuffix(d.value, "."+zone) {
			errs = append(errs, fmt.Errorf("%s %q is not in the hosted zone %s: give a name that ends in .%s, or the zone that holds %s", d.key, d.value, zone, zone, d.value))
		}
	}
	return errors.Join(errs...)
}

// validateHostname reports what is wrong with the DNS name value of key.
func validateHostname(key, value string) error {
	fix := fmt.Sprintf("give a name such as app.example.com (`pulumi config set %s <name>`)", key)
	switch {
	case strings.Contains(value, "://") || strings.ContainsAny(value, "/:"):
		return fmt.Errorf("%s %q is not a domain name: give the name alone, without scheme, port or path: %s", key, value, fix)
	case strings.HasSuffix(value, "."):
		return fmt.Errorf("%s %q ends with a dot: remove it", key, value)
	case strings.Contains(value, "*"):
		return fmt.Errorf("%s %q is a wildcard: %s", key, value, fix)
	case value != strings.ToLower(value):
		return fmt.Errorf("%s %q has upper-case letters: write it in lower case (%s)", key, value, strings.ToLower(value))
	case len(value) > maxHostnameLength:
		return fmt.Errorf("%s has %d characters, more than the %d of a DNS name: %s", key, len(value), maxHostnameLength, fix)
	case !hostnamePattern.MatchString(value):
		return fmt.Errorf("%s %q is not a domain name (labels of letters, digits and inner hyphens, separated by dots): %s", key, value, fix)
	}
	return nil
}

// AuthorizerEnvironment returns the authorizer function's environment: the
// client ID, the stack's authorizer settings (allow-lists, groups,
// workloads) and the access rules of routes
// (stackconfig.Authorizer.Config).
func (c Settings) AuthorizerEnvironment(routes gateway.Table) map[string]string {
	return c.Authorizer.Config(c.GoogleClientID, routes).Environ()
}
