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
