package stackconfig

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/functions/stackfile"
)

// lookup returns a lookup of the values, as a program's configuration.
func lookup(values map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := values[key]
		return v, ok
	}
}

func TestParseReadsEverySettingAndKeepsDefaults(t *testing.T) {
	if got := mustParse(t, nil); !reflect.DeepEqual(got, Default()) {
		t.Errorf("no settings = %+v, want the defaults %+v", got, Default())
	}
	got := mustParse(t, map[string]string{
		KeyAllowedEmails:      `["ada@example.com"]`,
		KeyAllowedDomains:     `["example.com"]`,
		KeyGroups:             `{"admins":{"emails":["Ada@Example.com"],"workloads":["ci"]}}`,
		KeyWorkloads:          `{"ci":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme","claims":{"repository":"acme/app"}}}`,
		KeyTrustEmails:        "true",
		KeyAuthorizerCacheTTL: "0",
	})
	want := Authorizer{
		AllowedEmails: []string{"ada@example.com"}, AllowedDomains: []string{"example.com"},
		Groups: authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}, Workloads: []string{"ci"}}},
		Workloads: authorizer.Workloads{"ci": {Issuer: "https://token.actions.githubusercontent.com", Audience: "https://github.com/acme",
			Claims: map[string]string{"repository": "acme/app"}}},
		TrustEmailsWithoutHostedDomain: true,
		AuthorizerCacheTTL:             0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v, want %+v", got, want)
	}
}

func mustParse(t *testing.T, values map[string]string) Authorizer {
	t.Helper()
	a, err := Parse(lookup(values))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestParseErrorsNameTheSettingAndTheFix(t *testing.T) {
	for _, c := range []struct {
		name, key, value, want string
	}{
		{"emails not a list", KeyAllowedEmails, "ada@example.com", "allowedEmails: not a list of strings (set its entries with `pulumi config set --path 'allowedEmails[0]' <value>`)"},
		{"email without @", KeyAllowedEmails, `["ada"]`, `allowedEmails: "ada" is not an email address`},
		{"domain with @", KeyAllowedDomains, `["@example.com"]`, `allowedDomains: "@example.com" is not a domain name`},
		{"groups not an object", KeyGroups, `["admins"]`, "groups: groups are not {"},
		{"a group without members", KeyGroups, `{"admins":{}}`, "group admins has no members"},
		{"trust not a boolean", KeyTrustEmails, "maybe", "trustEmailsWithoutHd: not true or false"},
		{"TTL not a number", KeyAuthorizerCacheTTL, "five", "authorizerCacheTtl: not a whole number"},
		{"TTL above the maximum", KeyAuthorizerCacheTTL, "3601", "authorizerCacheTtl is 3601: give seconds from 0 (no cache) to 3600"},
		{"workloads not an object", KeyWorkloads, `["ci"]`, "workloads: workloads are not {"},
		{"a workload's issuer not https", KeyWorkloads, `{"ci":{"issuer":"http://token.actions.githubusercontent.com","audience":"a","claims":{"repository":"acme/app"}}}`, `workloads: workloads.ci.issuer: "http://token.actions.githubusercontent.com" is not an https URL`},
		{"a group listing an undefined workload", KeyGroups, `{"deployers":{"workloads":["ci"]}}`, "groups and workloads: group deployers lists the workload ci, which is not defined"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(lookup(map[string]string{c.key: c.value}))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Parse(%s = %s) = %v, want an error containing %q", c.key, c.value, err, c.want)
			}
		})
	}
}

// A group the route table names but the stack does not define is one
// message, however many routes name it, with the command that defines it.
func TestCheckRoutesGivesTheCommandForAnUndefinedGroup(t *testing.T) {
	routes := gateway.Table{
		{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy},
		{Method: "DELETE", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy, Groups: []string{"admins"}},
		{Method: "PUT", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy, Groups: []string{"admins"}},
	}
	err := Default().CheckRoutes(routes)
	want := "the group admins, which the routes DELETE /api/orders/{id} and PUT /api/orders/{id} name, is not defined in the stack's configuration: define it with `pulumi config set --path 'groups.admins.emails[0]' ada@example.com` (or groups.admins.domains[0] example.com), or remove it from the route table"
	if err == nil || err.Error() != want {
		t.Errorf("CheckRoutes = %v, want %q", err, want)
	}
	defined := Default()
	defined.Groups = authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}}
	if err := defined.CheckRoutes(routes); err != nil {
		t.Errorf("with the group defined: %v", err)
	}
}

// A stack file's values reach Parse as Pulumi hands them to a program:
// scalars as text, lists and objects (as `pulumi config set --path` writes
// them) as JSON.
func TestLoadReadsAStackFileAsPulumiDoes(t *testing.T) {
	path := filepath.Join(t.TempDir(), stackfile.FileName("dev"))
	file := `config:
  aws:region: eu-central-1
  signin:googleClientId: 123456789012-abc.apps.googleusercontent.com
  signin:allowedDomains:
    - example.com
  signin:groups:
    admins:
      emails:
        - ada@example.com
  signin:trustEmailsWithoutHd: true
  signin:authorizerCacheTtl: 60
`
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	values, err := stackfile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := values["signin:groups"]; got != `{"admins":{"emails":["ada@example.com"]}}` {
		t.Errorf("groups = %s, want JSON", got)
	}
	a, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := Authorizer{
		AllowedDomains:                 []string{"example.com"},
		Groups:                         authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}},
		TrustEmailsWithoutHostedDomain: true,
		AuthorizerCacheTTL:             60,
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Load = %+v, want %+v", a, want)
	}
	if _, err := Load(filepath.Join(t.TempDir(), stackfile.FileName("prod"))); err == nil || !strings.Contains(err.Error(), "Pulumi.prod.yaml") {
		t.Errorf("a missing stack file: %v, want an error naming it", err)
	}
}
