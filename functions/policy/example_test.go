package policy_test

import (
	"encoding/json"
	"fmt"

	"signin/functions/policy"
)

// An authorizer's policy covers the routes of the stage the request came
// to, so that API Gateway's cached answer fits the user's next, different
// method.
func ExampleStage() {
	stage, err := policy.Stage("arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/me")
	fmt.Println(stage, err)

	_, err = policy.Stage("arn:aws:execute-api:eu-central-1:*:abcdef1234/dev/GET/")
	fmt.Println(err)
	// Output:
	// arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev <nil>
	// policy: malformed method ARN: "arn:aws:execute-api:eu-central-1:*:abcdef1234/dev/GET/" has an empty or wildcard field
}

// The document an authorizer hands back to API Gateway.
func ExampleDocument() {
	doc := policy.Document(policy.Allow, "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/*/*")
	out, _ := json.Marshal(doc)
	fmt.Println(string(out))
	// Output: {"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],"Effect":"Allow","Resource":["arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/*/*"]}]}
}

// A caller in the group admins may call the open route and the admin
// route: /api/admin/* also matches /api/admin/{id}/secret, which only the
// owners may call, so the policy denies that one, in every form that may
// match its requests: IAM's * in the middle of a resource stops at a
// colon (/api/admin/x:y/secret), a final * does not; and API Gateway
// routes /api/admin/1/secret/ to the same resource, perhaps with the
// trailing slash in the method ARN.
func ExampleAccess_Document() {
	access, err := policy.NewAccess([]policy.Route{
		{Method: "GET", Path: "/api/me"},
		{Method: "GET", Path: "/api/reports", Groups: []string{"finance"}},
		{Method: "GET", Path: "/api/admin/{id}", Groups: []string{"admins"}},
		{Method: "GET", Path: "/api/admin/{id}/secret", Groups: []string{"owners"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := access.Document("arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev", func(group string) bool { return group == "admins" })
	for _, s := range doc.Statement {
		fmt.Println(s.Effect, s.Resource)
	}
	// Output:
	// Allow [arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/me arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/admin/*]
	// Deny [arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/admin/*/secret arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/admin/*:*/secret arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/admin/*/secret/ arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/api/admin/*:*/secret/]
}
