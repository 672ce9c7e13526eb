package authorizer_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"signin/functions/authorizer"
	"signin/functions/gateway"
)

// clientID is a client ID shaped like Google's.
const clientID = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want authorizer.Config
	}{
		{
			"defaults are Google's",
			map[string]string{"GOOGLE_CLIENT_ID": clientID},
			authorizer.Config{ClientID: clientID, Issuer: "https://accounts.google.com", JWKSURL: "https://www.googleapis.com/oauth2/v3/certs"},
		},
		{
			"a local http issuer is accepted",
			map[string]string{"GOOGLE_CLIENT_ID": clientID, "OIDC_ISSUER": "http://localhost:8082", "OIDC_JWKS_URL": "http://localhost:8082/jwks"},
			authorizer.Config{ClientID: clientID, Issuer: "http://localhost:8082", JWKSURL: "http://localhost:8082/jwks"},
		},
		{
			"allow-lists are trimmed and lower-cased, empty entries skipped",
			map[string]string{"GOOGLE_CLIENT_ID": " " + clientID + " ", "ALLOWED_EMAILS": " Ada@Example.com, ,bob@example.org,", "ALLOWED_DOMAINS": "Example.COM"},
			authorizer.Config{
				ClientID: clientID, Issuer: "https://accounts.google.com", JWKSURL: "https://www.googleapis.com/oauth2/v3/certs",
				AllowedEmails: []string{"ada@example.com", "bob@example.org"}, AllowedDomains: []string{"example.com"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := authorizer.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if got.ClientID != tt.want.ClientID || got.Issuer != tt.want.Issuer || got.JWKSURL != tt.want.JWKSURL ||
				!slices.Equal(got.AllowedEmails, tt.want.AllowedEmails) || !slices.Equal(got.AllowedDomains, tt.want.AllowedDomains) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestConfigFromEnvNamesTheBadSetting(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"missing client ID", map[string]string{}, []string{"GOOGLE_CLIENT_ID"}},
		{"two client IDs", map[string]string{"GOOGLE_CLIENT_ID": "a,b"}, []string{"GOOGLE_CLIENT_ID"}},
		{"issuer without scheme", map[string]string{"GOOGLE_CLIENT_ID": clientID, "OIDC_ISSUER": "accounts.google.com"}, []string{"OIDC_ISSUER"}},
		{"JWKS URL of another scheme", map[string]string{"GOOGLE_CLIENT_ID": clientID, "OIDC_JWKS_URL": "ftp://example.com/certs"}, []string{"OIDC_JWKS_URL"}},
		{"JWKS URL with a query", map[string]string{"GOOGLE_CLIENT_ID": clientID, "OIDC_JWKS_URL": "https://example.com/certs?x=1"}, []string{"OIDC_JWKS_URL"}},
		{"email without @", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ALLOWED_EMAILS": "ada.example.com"}, []string{"ALLOWED_EMAILS"}},
		{"domain with @", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ALLOWED_DOMAINS": "@example.com"}, []string{"ALLOWED_DOMAINS"}},
		{"every bad setting at once", map[string]string{"OIDC_ISSUER": "::", "ALLOWED_DOMAINS": "localhost"}, []string{"GOOGLE_CLIENT_ID", "OIDC_ISSUER", "ALLOWED_DOMAINS"}},
		{"trust of emails neither true nor false", map[string]string{"GOOGLE_CLIENT_ID": clientID, "TRUST_EMAILS_WITHOUT_HD": "yes please"}, []string{"TRUST_EMAILS_WITHOUT_HD"}},
		{"groups that are not JSON", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ACCESS_GROUPS": "admins=ada@example.com"}, []string{"ACCESS_GROUPS"}},
		{"a route naming an undefined group", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ROUTE_GROUPS": `{"admins":["GET /admin"]}`}, []string{"ACCESS_GROUPS and ROUTE_GROUPS", "GET /api/admin names the group admins, which is not defined"}},
		{"routes without a method", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ROUTE_GROUPS": `{"":["/admin"]}`}, []string{"ROUTE_GROUPS", "is not <method> <path>"}},
		{"a route's method in lower case", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ACCESS_GROUPS": `{"admins":{"emails":["ada@example.com"]}}`,
			"ROUTE_GROUPS": `{"":["GET /"],"admins":["get /admin"]}`}, []string{"ROUTE_GROUPS", `method "get" is not one of GET, HEAD`}},
		{"a route's path without its leading /", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ACCESS_GROUPS": `{"admins":{"emails":["ada@example.com"]}}`,
			"ROUTE_GROUPS": `{"admins":["GET admin"]}`}, []string{"ROUTE_GROUPS", `path "admin" does not start with /`}},
		{"a route's path with a trailing /", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ACCESS_GROUPS": `{"admins":{"emails":["ada@example.com"]}}`,
			"ROUTE_GROUPS": `{"admins":["GET /admin/"]}`}, []string{"ROUTE_GROUPS", "empty segment"}},
		{"routes as an object per route", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ROUTE_GROUPS": `{"GET /admin":[]}`}, []string{"ROUTE_GROUPS", `"GET /admin" is not a plain identifier`}},
		{"a route whose method ARN could exceed 1,600 bytes", map[string]string{"GOOGLE_CLIENT_ID": clientID, "ACCESS_GROUPS": `{"admins":{"emails":["ada@example.com"]}}`,
			"ROUTE_GROUPS": `{"admins":["GET /` + strings.Repeat("a", 1600) + `"]}`}, []string{"ROUTE_GROUPS", "its method ARN could exceed API Gateway's 1600 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := authorizer.ConfigFromEnv(func(k string) string { return tt.env[k] })
			if err == nil {
				t.Fatal("no error")
			}
			for _, name := range tt.want {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
		})
	}
}

func TestEnvironRoundTrips(t *testing.T) {
	for _, cfg := range []authorizer.Config{
		{ClientID: "c", Issuer: "https://accounts.google.com", JWKSURL: "https://www.googleapis.com/oauth2/v3/certs"},
		{ClientID: "c", Issuer: "http://localhost:8082", JWKSURL: "http://localhost:8082/keys",
			AllowedEmails: []string{"ada@example.com", "grace@example.org"}, AllowedDomains: []string{"example.com"}},
		{ClientID: "c", Issuer: "https://accounts.google.com", JWKSURL: "https://www.googleapis.com/oauth2/v3/certs", TrustEmailsWithoutHostedDomain: true,
			Groups: authorizer.Groups{"admins": {Emails: []string{"ada@example.com"}}, "staff": {Domains: []string{"example.com"}}},
			Routes: gateway.Table{{Method: "GET", Path: "/admin/{id}", Groups: []string{"admins", "staff"}}, {Method: "DELETE", Path: "/admin/{id}", Groups: []string{"admins", "staff"}}}},
		{ClientID: "c", Issuer: "https://accounts.google.com", JWKSURL: "https://www.googleapis.com/oauth2/v3/certs",
			Groups: authorizer.Groups{"deployers": {Workloads: []string{"ci", "nightly"}}},
			Workloads: authorizer.Workloads{
				"ci":      {Issuer: "https://token.actions.githubusercontent.com", Audience: "https://github.com/acme", Claims: map[string]string{"repository": "acme/app", "ref": "refs/heads/main"}},
				"nightly": {Issuer: "https://accounts.google.com", Claims: map[string]string{"email": "nightly@acme.iam.gserviceaccount.com"}},
			}},
	} {
		env := cfg.Environ()
		got, err := authorizer.ConfigFromEnv(func(k string) string { return env[k] })
		if err != nil || !reflect.DeepEqual(got, cfg) {
			t.Errorf("ConfigFromEnv(%v) = %+v, %v; want %+v", env, got, err, cfg)
		}
	}
}

// TestGroupsCheckNamesEachWrongConfiguration: every mistake in the groups
// stops the stack before anything is built or declared, with a message
// that names it and says how to fix it.
func TestGroupsCheckNamesEachWrongConfiguration(t *testing.T) {
	routes := gateway.Table{{Method: "GET", Path: "/"}, {Method: "GET", Path: "/admin", Groups: []string{"admins"}}}
	tests := []struct {
		name, groups, want string
	}{
		{"a route naming an undefined group", `{"staff":{"domains":["example.com"]}}`,
			"route GET /api/admin names the group admins, which is not defined: define it (groups.admins.emails or groups.admins.domains), or remove it from the route"},
		{"a group with no members", `{"admins":{"emails":[]}}`,
			"group admins has no members: list addresses in groups.admins.emails, Workspace domains in groups.admins.domains or workloads in groups.admins.workloads, or remove it"},
		{"an invalid email", `{"admins":{"emails":["ada"]}}`,
			`group admins: groups.admins.emails: "ada" is not an email address: list addresses such as ada@example.com`},
		{"an invalid domain", `{"admins":{"domains":["@example.com"]}}`,
			`group admins: groups.admins.domains: "@example.com" is not a domain name: list Google Workspace domains such as example.com, without @`},
		{"a group name that is not a plain identifier", `{"admins":{"domains":["example.com"]},"ops team":{"domains":["example.com"]}}`,
			`group "ops team": group name "ops team" is not a plain identifier`},
		{"a misspelt member", `{"admins":{"email":["ada@example.com"]}}`,
			`unknown field "email"`},
		{"a list instead of an object", `["admins"]`,
			`groups are not {"<name>":{"emails":["<address>",...],"domains":["<domain>",...],"workloads":["<workload>",...]},...}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := authorizer.ParseGroups(tt.groups)
			if err == nil {
				err = g.Check(routes)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	g, err := authorizer.ParseGroups(`{"admins":{"emails":["Ada@Example.com"],"domains":["Example.COM"]}}`)
	if err != nil || g.Check(routes) != nil || g["admins"].Emails[0] != "ada@example.com" || g["admins"].Domains[0] != "example.com" {
		t.Errorf("good groups: %v, %v", g, err)
	}
}

func TestCheckEmailAndDomain(t *testing.T) {
	for _, tt := range []struct {
		s             string
		email, domain bool
	}{
		{"ada@example.com", true, false},
		{"Ada.Lovelace+x@Sub.Example.co.uk", true, false},
		{"example.com", false, true},
		{"xn--bcher-kva.example", false, true},
		{"@example.com", false, false},
		{"ada example@example.com", false, false},
		{"ada,grace@example.com", false, false},
		{"ada@localhost", false, false},
		{"localhost", false, false},
		{"-bad.example", false, false},
		{"bad-.example", false, false},
		{"example.c0m", false, false},
		{"example..com", false, false},
		{"ada@example.com/x", false, false},
		{"example.com.", false, false},
	} {
		if got := authorizer.CheckEmail(tt.s) == nil; got != tt.email {
			t.Errorf("CheckEmail(%q) accepted %v, want %v", tt.s, got, tt.email)
		}
		if got := authorizer.CheckDomain(tt.s) == nil; got != tt.domain {
			t.Errorf("CheckDomain(%q) accepted %v, want %v", tt.s, got, tt.domain)
		}
	}
}

// TestWrongWorkloadsAreNamedWithTheirFix: every mistake in the workloads
// stops the stack before anything is built or declared, with one message
// naming the setting and how to fix it.
func TestWrongWorkloadsAreNamedWithTheirFix(t *testing.T) {
	const gh = `"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme"`
	var six []string
	for i := range 6 {
		six = append(six, fmt.Sprintf(`"w%d":{"issuer":"https://issuer%d.example","audience":"a","claims":{"sub":"x"}}`, i, i))
	}
	tests := []struct {
		name, workloads string
		want            string
	}{
		{"an http issuer", `{"ci":{"issuer":"http://token.actions.githubusercontent.com","audience":"a","claims":{"repository":"acme/app"}}}`,
			`workloads.ci.issuer: "http://token.actions.githubusercontent.com" is not an https URL`},
		{"an issuer that is no URL", `{"ci":{"issuer":"token.actions.githubusercontent.com","audience":"a","claims":{"repository":"acme/app"}}}`,
			`workloads.ci.issuer: "token.actions.githubusercontent.com" is not an absolute http or https URL`},
		{"no claims", `{"ci":{` + gh + `}}`, "workloads.ci.claims is empty: every token of the issuer would be the workload's"},
		{"empty claims", `{"ci":{` + gh + `,"claims":{}}}`, "workloads.ci.claims is empty"},
		{"a claim value that is a number", `{"ci":{` + gh + `,"claims":{"repository_id":690234871}}}`,
			`workloads.ci.claims.repository_id is 690234871, not a string: a token's claim matches only a string equal to it; quote the value ("690234871")`},
		{"a claim value that is a list", `{"ci":{` + gh + `,"claims":{"repository":["acme/app"]}}}`, `workloads.ci.claims.repository is ["acme/app"], not a string`},
		{"an empty claim value", `{"ci":{` + gh + `,"claims":{"repository":""}}}`, "workloads.ci.claims.repository is empty"},
		{"a claim the authorizer decides itself", `{"ci":{` + gh + `,"claims":{"aud":"x"}}}`, "workloads.ci.claims.aud: the authorizer decides on aud itself"},
		{"no audience for GitHub", `{"ci":{"issuer":"https://token.actions.githubusercontent.com","claims":{"repository":"acme/app"}}}`,
			"workloads.ci.audience is required for the issuer https://token.actions.githubusercontent.com"},
		{"a name that is not a plain identifier", `{"c i":{` + gh + `,"claims":{"repository":"acme/app"}}}`, `workload "c i": name "c i" is not a plain identifier`},
		{"an unknown setting", `{"ci":{` + gh + `,"claim":{"repository":"acme/app"}}}`, `workloads are not {"<name>":{"issuer":"https://...","audience":"...","claims":{"<claim>":"<exact string>",...}},...}`},
		{"six issuers", "{" + strings.Join(six, ",") + "}", "the workloads name 6 issuers (https://issuer0.example, https://issuer1.example, https://issuer2.example, https://issuer3.example, https://issuer4.example, https://issuer5.example), more than 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := authorizer.ParseWorkloads(tt.workloads)
			if err == nil {
				err = w.Check()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestGroupsNamingAnUnknownWorkload(t *testing.T) {
	g := authorizer.Groups{"deployers": {Workloads: []string{"ci", "nightly"}}}
	w := authorizer.Workloads{"ci": {Issuer: "https://token.actions.githubusercontent.com", Audience: "a", Claims: map[string]string{"repository": "acme/app"}}}
	err := g.CheckWorkloads(w)
	want := "group deployers lists the workload nightly, which is not defined: define it (workloads.nightly.issuer, .audience and .claims), or remove it from groups.deployers.workloads"
	if err == nil || err.Error() != want {
		t.Errorf("CheckWorkloads = %v, want %q", err, want)
	}
	if err := g.CheckWorkloads(authorizer.Workloads{"ci": w["ci"], "nightly": w["ci"]}); err != nil {
		t.Errorf("every workload defined: %v", err)
	}
	env := map[string]string{"GOOGLE_CLIENT_ID": clientID, "ACCESS_GROUPS": `{"deployers":{"workloads":["ci"]}}`}
	if _, err := authorizer.ConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "ACCESS_GROUPS and WORKLOADS: group deployers lists the workload ci, which is not defined") {
		t.Errorf("ConfigFromEnv = %v, want the undefined workload named", err)
	}
}

// TestSettingsAvoidShellReservedNames: no setting is read from a variable
// a shell reserves, so `NAME=value ./bootstrap` in bash reaches the
// authorizer. Bash ignores an assignment to GROUPS and refuses one to its
// read-only variables (bash(1), "Shell Variables").
func TestSettingsAvoidShellReservedNames(t *testing.T) {
	reserved := []string{"GROUPS", "UID", "EUID", "PPID", "SHELLOPTS", "BASHOPTS", "BASHPID", "RANDOM", "SECONDS", "LINENO", "HISTCMD", "FUNCNAME", "DIRSTACK", "PIPESTATUS", "BASH_ARGV0", "SRANDOM", "EPOCHSECONDS", "EPOCHREALTIME"}
	var read []string
	_, _ = authorizer.ConfigFromEnv(func(name string) string {
		read = append(read, name)
		if name == "GOOGLE_CLIENT_ID" {
			return clientID
		}
		return ""
	})
	if !slices.Contains(read, "GOOGLE_CLIENT_ID") {
		t.Fatalf("ConfigFromEnv read %q, not GOOGLE_CLIENT_ID", read)
	}
	for _, name := range read {
		if slices.Contains(reserved, name) {
			t.Errorf("the authorizer reads its setting from %s, which bash reserves: rename it", name)
		}
	}
}
