package config

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"signin/functions/stackconfig"
	"signin/infra/limits"
)

// Load reads the stack's configuration, fills in the defaults and validates
// it. A value of the wrong type is reported as such; a valid configuration is
// returned only with a nil error.
func Load(ctx *pulumi.Context) (Settings, error) {
	c := Default()
	var errs []error
	read := func(key string, try func() error) {
		if err := try(); err != nil && !errors.Is(err, pulumiconfig.ErrMissingVar) {
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		}
	}
	read(KeyGoogleClientID, func() (err error) {
		c.GoogleClientID, err = pulumiconfig.Try(ctx, KeyGoogleClientID)
		return err
	})
	access, err := stackconfig.Parse(func(key string) (string, bool) {
		v, err := pulumiconfig.Try(ctx, key)
		return v, err == nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	c.Authorizer = access
	read(KeyLogRetentionDays, func() error { return try(ctx, KeyLogRetentionDays, &c.LogRetentionDays) })
	read(KeyThrottleBurstLimit, func() error { return try(ctx, KeyThrottleBurstLimit, &c.ThrottleBurstLimit) })
	read(KeyThrottleRateLimit, func() error { return try(ctx, KeyThrottleRateLimit, &c.ThrottleRateLimit) })
	for key, out := range map[string]*string{
		KeyLogLevel:       &c.LogLevel,
		KeySiteDomain:     &c.SiteDomain,
		KeyAPIDomain:      &c.APIDomain,
		KeyHostedZoneID:   &c.HostedZoneID,
		KeyHostedZoneName: &c.HostedZoneName,
		KeyAlarmEmail:     &c.AlarmEmail,
	} {
		read(key, func() error { return try(ctx, key, out) })
	}
	read(KeyDisableExecuteAPI, func() error { return try(ctx, KeyDisableExecuteAPI, &c.DisableExecuteAPIEndpoint) })
	read(keyAWSProfile, func() error { return try(ctx, keyAWSProfile, &c.AWSProfile) })
	c.Observe.load(ctx, read)
	if c.SiteDomain != "" && c.APIDomain == "" {
		c.APIDomain = apiDomainPrefix + c.SiteDomain
	}
	// The API's stage is named after the stack, whose name may also hold
	// periods, which would fail only once most of the stack is created.
	c.Stage = ctx.Stack()
	if err := limits.CheckStageName(c.Stage); err != nil {
		errs = append(errs, fmt.Errorf("the stack's name cannot name the API's stage: %w: create a stack named so (`pulumi stack init <name>`)", err))
	}
	if err := errors.Join(errs...); err != nil {
		return Settings{}, fmt.Errorf("invalid configuration of stack %s: %w", ctx.Stack(), err)
	}
	if err := c.validate(); err != nil {
		return Settings{}, fmt.Errorf("invalid configuration of stack %s: %w", ctx.Stack(), err)
	}
	return c, nil
}

// try reads the optional setting key into out, keeping out's default when
// the key is not set or set to the empty string; a value of the wrong type
// is reported as such. The type of out decides how the value is read: a
// whole number, true or false, a number, or text.
func try[T int | bool | float64 | string](ctx *pulumi.Context, key string, out *T) error {
	var v any
	var err error
	var wrong string
	switch any(*out).(type) {
	case int:
		v, err = pulumiconfig.TryInt(ctx, key)
		wrong = "not a whole number"
	case bool:
		v, err = pulumiconfig.TryBool(ctx, key)
		wrong = "not true or false"
	case float64:
		v, err = pulumiconfig.TryFloat64(ctx, key)
		wrong = "not a number"
	default:
		v, err = pulumiconfig.Try(ctx, key)
	}
	switch {
	case errors.Is(err, pulumiconfig.ErrMissingVar):
		return err
	case err != nil:
		return fmt.Errorf("%s: %w", wrong, err)
	case v == "":
		return nil
	}
	*out = v.(T)
	return nil
}
