package site

import (
	"strings"
	"testing"
)

func TestContentSecurityPolicy(t *testing.T) {
	const clientID = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{
			name: "deployed: Google's documented /gsi/ sources; the API is on the page's origin",
			cfg:  Config{ClientID: clientID},
			want: "default-src 'self'; " +
				"script-src 'self' https://accounts.google.com/gsi/client; " +
				"style-src 'self' https://accounts.google.com/gsi/style; " +
				"frame-src https://accounts.google.com/gsi/; " +
				"connect-src 'self' https://accounts.google.com/gsi/; " +
				"img-src 'self' https://*.googleusercontent.com data:; " +
				"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		},
		{
			name: "local: the stand-in's /gsi/ sources on the development provider",
			cfg:  Config{ClientID: testClientID, SignInScript: "http://localhost:8082/gsi/client"},
			want: "default-src 'self'; " +
				"script-src 'self' http://localhost:8082/gsi/client; " +
				"style-src 'self' http://localhost:8082/gsi/style; " +
				"frame-src http://localhost:8082/gsi/; " +
				"connect-src 'self' http://localhost:8082/gsi/; " +
				"img-src 'self' https://*.googleusercontent.com data:; " +
				"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.ContentSecurityPolicy()
			if err != nil {
				t.Fatalf("ContentSecurityPolicy() error = %v", err)
			}
			if got != tt.want {
				t.Errorf("ContentSecurityPolicy() =\n%s\nwant\n%s", got, tt.want)
			}
			if strings.Contains(got, "unsafe") || strings.Contains(got, "*;") {
				t.Errorf("ContentSecurityPolicy() = %q allows inline code or any source", got)
			}
		})
	}
}

func TestContentSecurityPolicyRefusesABrokenConfig(t *testing.T) {
	_, err := Config{ClientID: testClientID, SignInScript: "not a url"}.ContentSecurityPolicy()
	if err == nil || !strings.Contains(err.Error(), "SignInScript") {
		t.Errorf("ContentSecurityPolicy() error = %v, want one naming SignInScript", err)
	}
}
