package gateway

import "testing"

func TestErrorBody(t *testing.T) {
	tests := []struct {
		message, want string
	}{
		{MessageUnauthorized, `{"message":"Unauthorized"}`},
		{MessageExplicitDeny, `{"message":"User is not authorized to access this resource with an explicit deny"}`},
		{`quote " inside`, `{"message":"quote \" inside"}`},
	}
	for _, tt := range tests {
		if got := string(ErrorBody(tt.message)); got != tt.want {
			t.Errorf("ErrorBody(%q) = %s, want %s", tt.message, got, tt.want)
		}
	}
}

func TestPreflightHeadersExtendCORSHeaders(t *testing.T) {
	const origin = "https://d111111abcdef8.cloudfront.net"
	pre := PreflightHeaders(origin, "GET,OPTIONS")
	for k, v := range CORSHeaders(origin) {
		if pre[k] != v {
			t.Errorf("preflight %s = %q, want %q", k, pre[k], v)
		}
	}
	if got := pre["Access-Control-Allow-Methods"]; got != "GET,OPTIONS" {
		t.Errorf("preflight allows methods %q, want the resource's GET,OPTIONS", got)
	}
	if got := pre["Access-Control-Allow-Headers"]; got != AuthorizationHeader {
		t.Errorf("preflight allows headers %q, want %q", got, AuthorizationHeader)
	}
	if got := CORSHeaders(origin)["Access-Control-Allow-Origin"]; got != origin {
		t.Errorf("Access-Control-Allow-Origin = %q, want the exact origin %q", got, origin)
	}
}
