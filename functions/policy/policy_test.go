package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestStageIsTheStageOfTheMethod(t *testing.T) {
	tests := []struct {
		methodARN string
		want      string
	}{
		{"arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/", "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev"},
		{"arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/POST/a/b/c", "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev"},
		{"arn:aws-cn:execute-api:cn-north-1:123456789012:abcdef1234/prod/DELETE/x", "arn:aws-cn:execute-api:cn-north-1:123456789012:abcdef1234/prod"},
	}
	for _, tt := range tests {
		got, err := Stage(tt.methodARN)
		if err != nil || got != tt.want {
			t.Errorf("Stage(%q) = %q, %v; want %q", tt.methodARN, got, err, tt.want)
		}
	}
}

// TestStageRejectsWhatIsNotAMethodARN includes ARNs with wildcards
// or empty fields: copied into the Allow policy, they would cover other
// stages, APIs or accounts.
func TestStageRejectsWhatIsNotAMethodARN(t *testing.T) {
	for _, methodARN := range []string{
		"",
		"*",
		"arn:aws:execute-api:eu-central-1:123456789012:abcdef1234",
		"arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev",
		"arn:aws:execute-api:eu-central-1:123456789012:abcdef1234//GET/",
		"arn:aws:lambda:eu-central-1:123456789012:function/dev/GET/",
		"arn:aws:execute-api:eu-central-1:123456789012:/dev/GET/",
		"arn:aws:execute-api:eu-central-1:123456789012:extra:abcdef1234/dev/GET/",
		"urn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/",
		"arn:aws:lambda:execute-api:123456789012:abcdef1234/dev/GET/",
		"arn:aws:execute-api::123456789012:abcdef1234/dev/GET/",
		"arn:aws:execute-api:eu-central-1::abcdef1234/dev/GET/",
		"arn::execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/",
		"arn:aws:execute-api:*:*:*/dev/GET/",
		"arn:aws:execute-api:eu-central-1:123456789012:*/dev/GET/",
		"arn:aws:execute-api:eu-central-1:123456789012:abcdef123?/dev/GET/",
		"arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/*/GET/",
		"arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/d?v/GET/",
		"arn:*:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/",
	} {
		if got, err := Stage(methodARN); !errors.Is(err, errMethodARN) {
			t.Errorf("Stage(%q) = %q, %v; want errMethodARN", methodARN, got, err)
		}
	}
}

func TestDocumentHasOneStatementInvokingTheResource(t *testing.T) {
	const resource = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/*/*"
	for _, effect := range []string{Allow, Deny} {
		doc := Document(effect, resource)
		if doc.Version != version || len(doc.Statement) != 1 {
			t.Fatalf("Document(%s) = %+v", effect, doc)
		}
		s := doc.Statement[0]
		if s.Effect != effect || len(s.Action) != 1 || s.Action[0] != Action ||
			len(s.Resource) != 1 || s.Resource[0] != resource {
			t.Errorf("Document(%s) statement = %+v", effect, s)
		}
	}
}

func TestCheckMethodARNRefusesPathsTooLongForAMethodARN(t *testing.T) {
	if err := CheckMethodARN("GET", "/api/orders/{id}"); err != nil {
		t.Errorf("a short path: %v", err)
	}
	room := maxMethodARNLength - len(longestStage) - len("/GET")
	if err := CheckMethodARN("GET", "/"+strings.Repeat("a", room-1)); err != nil {
		t.Errorf("a path of exactly the room left: %v", err)
	}
	if err := CheckMethodARN("GET", "/"+strings.Repeat("a", room)); err == nil || !strings.Contains(err.Error(), "exceed API Gateway's 1600 bytes") {
		t.Errorf("a path one byte over: got %v", err)
	}
}

func TestWholeStageCoversEveryMethodOfTheStage(t *testing.T) {
	stage, err := Stage("arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/orders/")
	if err != nil || WholeStage(stage) != "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/*/*" {
		t.Errorf("WholeStage(%q) = %q, %v", stage, WholeStage(stage), err)
	}
}
