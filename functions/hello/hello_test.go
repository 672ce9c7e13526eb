package hello

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
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
