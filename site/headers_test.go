package site

import (
	"strconv"
	"strings"
	"testing"
)

func TestSecurityHeaders(t *testing.T) {
	cfg := Config{ClientID: testClientID}
	got, err := cfg.SecurityHeaders()
	if err != nil {
		t.Fatal(err)
	}
	csp, _ := cfg.ContentSecurityPolicy()
	want := map[string]string{
		"Content-Security-Policy":    csp,
		"X-Content-Type-Options":     "nosniff",
		"X-Frame-Options":            "DENY",
		"Referrer-Policy":            "strict-origin-when-cross-origin",
		"Cross-Origin-Opener-Policy": "same-origin-allow-popups",
	}
	if len(got) != len(want) {
		t.Errorf("SecurityHeaders() = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("SecurityHeaders()[%s] = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["Strict-Transport-Security"]; ok {
		t.Error("SecurityHeaders() has Strict-Transport-Security, which belongs to HTTPS only")
	}
}

// StrictTransportSecurity is what CloudFront sends for HSTSMaxAge with
// subdomains included.
func TestStrictTransportSecurityRendersHSTSMaxAge(t *testing.T) {
	want := "max-age=" + strconv.Itoa(HSTSMaxAge) + "; includeSubDomains"
	if StrictTransportSecurity != want {
		t.Errorf("StrictTransportSecurity = %q, want %q", StrictTransportSecurity, want)
	}
	if HSTSMaxAge < 31536000 {
		t.Errorf("HSTSMaxAge = %d, want at least a year", HSTSMaxAge)
	}
}

func TestSecurityHeadersRefuseABrokenConfig(t *testing.T) {
	if _, err := (Config{ClientID: testClientID, SignInScript: "not a url"}).SecurityHeaders(); err == nil || !strings.Contains(err.Error(), "SignInScript") {
		t.Errorf("SecurityHeaders() error = %v, want one naming SignInScript", err)
	}
}
