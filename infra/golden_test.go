package main

import (
	"cmp"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/infra/internal/golden"
	"signin/infra/internal/stacktest"
)

// optionsConfig sets every option, so that the options' golden file shows
// every resource an option adds or changes.
func optionsConfig() map[string]string {
	cfg := snapshotConfig()
	for k, v := range map[string]string{
		"aws:profile":                      "production",
		"signin:allowedEmails":             `["ada@example.com","grace@example.org"]`,
		"signin:allowedDomains":            `["example.com"]`,
		"signin:authorizerCacheTtl":        "60",
		"signin:logRetentionDays":          "30",
		"signin:logLevel":                  "DEBUG",
		"signin:throttleRateLimit":         "5",
		"signin:throttleBurstLimit":        "10",
		"signin:siteDomain":                "app." + zoneName,
		"signin:apiDomain":                 "api." + zoneName,
		"signin:hostedZoneId":              zoneID,
		"signin:disableExecuteApiEndpoint": "true",
		"signin:alarmEmail":                "ops@example.com",
		"signin:apiLogging":                "true",
		"signin:apiLoggingRole":            "create",
		"signin:apiExecutionLogLevel":      "INFO",
		"signin:tracing":                   "true",
		"signin:apiWaf":                    "true",
		"signin:siteWaf":                   "true",
		"signin:wafRateLimit":              "500",
		"signin:wafRateWindow":             "120",
		"signin:siteLogs":                  "true",
		"signin:trustEmailsWithoutHd":      "true",
	} {
		cfg[k] = v
	}
	// The groups admins and staff beside the stack's.
	groups := authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}, "staff": {Domains: []string{"example.com"}}}
	if stack, err := authorizer.ParseGroups(cmp.Or(cfg[groupsKey], "{}")); err == nil {
		maps.Copy(groups, stack)
	}
	b, _ := json.Marshal(groups) // a map of lists of strings always marshals
	cfg[groupsKey] = string(b)
	return cfg
}

// snapshotConfig is the configuration of the default snapshot: testClientID,
// the allowed domain example.com and the stack's groups, which the route
// table's groups name. The stack file's other values stay out of it, so
// configuring the stack (the README's `pulumi config set googleClientId`,
// an allow-list) changes no snapshot; a route or a group does.
func snapshotConfig() map[string]string {
	cfg := map[string]string{clientIDKey: testClientID, "signin:allowedDomains": `["example.com"]`}
	if groups, ok := stacktest.Config()[groupsKey]; ok {
		cfg[groupsKey] = groups
	}
	return cfg
}

// optionsRoutes is the route table with a route restricted to a group, as
// the options snapshot declares it: the REQUEST authorizer, its invoke
// permission and a method behind it.
func optionsRoutes() gateway.Table {
	return append(slices.Clone(gateway.Routes), gateway.Route{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}})
}

// Every resource the program declares, with its inputs, parent, provider
// and dependencies, is in a golden file, so a reviewer sees every
// infrastructure change as a diff: testdata/resources.golden.json for the
// default configuration, testdata/resources.options.golden.json with every
// option set and a route restricted to a group (optionsRoutes). What depends on the Go toolchain (the archives' bytes) or on
// the page's content (another part's files) is recorded by name only.
func TestResourcesMatchTheGoldenSnapshot(t *testing.T) {
	for _, c := range []struct {
		file   string
		cfg    map[string]string
		routes gateway.Table
	}{
		{"resources.golden.json", snapshotConfig(), gateway.Routes},
		{"resources.options.golden.json", optionsConfig(), optionsRoutes()},
	} {
		t.Run(c.file, func(t *testing.T) {
			m := &mocks{}
			if err := runRoutes(m, c.cfg, c.routes); err != nil {
				t.Fatalf("the program failed: %v", err)
			}
			golden.CheckDiff(t, filepath.Join("testdata", c.file), stacktest.JSON(t, m), stacktest.Diff)
		})
	}
}
