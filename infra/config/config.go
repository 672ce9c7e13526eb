// Package config reads and validates the settings of a signin stack: the
// Google client the page signs in with, who may call the API, how long the
// API caches the authorizer's answers, how long logs are kept and how hard
// the API is throttled.
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
	"signin/infra/project"
)

// Keys of the settings in the stack's configuration (Pulumi.<stack>.yaml,
// below the project's namespace "signin").
const (
	KeyGoogleClientID     = project.KeyGoogleClientID
	KeyAllowedEmails      = "allowedEmails"
	KeyAllowedDomains     = "allowedDomains"
	KeyAuthorizerCacheTTL = "authorizerCacheTtl"
	KeyLogRetentionDays   = "logRetentionDays"
	KeyThrottleRateLimit  = "throttleRateLimit"
	KeyThrottleBurstLimit = "throttleBurstLimit"
)

// Defaults of the optional settings.
const (
	DefaultLogRetentionDays   = 14
	DefaultThrottleRateLimit  = 10
	DefaultThrottleBurstLimit = 20
)

// MaxThrottleBurstLimit is the largest burst accepted: API Gateway's default
// account-wide burst quota.
const MaxThrottleBurstLimit = 5000

// LogRetentionDays lists the retention periods CloudWatch Logs accepts, in
// days.
var LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// domainPattern is the shape of a hosted (Google Workspace) domain.
var domainPattern = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$`)

// Config is the validated configuration of a stack.
type Config struct {
	// GoogleClientID is the OAuth 2.0 client ID the page signs in with and
	// the authorizer accepts as the token's audience.
	GoogleClientID string
	// AllowedEmails, if not empty, are the only email addresses allowed to
	// call the API.
	AllowedEmails []string
	// AllowedDomains, if not empty, are the only hosted domains whose users
	// may call the API.
	AllowedDomains []string
	// AuthorizerCacheTTL is how many seconds API Gateway caches the
	// authorizer's answer for a token; 0 turns the cache off.
	AuthorizerCacheTTL int
	// LogRetentionDays is how long the functions' logs are kept.
	LogRetentionDays int
	// ThrottleRateLimit is the steady number of requests per second the API
	// accepts.
	ThrottleRateLimit float64
	// ThrottleBurstLimit is the number of requests the API accepts at once.
	ThrottleBurstLimit int
}

// Default returns the configuration with every optional setting at its
// default and no client ID.
func Default() Config {
	return Config{
		AuthorizerCacheTTL: gateway.DefaultAuthorizerTTL,
		LogRetentionDays:   DefaultLogRetentionDays,
		ThrottleRateLimit:  DefaultThrottleRateLimit,
		ThrottleBurstLimit: DefaultThrottleBurstLimit,
	}
}

// Validate reports every setting of c that is wrong, each with how to fix
// it.
func (c Config) Validate() error {
	var errs []error
	if err := project.ValidateClientID(c.GoogleClientID); err != nil {
		errs = append(errs, err)
	}
	for _, e := range c.AllowedEmails {
		if local, domain, ok := strings.Cut(e, "@"); !ok || local == "" || !domainPattern.MatchString(domain) || strings.ContainsAny(local, " ,") {
			errs = append(errs, fmt.Errorf("%s: %q is not an email address: list addresses such as ada@example.com", KeyAllowedEmails, e))
		}
	}
	for _, d := range c.AllowedDomains {
		if !domainPattern.MatchString(d) {
			errs = append(errs, fmt.Errorf("%s: %q is not a domain name: list domains such as example.com, without @", KeyAllowedDomains, d))
		}
	}
	if c.AuthorizerCacheTTL < 0 || c.AuthorizerCacheTTL > gateway.MaxAuthorizerTTL {
		errs = append(errs, fmt.Errorf("%s is %d: give seconds from 0 (no cache) to %d", KeyAuthorizerCacheTTL, c.AuthorizerCacheTTL, gateway.MaxAuthorizerTTL))
	}
	if !slices.Contains(LogRetentionDays, c.LogRetentionDays) {
		errs = append(errs, fmt.Errorf("%s is %d: CloudWatch Logs accepts only %v", KeyLogRetentionDays, c.LogRetentionDays, LogRetentionDays))
	}
	if c.ThrottleRateLimit <= 0 {
		errs = append(errs, fmt.Errorf("%s is %g: give a number of requests per second above 0", KeyThrottleRateLimit, c.ThrottleRateLimit))
	}
	if c.ThrottleBurstLimit < 1 || c.ThrottleBurstLimit > MaxThrottleBurstLimit {
		errs = append(errs, fmt.Errorf("%s is %d: give a number of requests from 1 to %d", KeyThrottleBurstLimit, c.ThrottleBurstLimit, MaxThrottleBurstLimit))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	// The authorizer checks its environment again when it starts; what it
	// would refuse must fail the deployment, not every request.
	env := c.AuthorizerEnvironment()
	if _, err := authorizer.ConfigFromEnv(func(k string) string { return env[k] }); err != nil {
		return fmt.Errorf("the authorizer would refuse this configuration: %w", err)
	}
	return nil
}

// AuthorizerEnvironment returns the authorizer function's environment: the
// client ID and the allow-lists, comma-separated. The OIDC issuer and key
// set keep the authorizer's Google defaults.
func (c Config) AuthorizerEnvironment() map[string]string {
	env := map[string]string{authorizer.EnvClientID: c.GoogleClientID}
	if len(c.AllowedEmails) > 0 {
		env[authorizer.EnvAllowedEmails] = strings.Join(c.AllowedEmails, ",")
	}
	if len(c.AllowedDomains) > 0 {
		env[authorizer.EnvAllowedDomains] = strings.Join(c.AllowedDomains, ",")
	}
	return env
}
