package hello

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"signin/functions/gateway"
)

func TestGreet(t *testing.T) {
	long := strings.Repeat("é", maxNameLength+20)
	tests := []struct {
		name, in, want string
	}{
		{"plain name", "Ada Lovelace", "Hello Ada Lovelace!"},
		{"surrounding space trimmed", "  Ada \t", "Hello Ada!"},
		{"empty gets a greeting", "", "Hello there!"},
		{"only space gets a greeting", " \n\t ", "Hello there!"},
		{"control characters stripped", "Ada\x00\x1b[31m\nLovelace\x7f", "Hello Ada[31mLovelace!"},
		{"bidi override stripped", "Ada\u202egnp.exe", "Hello Adagnp.exe!"},
		{"invalid UTF-8 dropped", "Ada\xff\xfe", "Hello Ada!"},
		{"markup kept as text", `<img src=x onerror="alert(1)">`, `Hello <img src=x onerror="alert(1)">!`},
		{"quotes kept", `O'Brien "Bob"`, `Hello O'Brien "Bob"!`},
		{"non-Latin kept", "Łukasz 山田", "Hello Łukasz 山田!"},
		{"length capped in characters", long, "Hello " + strings.Repeat("é", maxNameLength) + "!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Greet(tt.in); got != tt.want {
				t.Errorf("Greet(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHandleAnswersTheJSONContract(t *testing.T) {
	var event Event
	if err := json.Unmarshal([]byte(`{"name": "Ada Lovelace"}`), &event); err != nil {
		t.Fatal(err)
	}
	resp, err := Handle(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"message":"Hello Ada Lovelace!"}`; string(got) != want {
		t.Errorf("answer = %s, want %s", got, want)
	}
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
		var event Event
		if err := json.Unmarshal(gateway.RequestBody(name), &event); err != nil {
			t.Fatalf("%q: the template renders invalid JSON: %v", name, err)
		}
		resp, err := Handle(context.Background(), event)
		if err != nil {
			t.Fatal(err)
		}
		if want := "Hello " + name + "!"; resp.Message != want {
			t.Errorf("%q: message %q, want %q", name, resp.Message, want)
		}
	}
}
