package gateway

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// The expected outputs are those of Apache Commons Lang 2's
// StringEscapeUtils.escapeJavaScript, which $util.escapeJavaScript uses.
func TestEscapeJavaScriptMatchesCommonsLang(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Ada Lovelace", "Ada Lovelace"},
		{`He didn't say, "Stop!"`, `He didn\'t say, \"Stop!\"`},
		{`back\slash`, `back\\slash`},
		{"</script>", `<\/script>`},
		{"tab\tnew\nline\rfeed\fback\b", `tab\tnew\nline\rfeed\fback\b`},
		{"\x00\x01\x1f", `\u0000\u0001\u001F`},
		{"\x7f", "\x7f"},
		{"José", `Jos\u00E9`},
		{"日本", `\u65E5\u672C`},
		{"😀", `\uD83D\uDE00`},
		{"\u2028", `\u2028`},
		{"<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := escapeJavaScript(tt.in); got != tt.want {
			t.Errorf("escapeJavaScript(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRequestBodyUndoesTheQuoteEscape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Ada Lovelace", `{"name": "Ada Lovelace"}`},
		{"apostrophe is not escaped", "Miles O'Brien", `{"name": "Miles O'Brien"}`},
		{"double quote stays escaped", `Ada "the Countess"`, `{"name": "Ada \"the Countess\""}`},
		{"injection attempt stays inside the string", `", "admin": true, "x": "`, `{"name": "\", \"admin\": true, \"x\": \""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(RequestBody(tt.in)); got != tt.want {
				t.Errorf("RequestBody(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzRequestBodyIsJSONOfTheName(f *testing.F) {
	for _, seed := range []string{"Ada Lovelace", "O'Brien", `\'`, `"\/`, "\x00\n", "😀é", "\\'", "'\\"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) {
			t.Skip("API Gateway only sees valid UTF-8 names")
		}
		body := RequestBody(name)
		var event struct {
			Name string `json:"name"`
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&event); err != nil {
			t.Fatalf("RequestBody(%q) = %s, not JSON: %v", name, body, err)
		}
		if event.Name != name {
			t.Fatalf("RequestBody(%q) decodes to name %q", name, event.Name)
		}
	})
}

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
