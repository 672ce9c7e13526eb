package apigw

import "testing"

const arn = "arn:aws:execute-api:eu-central-1:123456789012:abc123/local/GET/"

func TestEvaluate(t *testing.T) {
	allow := func(resource string) statement {
		return statement{Effect: "Allow", Actions: []string{"execute-api:Invoke"}, Resources: []string{resource}}
	}
	deny := func(resource string) statement {
		return statement{Effect: "Deny", Actions: []string{"execute-api:Invoke"}, Resources: []string{resource}}
	}
	const stageARN = "arn:aws:execute-api:eu-central-1:123456789012:abc123/local"
	stage := stageARN + "/*/*"
	tests := []struct {
		name       string
		statements []statement
		want       decision
		wantErr    bool
	}{
		{"allow the stage", []statement{allow(stage)}, allowed, false},
		{"allow the exact method", []statement{allow(arn)}, allowed, false},
		{"allow only another method (pitfall 2: a cached methodArn policy)", []statement{allow("arn:aws:execute-api:eu-central-1:123456789012:abc123/local/POST/")}, notAllowed, false},
		{"deny the stage", []statement{deny(stage)}, denied, false},
		{"deny wins over allow", []statement{allow(stage), deny(arn)}, denied, false},
		{"deny of another method does not matter", []statement{allow(stage), deny("arn:aws:execute-api:eu-central-1:123456789012:abc123/local/POST/")}, allowed, false},
		{"a pattern other than the whole stage is refused, not guessed at", []statement{allow(stageARN + "/GET/*")}, notAllowed, true},
		{"so is a deny of another stage's pattern", []statement{allow(stage), deny("arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/*/*")}, notAllowed, true},
		{"and IAM's everything", []statement{allow("*")}, notAllowed, true},
		{"another action", []statement{{Effect: "Allow", Actions: []string{"execute-api:ManageConnections"}, Resources: []string{stage}}}, notAllowed, false},
		{"wildcard action", []statement{{Effect: "Allow", Actions: []string{"execute-api:*"}, Resources: []string{stage}}}, allowed, false},
		{"no statements", nil, notAllowed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := (authorizerPolicy{Statements: tt.statements}).evaluate(arn, stageARN)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("evaluate = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
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
