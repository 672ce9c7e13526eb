package apigw

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"signin/functions/hello"
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
			if got := string(requestBody(tt.in)); got != tt.want {
				t.Errorf("requestBody(%q) = %s, want %s", tt.in, got, tt.want)
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
		body := requestBody(name)
		var event struct {
			Name string `json:"name"`
		}
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&event); err != nil {
			t.Fatalf("requestBody(%q) = %s, not JSON: %v", name, body, err)
		}
		if event.Name != name {
			t.Fatalf("requestBody(%q) decodes to name %q", name, event.Name)
		}
	})
}

// TestNameThroughTheMappingTemplate: every name the authorizer may pass on
// reaches the greeting intact through API Gateway's mapping template, which
// must render valid JSON for quotes, backslashes, apostrophes and
// characters beyond ASCII.
func TestNameThroughTheMappingTemplate(t *testing.T) {
	for _, name := range []string{
		"Ada Lovelace",
		`O'Brien`,
		`say "hi" \ bye`,
		"</script><script>alert(1)</script>",
		"Łukasz 山田 🎉",
		`C:\\Users\\ada`,
	} {
		var event hello.Event
		if err := json.Unmarshal(requestBody(name), &event); err != nil {
			t.Fatalf("%q: the template renders invalid JSON: %v", name, err)
		}
		resp, err := hello.Handle(context.Background(), event)
		if err != nil {
			t.Fatal(err)
		}
		if want := "Hello " + name + "!"; resp.Message != want {
			t.Errorf("%q: message %q, want %q", name, resp.Message, want)
		}
	}
}
