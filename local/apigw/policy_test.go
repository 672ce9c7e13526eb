package apigw

import "testing"

const arn = "arn:aws:execute-api:eu-central-1:123456789012:abc123/local/GET/"

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{arn, arn, true},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/local/*/*", arn, true},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/local/*", arn, true},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/*", arn, true},
		{"*", arn, true},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/local/???/", arn, true},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/local/??/", arn, false},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/local/POST/", arn, false},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/*/*", arn, false},
		{"arn:aws:execute-api:eu-central-1:123456789012:other/local/*/*", arn, false},
		{"arn:aws:execute-api:*:123456789012:abc123/local/GET/", arn, true},
		{"arn:aws:execute-api:eu-central-1:123456789012:abc123/local/GET", arn, false},
		{"", arn, false},
		{"", "", true},
		{"**", "", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		// IAM: a wildcard stays within its colon-separated segment unless
		// a * is the segment's last character.
		{"arn:aws:execute-api:eu*2:abc123/local/GET/", arn, false},
		{"arn:aws:execute-api:eu-central-1:1234567890???abc123/local/GET/", arn, false},
		{"arn:aws:execute-api:eu-central-1:1234567890?2:abc123/local/GET/", arn, true},
		{"arn:aws:execute-api:eu-*:abc123/local/GET/", arn, true},
		{"arn:aws:execute-api:eu-*-1:*:abc123/local/*", arn, true},
		{"arn:aws:execute-api:eu-*1:123456789012:abc*/local/*", arn, true},
		{"arn:aws:*:abc123/*", arn, true},
	}
	for _, tt := range tests {
		if got := matchPattern(tt.pattern, tt.s); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	allow := func(resource string) statement {
		return statement{Effect: "Allow", Actions: []string{"execute-api:Invoke"}, Resources: []string{resource}}
	}
	deny := func(resource string) statement {
		return statement{Effect: "Deny", Actions: []string{"execute-api:Invoke"}, Resources: []string{resource}}
	}
	stage := "arn:aws:execute-api:eu-central-1:123456789012:abc123/local/*/*"
	tests := []struct {
		name       string
		statements []statement
		want       decision
	}{
		{"allow the stage", []statement{allow(stage)}, allowed},
		{"allow the exact method", []statement{allow(arn)}, allowed},
		{"allow only another method (pitfall 2: a cached methodArn policy)", []statement{allow("arn:aws:execute-api:eu-central-1:123456789012:abc123/local/POST/")}, notAllowed},
		{"deny the stage", []statement{deny(stage)}, denied},
		{"deny wins over allow", []statement{allow(stage), deny(arn)}, denied},
		{"deny elsewhere does not matter", []statement{allow(stage), deny("arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/*/*")}, allowed},
		{"another action", []statement{{Effect: "Allow", Actions: []string{"execute-api:ManageConnections"}, Resources: []string{stage}}}, notAllowed},
		{"wildcard action", []statement{{Effect: "Allow", Actions: []string{"execute-api:*"}, Resources: []string{stage}}}, allowed},
		{"no statements", nil, notAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (authorizerPolicy{Statements: tt.statements}).evaluate(arn); got != tt.want {
				t.Errorf("Evaluate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		name        string
		answer      string
		wantErr     bool
		wantName    string
		wantActions int
	}{
		{"allow with context", `{"principalId":"1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":["` + arn + `"]}]},"context":{"name":"Ada","email":"ada@example.com"}}`, false, "Ada", 1},
		{"action list", `{"principalId":"1","policyDocument":{"Statement":[{"Action":["execute-api:Invoke","execute-api:*"],"Effect":"Allow","Resource":"*"}]},"context":{"name":42}}`, false, "42", 2},
		{"no principal", `{"policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]}}`, true, "", 0},
		{"no policy", `{"principalId":"1"}`, true, "", 0},
		{"empty statement list", `{"principalId":"1","policyDocument":{"Statement":[]}}`, true, "", 0},
		{"unknown effect", `{"principalId":"1","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Maybe","Resource":"*"}]}}`, true, "", 0},
		{"object in the context", `{"principalId":"1","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"name":{"first":"Ada"}}}`, true, "", 0},
		{"a bare string", `"Allow"`, true, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseAuthorizerPolicy([]byte(tt.answer))
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParsePolicy error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if p.Context["name"] != tt.wantName || len(p.Statements[0].Actions) != tt.wantActions {
				t.Errorf("ParsePolicy = %+v, want name %q and %d actions", p, tt.wantName, tt.wantActions)
			}
		})
	}
}
