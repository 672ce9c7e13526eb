package stacktest

import (
	"cmp"
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/functions/stackconfig"
	"signin/functions/stackfile"
	"signin/infra/repo"
)

// Keys of the stack's configuration the tests set.
const (
	ClientIDKey  = stackfile.Namespace + ":" + stackfile.KeyGoogleClientID
	GroupsKey    = stackfile.Namespace + ":" + stackconfig.KeyGroups
	WorkloadsKey = stackfile.Namespace + ":" + stackconfig.KeyWorkloads
)

var stackFile struct {
	once   sync.Once
	path   string
	values map[string]string
	err    error
}

// StackFile returns the repository's file of the stack the tests run,
// Pulumi.<Stack>.yaml at its root, and its configuration as the file holds
// it, read once.
func StackFile() (path string, values map[string]string, err error) {
	stackFile.once.Do(func() {
		root, err := repo.Find()
		if err != nil {
			stackFile.err = err
			return
		}
		stackFile.path = filepath.Join(root, stackfile.FileName(Stack))
		stackFile.values, stackFile.err = stackfile.Read(stackFile.path)
	})
	return stackFile.path, stackFile.values, stackFile.err
}

// Config returns the configuration the tests deploy: the stack file's, so
// a team's allow-lists and groups (which the route table's groups name)
// are the tests' too, with the client ID ClientID: the template's
// placeholder is refused, and a team's real one stays out of the
// snapshots. Without a readable stack file it holds the client ID alone,
// and Deploy reports why.
func Config() map[string]string {
	_, values, _ := StackFile()
	cfg := maps.Clone(values)
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfg[ClientIDKey] = ClientID
	return cfg
}

// ConfigWith returns Config with the settings set, each named without the
// project's namespace, such as apiLogging.
func ConfigWith(settings map[string]string) map[string]string {
	cfg := Config()
	for k, v := range settings {
		cfg[stackfile.Namespace+":"+k] = v
	}
	return cfg
}

// OptionsConfig sets every option, so that the options' golden file shows
// every resource an option adds or changes.
func OptionsConfig() map[string]string {
	cfg := SnapshotConfig()
	for k, v := range map[string]string{
		"aws:profile":                      "production",
		"signin:allowedEmails":             `["ada@example.com","grace@example.org"]`,
		"signin:allowedDomains":            `["example.com"]`,
		"signin:authorizerCacheTtl":        "60",
		"signin:logRetentionDays":          "30",
		"signin:logLevel":                  "DEBUG",
		"signin:throttleRateLimit":         "5",
		"signin:throttleBurstLimit":        "10",
		"signin:siteDomain":                "app." + ZoneName,
		"signin:apiDomain":                 "api." + ZoneName,
		"signin:hostedZoneId":              ZoneID,
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
	// The groups admins and staff beside the stack's, staff listing the
	// workload deploy, beside the stack's workloads.
	groups := authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}, "staff": {Domains: []string{"example.com"}, Workloads: []string{"deploy"}}}
	if stack, err := authorizer.ParseGroups(cmp.Or(cfg[GroupsKey], "{}")); err == nil {
		maps.Copy(groups, stack)
	}
	b, _ := json.Marshal(groups) // a map of lists of strings always marshals
	cfg[GroupsKey] = string(b)
	workloads := authorizer.Workloads{"deploy": {Issuer: "https://token.actions.githubusercontent.com", Audience: "https://github.com/acme",
		Claims: map[string]string{"repository": "acme/app", "ref": "refs/heads/main"}}}
	if stack, err := authorizer.ParseWorkloads(cmp.Or(cfg[WorkloadsKey], "{}")); err == nil {
		maps.Copy(workloads, stack)
	}
	b, _ = json.Marshal(workloads) // strings and maps of strings always marshal
	cfg[WorkloadsKey] = string(b)
	return cfg
}

// SnapshotConfig is the configuration of the default snapshot: ClientID,
// the allowed domain example.com and the stack's groups (with its
// workloads, which the groups may list), which the route table's groups
// name. The stack file's other values stay out of it, so configuring the
// stack (the README's `pulumi config set googleClientId`, an allow-list)
// changes no snapshot; a route or a group does.
func SnapshotConfig() map[string]string {
	cfg := map[string]string{ClientIDKey: ClientID, "signin:allowedDomains": `["example.com"]`}
	// The workloads the stack's groups may list come with them.
	stack := Config()
	for _, key := range []string{GroupsKey, WorkloadsKey} {
		if v, ok := stack[key]; ok {
			cfg[key] = v
		}
	}
	return cfg
}

// OptionsRoutes is the route table with a route restricted to a group, as
// the options snapshot declares it: the REQUEST authorizer, its invoke
// permission and a method behind it.
func OptionsRoutes() gateway.Table {
	return append(slices.Clone(gateway.Routes), gateway.Route{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}})
}

// WithGroups returns cfg with the groups of its configuration and groups
// (which win over those of the same name), as JSON for the groups setting.
func WithGroups(t testing.TB, cfg map[string]string, groups authorizer.Groups) map[string]string {
	t.Helper()
	all := authorizer.Groups{}
	if raw, ok := cfg[GroupsKey]; ok {
		var err error
		if all, err = authorizer.ParseGroups(raw); err != nil {
			t.Fatal(err)
		}
	}
	maps.Copy(all, groups)
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	cfg[GroupsKey] = string(b)
	return cfg
}
