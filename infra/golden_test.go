package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/infra/internal/golden"
	"signin/infra/repo"
)

// snapshot is one resource as the golden file records it.
type snapshot struct {
	Type         string         `json:"type"`
	Name         string         `json:"name"`
	Parent       string         `json:"parent,omitempty"`
	Provider     string         `json:"provider,omitempty"`
	Inputs       map[string]any `json:"inputs"`
	Dependencies []string       `json:"dependencies,omitempty"`
	// RetainOnDelete marks what `pulumi destroy` leaves in place.
	RetainOnDelete bool `json:"retainOnDelete,omitempty"`
}

// optionsConfig sets every option, so that the options' golden file shows
// every resource an option adds or changes.
// contentHash is the content hash in the name of a file site.Build renders.
var contentHash = regexp.MustCompile(`\.[0-9a-f]{10}\.`)

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
	// The groups admins and staff beside the stack's, staff listing the
	// workload deploy, beside the stack's workloads.
	groups := authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}, "staff": {Domains: []string{"example.com"}, Workloads: []string{"deploy"}}}
	if stack, err := authorizer.ParseGroups(cmp.Or(cfg[groupsKey], "{}")); err == nil {
		maps.Copy(groups, stack)
	}
	b, _ := json.Marshal(groups) // a map of lists of strings always marshals
	cfg[groupsKey] = string(b)
	workloads := authorizer.Workloads{"deploy": {Issuer: "https://token.actions.githubusercontent.com", Audience: "https://github.com/acme",
		Claims: map[string]string{"repository": "acme/app", "ref": "refs/heads/main"}}}
	if stack, err := authorizer.ParseWorkloads(cmp.Or(cfg[workloadsKey], "{}")); err == nil {
		maps.Copy(workloads, stack)
	}
	b, _ = json.Marshal(workloads) // strings and maps of strings always marshal
	cfg[workloadsKey] = string(b)
	return cfg
}

// snapshotConfig is the configuration of the default snapshot: testClientID,
// the allowed domain example.com and the stack's groups (with its workloads,
// which the groups may list), which the route
// table's groups name. The stack file's other values stay out of it, so
// configuring the stack (the README's `pulumi config set googleClientId`,
// an allow-list) changes no snapshot; a route or a group does.
func snapshotConfig() map[string]string {
	cfg := map[string]string{clientIDKey: testClientID, "signin:allowedDomains": `["example.com"]`}
	// The workloads the stack's groups may list come with them.
	for _, key := range []string{groupsKey, workloadsKey} {
		if v, ok := stackValues[key]; ok {
			cfg[key] = v
		}
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
			golden.CheckDiff(t, filepath.Join("testdata", c.file), snapshotOf(t, m), resourceDiff)
		})
	}
}

// snapshotOf returns the golden record of what m saw declared.
func snapshotOf(t *testing.T, m *mocks) []byte {
	t.Helper()
	snaps, err := snapshots(m)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(snaps); err != nil {
		t.Fatal(err)
	}
	return got.Bytes()
}

// snapshots returns what m saw declared, each resource as the golden file
// records it, sorted by type and name.
func snapshots(m *mocks) ([]snapshot, error) {
	root, err := repo.Find()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var snaps []snapshot
	for _, r := range m.resources {
		s := snapshot{Type: r.Type, Name: r.Name, Parent: shortURN(r.Parent), Provider: shortURN(providerURN(r.Provider)), Inputs: map[string]any{}, RetainOnDelete: r.RetainOnDelete}
		for k, v := range r.Inputs {
			s.Inputs[string(k)] = plain(v, root)
		}
		switch {
		case r.Type == "aws:lambda/function:Function":
			s.Inputs["sourceCodeHash"] = "<base64 SHA-256 of build/" + r.Name + ".zip>"
		case r.Type == "aws:s3/bucketObjectv2:BucketObjectv2":
			// The page's files as site.Build renders them; their names carry
			// a hash of their content, which the snapshot leaves out, so an
			// edit of the page changes no snapshot.
			key := contentHash.ReplaceAllString(str(r.Inputs, "key"), ".<hash>.")
			s.Name = contentHash.ReplaceAllString(s.Name, ".<hash>.")
			s.Inputs["key"] = key
			s.Inputs["contentBase64"] = "<site.Build: " + key + ">"
		}
		for _, d := range r.Dependencies {
			s.Dependencies = append(s.Dependencies, shortURN(d))
		}
		slices.Sort(s.Dependencies)
		snaps = append(snaps, s)
	}
	slices.SortFunc(snaps, func(a, b snapshot) int {
		return strings.Compare(a.Type+"\x00"+a.Name, b.Type+"\x00"+b.Name)
	})
	return snaps, nil
}

// providerURN returns the URN of a provider reference (URN::ID).
func providerURN(ref string) string {
	if i := strings.LastIndex(ref, "::"); i >= 0 {
		return ref[:i]
	}
	return ref
}

// shortURN names a resource by type and name.
func shortURN(urn string) string {
	if urn == "" {
		return ""
	}
	u := resource.URN(urn)
	return fmt.Sprintf("%s::%s", u.Type(), u.Name())
}

// plain turns a property value into JSON-ready data, with archive paths
// relative to the repository's root.
func plain(v resource.PropertyValue, root string) any {
	switch {
	case v.IsArchive():
		rel, err := filepath.Rel(root, v.ArchiveValue().Path)
		if err != nil {
			return "<archive>"
		}
		return "<archive " + filepath.ToSlash(rel) + ">"
	case v.IsSecret():
		return map[string]any{"secret": plain(v.SecretValue().Element, root)}
	case v.IsArray():
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, plain(e, root))
		}
		return out
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = plain(e, root)
		}
		return out
	case v.IsComputed() || v.IsOutput():
		return "<unknown>"
	}
	return v.V
}

// maxDiffLines bounds the lines resourceDiff writes.
const maxDiffLines = 60

// resourceDiff describes how the snapshot got differs from want, resource
// by resource: "+" one added, "-" one removed, "~" one changed, with each
// changed field's old and new value.
func resourceDiff(want, got []byte) string {
	var before, after []snapshot
	if json.Unmarshal(want, &before) != nil || json.Unmarshal(got, &after) != nil {
		return "(a snapshot is not a JSON list of resources)"
	}
	key := func(s snapshot) string { return s.Type + " " + s.Name }
	old := map[string]snapshot{}
	for _, s := range before {
		old[key(s)] = s
	}
	var lines []string
	seen := map[string]bool{}
	for _, s := range after {
		k := key(s)
		seen[k] = true
		o, ok := old[k]
		if !ok {
			lines = append(lines, "+ "+k)
			continue
		}
		var changed []string
		field := func(name string, a, b any) {
			if ja, jb := compact(a), compact(b); ja != jb {
				changed = append(changed, fmt.Sprintf("    %s: %s -> %s", name, ja, jb))
			}
		}
		field("parent", o.Parent, s.Parent)
		field("provider", o.Provider, s.Provider)
		field("dependencies", o.Dependencies, s.Dependencies)
		for _, in := range slices.Sorted(maps.Keys(mergeKeys(o.Inputs, s.Inputs))) {
			field("inputs."+in, o.Inputs[in], s.Inputs[in])
		}
		if len(changed) > 0 {
			lines = append(append(lines, "~ "+k), changed...)
		}
	}
	for _, s := range before {
		if !seen[key(s)] {
			lines = append(lines, "- "+key(s))
		}
	}
	if len(lines) == 0 {
		return "(the same resources, formatted differently)"
	}
	if len(lines) > maxDiffLines {
		lines = append(lines[:maxDiffLines], fmt.Sprintf("... and %d more lines", len(lines)-maxDiffLines))
	}
	return strings.Join(lines, "\n")
}

// mergeKeys returns a set of the keys of a and b.
func mergeKeys(a, b map[string]any) map[string]bool {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	return keys
}

// compact renders v as one line of JSON, abbreviated: "(none)" when absent.
func compact(v any) string {
	if v == nil {
		return "(none)"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 160 {
		return string(b[:157]) + "..."
	}
	return string(b)
}

func TestResourceDiffNamesAddedRemovedAndChanged(t *testing.T) {
	encode := func(s []snapshot) []byte {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fn := func(name, handler string) snapshot {
		return snapshot{Type: "aws:lambda/function:Function", Name: name, Inputs: map[string]any{"handler": handler}}
	}
	want := encode([]snapshot{fn("hello", "bootstrap"), fn("me", "bootstrap")})
	got := encode([]snapshot{fn("hello", "main"), fn("orders", "bootstrap")})
	const expected = `~ aws:lambda/function:Function hello
    inputs.handler: "bootstrap" -> "main"
+ aws:lambda/function:Function orders
- aws:lambda/function:Function me`
	if diff := resourceDiff(want, got); diff != expected {
		t.Errorf("resourceDiff =\n%s\nwant\n%s", diff, expected)
	}
}
