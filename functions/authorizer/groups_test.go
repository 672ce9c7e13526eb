package authorizer

import (
	"bytes"
	"log/slog"
	"net/http"
	"slices"
	"testing"

	"signin/functions/gateway"
)

// TestGroupsDecideTheRoutes presents tokens to an authorizer whose routes
// name groups, and checks the caller's groups in the context and the
// routes the policy allows. A Workspace domain is the token's hd, never
// the email's suffix; an email counts only when verified and when Google
// is authoritative for it (hd, or gmail.com), unless the stack trusts
// every verified email.
func TestGroupsDecideTheRoutes(t *testing.T) {
	testKeys(t)
	table := gateway.Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
		{Method: "GET", Path: "/admin/{id}", Function: "admin", Integration: gateway.Proxy, Groups: []string{"admins"}},
		{Method: "GET", Path: "/reports", Function: "reports", Integration: gateway.Proxy, Groups: []string{"staff"}},
	}
	groups := Groups{
		"admins": {Emails: []string{"ada@example.com", "grace@gmail.com", "bob@outside.example"}},
		"staff":  {Domains: []string{"example.com"}},
	}
	const (
		open    = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api"
		admin   = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/admin/*"
		reports = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/reports"
	)
	tests := []struct {
		name       string
		changes    map[string]any
		trust      bool
		wantGroups string
		wantAllow  []string
	}{
		{"a listed email with hd, in the domain group too: every route", map[string]any{"email": "Ada@Example.com"}, false, "admins,staff", []string{stageARN}},
		{"the domain group's hd alone", map[string]any{"email": "carol@example.com"}, false, "staff", []string{open, reports}},
		{"a listed gmail.com address", map[string]any{"email": "grace@gmail.com", "hd": nil}, false, "admins", []string{open, admin}},
		{"a listed address of the domain without hd: no group", map[string]any{"hd": nil}, false, "", []string{open}},
		{"a listed address without hd, with the stack trusting such addresses", map[string]any{"email": "bob@outside.example", "hd": nil}, true, "admins", []string{open, admin}},
		{"a listed address with another hd", map[string]any{"hd": "other.example"}, false, "admins", []string{open, admin}},
		{"an unverified email with the domain's hd: no group", map[string]any{"email_verified": false}, false, "", []string{open}},
		{"an hd that is not a member", map[string]any{"email": "eve@evil.example", "hd": "evil.example"}, false, "", []string{open}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := newIssuer(t)
			cfg := Config{ClientID: clientID, Issuer: issuerURL, JWKSURL: iss.jwksURL(),
				Groups: groups, Routes: table, TrustEmailsWithoutHostedDomain: tt.trust}
			logger := slog.New(slog.NewJSONHandler(new(bytes.Buffer), nil))
			auth := New(cfg, NewKeySet(cfg.JWKSURL, logger), logger)
			resp, err := auth.Handle(t.Context(), eventFor(token(googleKey, "k1", tt.changes), methodARN))
			if err != nil {
				t.Fatal(err)
			}
			if got := resp.Context[gateway.ContextGroups]; got != tt.wantGroups {
				t.Errorf("groups %q, want %q", got, tt.wantGroups)
			}
			var allowed, denied []string
			for _, s := range resp.PolicyDocument.Statement {
				if s.Effect == "Allow" {
					allowed = append(allowed, s.Resource...)
				} else {
					denied = append(denied, s.Resource...)
				}
			}
			if !slices.Equal(allowed, tt.wantAllow) || len(denied) > 0 {
				t.Errorf("allowed %q, denied %q; want allowed %q", allowed, denied, tt.wantAllow)
			}
		})
	}
}

// TestRefusedAccessRulesFailEveryRequest: an authorizer built with routes
// a policy cannot tell apart (ConfigFromEnv refuses them; New is given
// them directly) answers API Gateway's 500, never a policy.
func TestRefusedAccessRulesFailEveryRequest(t *testing.T) {
	testKeys(t)
	iss := newIssuer(t)
	cfg := Config{ClientID: clientID, Issuer: issuerURL, JWKSURL: iss.jwksURL(),
		Groups: Groups{"admins": {Emails: []string{"ada@example.com"}}},
		Routes: gateway.Table{
			{Method: "GET", Path: "/a/{x}", Function: "me", Integration: gateway.Proxy},
			{Method: "GET", Path: "/a/{x}/{y}", Function: "me", Integration: gateway.Proxy, Groups: []string{"admins"}},
			{Method: "GET", Path: "/a/{x}/b/c", Function: "me", Integration: gateway.Proxy},
		}}
	logger := slog.New(slog.NewJSONHandler(new(bytes.Buffer), nil))
	auth := New(cfg, NewKeySet(cfg.JWKSURL, logger), logger)
	resp, err := auth.Handle(t.Context(), eventFor(token(googleKey, "k1", nil), methodARN))
	if got := status(t, resp, err); got != http.StatusInternalServerError {
		t.Errorf("answer %d, want 500", got)
	}
}
