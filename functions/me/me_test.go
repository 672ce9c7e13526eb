package me

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

const origin = "https://d111111abcdef8.cloudfront.net"

func request(authorizer map[string]any) events.APIGatewayProxyRequest {
	return events.APIGatewayProxyRequest{
		Resource: "/me", Path: "/me", HTTPMethod: "GET",
		RequestContext: events.APIGatewayProxyRequestContext{ResourcePath: "/me", Authorizer: authorizer},
	}
}

func TestHandle(t *testing.T) {
	ada := map[string]any{"principalId": "1234567890", "email": "ada@example.com", "name": "Ada Lovelace"}
	tests := []struct {
		name       string
		authorizer map[string]any
		wantStatus int
		wantBody   string
		wantLog    string
	}{
		{"the caller's verified identity", ada,
			200, `{"sub":"1234567890","email":"ada@example.com","name":"Ada Lovelace","groups":[]}`, ""},
		{"the caller's groups, from the context's flat value", map[string]any{"principalId": "1", "email": "ada@example.com", "name": "Ada", "groups": "admins,staff"},
			200, `{"sub":"1","email":"ada@example.com","name":"Ada","groups":["admins","staff"]}`, ""},
		{"a user without a display name", map[string]any{"principalId": "1", "email": "x@example.com", "name": ""},
			200, `{"sub":"1","email":"x@example.com","name":"","groups":[]}`, ""},
		{"a name that is markup stays text in JSON", map[string]any{"principalId": "1", "email": "x@example.com", "name": `<b>"Bob"</b>`},
			200, `{"sub":"1","email":"x@example.com","name":"\u003cb\u003e\"Bob\"\u003c/b\u003e","groups":[]}`, ""},
		{"no authorizer context: a route outside the authorizer is 500, never an identity", nil,
			500, `{"message":"Internal server error"}`, "no caller"},
		{"no principalId is 500", map[string]any{"email": "ada@example.com", "name": "Ada"},
			500, `{"message":"Internal server error"}`, "no caller"},
		{"a workload without an email: its name and groups", map[string]any{"principalId": "repo:acme/app:environment:production", "name": "deploy", "groups": "deployers"},
			200, `{"sub":"repo:acme/app:environment:production","email":"","name":"deploy","groups":["deployers"]}`, ""},
		{"neither email nor name is 500", map[string]any{"principalId": "1", "name": ""},
			500, `{"message":"Internal server error"}`, "no caller"},
		{"a context value that is not a string is not taken", map[string]any{"principalId": "1", "email": 42.0},
			500, `{"message":"Internal server error"}`, "no caller"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			h := Handler{Origin: origin, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			resp, err := h.Handle(context.Background(), request(tt.authorizer))
			if err != nil {
				t.Fatalf("Handle returned the error %v: API Gateway would answer 502 without the function's CORS headers", err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Body != tt.wantBody {
				t.Errorf("answer = %d %s, want %d %s", resp.StatusCode, resp.Body, tt.wantStatus, tt.wantBody)
			}
			if !json.Valid([]byte(resp.Body)) {
				t.Errorf("body %q is not JSON", resp.Body)
			}
			for k, want := range map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Content-Type": "application/json"} {
				if got := resp.Headers[k]; got != want {
					t.Errorf("%s = %q, want %q: a proxy answer carries its own CORS headers", k, got, want)
				}
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("logs %q do not say %q", logs.String(), tt.wantLog)
			}
		})
	}
}
