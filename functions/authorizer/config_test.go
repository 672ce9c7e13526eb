package authorizer_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"signin/functions/authorizer"
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
	} {
		env := cfg.Environ()
		got, err := authorizer.ConfigFromEnv(func(k string) string { return env[k] })
		if err != nil || !reflect.DeepEqual(got, cfg) {
			t.Errorf("ConfigFromEnv(%v) = %+v, %v; want %+v", env, got, err, cfg)
		}
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
