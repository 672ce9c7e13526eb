package apigw

import (
	"maps"
	"testing"

	"signin/functions/gateway"
)

func TestMatchesTokenPattern(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	tests := []struct {
		name   string
		header string
		want   bool
	}{
		{"bare JWT", jwt, true},
		{"Bearer JWT", "Bearer " + jwt, true},
		{"empty", "", false},
		{"two segments", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0", false},
		{"four segments", jwt + ".x", false},
		{"empty signature", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.", false},
		{"empty header segment", ".eyJzdWIiOiIxIn0.c2ln", false},
		{"lower-case bearer", "bearer " + jwt, true},
		{"upper-case BEARER", "BEARER " + jwt, true},
		{"mixed-case bEaReR", "bEaReR " + jwt, true},
		{"another scheme", "Bearex " + jwt, false},
		{"two spaces after Bearer", "Bearer  " + jwt, false},
		{"standard base64 padding", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0=.c2ln", false},
		{"standard base64 plus", "ab+c.def.ghi", false},
		{"trailing newline", jwt + "\n", false},
		{"leading space", " " + jwt, false},
		{"Basic credentials", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchesTokenPattern(tt.header); got != tt.want {
				t.Errorf("matchesTokenPattern(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

func TestMatchPrefersLiteralsAndExtractsParameters(t *testing.T) {
	table := gateway.Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
		{Method: "GET", Path: "/me", Function: "me", Integration: gateway.Proxy},
		{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy},
		{Method: "GET", Path: "/orders/latest", Function: "orders", Integration: gateway.Proxy},
		{Method: "GET", Path: "/orders/{id}/items/{item}", Function: "orders", Integration: gateway.Proxy},
	}
	tests := []struct {
		path, want string
		params     map[string]string
		ok         bool
	}{
		{"/", "/", nil, true},
		{"/me", "/me", nil, true},
		{"/orders/42", "/orders/{id}", map[string]string{"id": "42"}, true},
		{"/orders/latest", "/orders/latest", nil, true},
		{"/orders/7/items/a%2Fb", "/orders/{id}/items/{item}", map[string]string{"id": "7", "item": "a%2Fb"}, true},
		{"/orders", "", nil, false},
		{"/orders/", "", nil, false},
		{"/me/", "/me", nil, true},
		{"/orders/42/", "/orders/{id}", map[string]string{"id": "42"}, true},
		{"/me//", "", nil, false},
		{"//", "", nil, false},
		{"/me/x", "", nil, false},
		{"//me", "", nil, false},
		{"/admin", "", nil, false},
		{"me", "", nil, false},
	}
	for _, tt := range tests {
		got, params, ok := match(table, tt.path)
		if got != tt.want || ok != tt.ok || !maps.Equal(params, tt.params) {
			t.Errorf("match(%q) = %q %v %v, want %q %v %v", tt.path, got, params, ok, tt.want, tt.params, tt.ok)
		}
	}
	if _, _, ok := match(gateway.Table{{Method: "GET", Path: "/me", Function: "me", Integration: gateway.Proxy}}, "/"); ok {
		t.Error("match(/) found the root of a table that routes no /")
	}
}
